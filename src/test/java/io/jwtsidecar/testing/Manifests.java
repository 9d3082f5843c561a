package io.jwtsidecar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Probe;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** How the manifest tests read what Kubernetes would evaluate: label selectors and exec probes; and the model's unknown fields. */
public final class Manifests {
    private Manifests() {
    }

    /** A label selector as the API server evaluates it (matchLabels and the four operators); null selects all. */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        Map<String, String> l = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(l.get(e.getKey()))) {
                    return false;
                }
            }
        }
        for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
            String v = l.get(r.getKey());
            Set<String> values = Set.copyOf(r.getValues());
            boolean ok = switch (r.getOperator()) {
                case "In" -> v != null && values.contains(v);
                case "NotIn" -> v == null || !values.contains(v);
                case "Exists" -> v != null;
                case "DoesNotExist" -> v == null;
                default -> throw new AssertionError("unknown operator " + r.getOperator());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The URL a curl exec probe asks; the probe must fail on an HTTP error status. */
    public static String probeUrl(Probe probe) {
        assertThat(probe).isNotNull();
        List<String> command = probe.getExec().getCommand();
        assertThat(command.get(0)).isEqualTo("curl");
        assertThat(command).as("fails on an HTTP error status").contains("-fsS");
        return command.get(command.size() - 1);
    }

    /**
     * Fails on any field of a fabric8 model object that the model does not know: it keeps those in
     * additionalProperties instead of failing, so a misspelt field would otherwise pass unnoticed.
     */
    public static void assertKnownFields(Object value, String path) {
        if (value instanceof Collection) {
            int i = 0;
            for (Object item : (Collection<?>) value) {
                assertKnownFields(item, path + "[" + i++ + "]");
            }
            return;
        }
        if (value instanceof Map) {
            ((Map<?, ?>) value).forEach((k, v) -> assertKnownFields(v, path + "." + k));
            return;
        }
        if (value == null || !value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (!getter.getName().startsWith("get") || getter.getParameterCount() != 0
                    || getter.getDeclaringClass() == Object.class || Modifier.isStatic(getter.getModifiers())) {
                continue;
            }
            Object field;
            try {
                field = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Error reading " + path + " through " + getter, e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                assertThat((Map<?, ?>) field).as("fields of %s unknown to the model", path).isEmpty();
            } else {
                assertKnownFields(field, path + "." + getter.getName().substring(3));
            }
        }
    }
}
