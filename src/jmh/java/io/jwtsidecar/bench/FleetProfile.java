package io.jwtsidecar.bench;

import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.SidecarConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One configuration of the fleet: a name and the settings it changes, as configuration keys
 * ({@code kafka.consumer.fetch.max.wait.ms=10000}, {@code fleet.statusInterval=10s}). Every
 * sidecar's {@link SidecarConfig} is loaded by the product's {@link ConfigLoader} from a
 * configuration file made of these settings, so the benchmark measures whatever the code makes
 * of them: derived intervals, defaults and refusals included.
 */
record FleetProfile(String name, List<String> settings) {
    /** The sections whose members are Kafka client settings: the rest of the key is one name. */
    private static final List<String> PASSTHROUGH = List.of("kafka.consumer.", "kafka.producer.");

    FleetProfile {
        settings = List.copyOf(settings);
    }

    /** Parses {@code name:key=value,key=value}; a bare name changes nothing. */
    static FleetProfile parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            return new FleetProfile(text, List.of());
        }
        List<String> settings = new ArrayList<>();
        for (String s : text.substring(colon + 1).split(",")) {
            if (!s.isBlank()) {
                if (!s.contains("=")) {
                    throw new IllegalArgumentException("a setting is key=value: " + s);
                }
                settings.add(s.strip());
            }
        }
        return new FleetProfile(text.substring(0, colon), settings);
    }

    /**
     * The configuration of sidecar {@code id}: the fleet's Kafka topics, a store of its own under
     * {@code dataDir}, a Bloom filter sized for a small store (it asks nothing of Kafka), one
     * static issuer (the loader needs one), then this profile's settings.
     */
    SidecarConfig sidecar(String id, String bootstrap, String topic, String statusTopic, Path dataDir) {
        Map<String, Object> tree = new LinkedHashMap<>();
        put(tree, "sidecar.id", id);
        put(tree, "kafka.bootstrapServers", bootstrap);
        put(tree, "kafka.topic", topic);
        put(tree, "kafka.statusTopic", statusTopic);
        put(tree, "revocation.dataDir", dataDir.toString());
        put(tree, "revocation.bloomExpectedRules", "10000");
        for (String s : settings) {
            int eq = s.indexOf('=');
            put(tree, s.substring(0, eq).strip(), s.substring(eq + 1).strip());
        }
        StringBuilder yaml = new StringBuilder();
        write(tree, "", yaml);
        yaml.append("issuers:\n  - issuer: https://issuer.example\n    audiences: [orders-api]\n    keys:\n")
                .append("      - kid: hs-1\n        alg: HS256\n        secret: \"0123456789abcdef0123456789abcdef-hs\"\n");
        return new ConfigLoader(Map.of()).parse(yaml.toString(), dataDir);
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> tree, String key, String value) {
        List<String> path = new ArrayList<>();
        String rest = key;
        for (String section : PASSTHROUGH) {
            if (key.startsWith(section)) {
                path.addAll(List.of(section.substring(0, section.length() - 1).split("\\.")));
                rest = null;
                path.add(key.substring(section.length()));
                break;
            }
        }
        if (rest != null) {
            path.addAll(List.of(rest.split("\\.")));
        }
        Map<String, Object> node = tree;
        for (int i = 0; i < path.size() - 1; i++) {
            node = (Map<String, Object>) node.computeIfAbsent(path.get(i), k -> new LinkedHashMap<String, Object>());
        }
        node.put(path.get(path.size() - 1), value);
    }

    @SuppressWarnings("unchecked")
    private static void write(Map<String, Object> tree, String indent, StringBuilder yaml) {
        tree.forEach((k, v) -> {
            if (v instanceof Map) {
                yaml.append(indent).append(k).append(":\n");
                write((Map<String, Object>) v, indent + "  ", yaml);
            } else {
                yaml.append(indent).append(k).append(": ").append(v).append("\n");
            }
        });
    }
}
