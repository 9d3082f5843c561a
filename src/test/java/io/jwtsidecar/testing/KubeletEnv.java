package io.jwtsidecar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A container's environment as the kubelet sets it: downward-API fields from the pod, Secret keys
 * from stand-ins, and {@code $(VAR)} expanded from the entries declared before it only (a later
 * or unknown one stays as written; {@code $$} is a literal {@code $}).
 */
public final class KubeletEnv {
    private KubeletEnv() {
    }

    /** The downward API's fields of a pod named {@code name} in {@code namespace}, with IP {@code podIp}. */
    public static Map<String, String> podFields(String namespace, String name, String podIp) {
        return Map.of("metadata.namespace", namespace, "metadata.name", name, "status.podIP", podIp);
    }

    /**
     * The environment of {@code container}; {@code secret} gives the stand-in for a Secret key. A
     * field the pod does not have fails the test: the container asks for something the kubelet
     * would not give it.
     */
    public static Map<String, String> of(Container container, Map<String, String> fields, Function<String, String> secret) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : container.getEnv()) {
            if (e.getValue() != null) {
                env.put(e.getName(), expand(e.getValue(), env));
            } else if (e.getValueFrom().getSecretKeyRef() != null) {
                env.put(e.getName(), secret.apply(e.getValueFrom().getSecretKeyRef().getKey()));
            } else {
                String field = e.getValueFrom().getFieldRef().getFieldPath();
                assertThat(fields).as("downward API field of %s", e.getName()).containsKey(field);
                env.put(e.getName(), fields.get(field));
            }
        }
        return env;
    }

    private static String expand(String value, Map<String, String> earlier) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            int close = value.indexOf(')', i);
            if (c == '$' && value.startsWith("$$", i)) {
                out.append('$');
                i++;
            } else if (c == '$' && value.startsWith("$(", i) && close > 0 && earlier.containsKey(value.substring(i + 2, close))) {
                out.append(earlier.get(value.substring(i + 2, close)));
                i = close;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
