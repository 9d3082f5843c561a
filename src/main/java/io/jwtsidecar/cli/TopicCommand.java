package io.jwtsidecar.cli;

import io.jwtsidecar.config.ConfigException;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.IssuerSettings;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.feed.TopicAdmin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jwt-sidecar topic create|check --config FILE}: creates the revocation and status
 * topics with safe settings, or checks existing ones. Kafka connection settings (bootstrap,
 * {@code kafka.consumer.*} for security) and topic names come from the sidecar's own
 * configuration; the retention follows its longest token lifetime.
 */
@Command(name = "topic", description = "Create or check the revocation and status topics (create | check).")
final class TopicCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "create or check")
    String action;

    @Option(names = {"-c", "--config"}, required = true, description = "The sidecar's YAML configuration.")
    Path config;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of the revocation topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "3", description = "Replication factor (default: ${DEFAULT-VALUE}).")
    short replicationFactor;

    @Option(names = "--min-insync-replicas", defaultValue = "2", description = "min.insync.replicas (default: ${DEFAULT-VALUE}).")
    int minInsync;

    @Option(names = "--timeout", defaultValue = "15", description = "Seconds to wait for Kafka (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() {
        SidecarConfig cfg;
        try {
            cfg = new ConfigLoader(System.getenv()).load(config);
        } catch (ConfigException e) {
            return ConfigErrors.print(config, e);
        }
        Duration longest = cfg.issuers().stream().map(IssuerSettings::maxTokenLifetime).max(Duration::compareTo)
                .orElse(Duration.ofDays(1));
        Map<String, Object> adminConfig = new HashMap<>(cfg.kafka().consumer());
        adminConfig.put("bootstrap.servers", cfg.kafka().bootstrapServers());
        // Every call within the command's own timeout, rather than the client's minute of retries.
        Duration timeout = Duration.ofSeconds(Math.max(1, timeoutSeconds));
        adminConfig.put("default.api.timeout.ms", (int) timeout.toMillis());
        adminConfig.put("request.timeout.ms", (int) Math.max(1000, timeout.toMillis() / 2));
        try (TopicAdmin admin = new TopicAdmin(adminConfig)) {
            admin.clusterId(cfg.kafka().bootstrapServers(), timeout);
            if (action.equals("create")) {
                // Twice the longest lifetime: a margin for clock skew and slow consumers.
                admin.create(new TopicAdmin.Plan(cfg.kafka().topic(), cfg.kafka().statusTopic(), partitions,
                        replicationFactor, longest.multipliedBy(2), minInsync)).forEach(System.out::println);
                return 0;
            }
            if (action.equals("check")) {
                List<String> problems = admin.check(cfg.kafka().topic(), cfg.kafka().statusTopic(), longest);
                if (problems.isEmpty()) {
                    System.out.println("topics OK: " + cfg.kafka().topic() + ", " + cfg.kafka().statusTopic());
                    return 0;
                }
                problems.forEach(p -> System.err.println("  - " + p));
                return 1;
            }
            System.err.println("jwt-sidecar topic: unknown action '" + action + "' (create or check)");
            return 2;
        } catch (IllegalStateException e) {
            System.err.println("jwt-sidecar topic: " + e.getMessage());
            return 3;
        }
    }
}
