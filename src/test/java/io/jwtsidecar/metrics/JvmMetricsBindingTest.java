package io.jwtsidecar.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link JvmMetric} declares exactly what Micrometer's binders export into the sidecar's
 * registry: a Micrometer upgrade that adds, renames or retypes a family fails here, before
 * docs/METRICS.md and the dashboards drift from the scrape.
 */
class JvmMetricsBindingTest {
    /** Only collectors that report concurrent phases (ZGC, Shenandoah) have it; tests run on G1 or Serial. */
    private static final Set<JvmMetric> NOT_ON_EVERY_JVM = EnumSet.of(JvmMetric.GC_CONCURRENT_PHASE_TIME);
    private static final Set<String> JVM_PREFIXES = Set.of("jvm_", "process_", "system_");

    /**
     * The JVM and process families of a scrape with their types, named as {@link JvmMetric} names
     * them: counters without {@code _total}, a summary's {@code _max} gauge folded into the summary.
     */
    private static Map<String, String> families(String scrape) {
        Map<String, String> types = new TreeMap<>();
        scrape.lines().filter(l -> l.startsWith("# TYPE ")).map(l -> l.split(" ")).forEach(t -> types.put(t[2], t[3]));
        Map<String, String> families = new TreeMap<>();
        types.forEach((name, type) -> {
            if (JVM_PREFIXES.stream().noneMatch(name::startsWith)) {
                return;
            }
            if (name.endsWith("_max") && "summary".equals(types.get(name.substring(0, name.length() - 4)))) {
                return;
            }
            families.put(type.equals("counter") && name.endsWith("_total") ? name.substring(0, name.length() - 6) : name,
                    type);
        });
        return families;
    }

    private static Map<String, String> declared(Set<JvmMetric> metrics) {
        return metrics.stream().collect(Collectors.toMap(JvmMetric::prometheusName, JvmMetric::type, (a, b) -> a,
                TreeMap::new));
    }

    @Test
    void the_binders_export_exactly_the_declared_families_with_their_types() {
        SidecarMetrics metrics = new SidecarMetrics();
        try (JvmMetricsBinding ignored = JvmMetricsBinding.bind(metrics)) {
            // The pause timer is registered at the first collection the binder hears of.
            System.gc();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> families(metrics.scrape()).containsKey(JvmMetric.GC_PAUSE.prometheusName()));

            Map<String, String> exported = families(metrics.scrape());

            Map<String, String> all = declared(EnumSet.allOf(JvmMetric.class));
            assertThat(all).as("every exported family is declared in JvmMetric, with its type").containsAllEntriesOf(exported);
            Set<JvmMetric> everywhere = EnumSet.allOf(JvmMetric.class);
            everywhere.removeAll(NOT_ON_EVERY_JVM);
            assertThat(exported).as("every declared family is exported").containsAllEntriesOf(declared(everywhere));
        }
    }

    @Test
    void the_sidecars_own_metrics_are_unaffected_and_nothing_is_bound_without_the_binding() {
        SidecarMetrics metrics = new SidecarMetrics();
        assertThat(families(metrics.scrape())).as("no JVM family in a registry nobody bound").isEmpty();

        try (JvmMetricsBinding ignored = JvmMetricsBinding.bind(metrics)) {
            metrics.verified("accepted", 1_000, false);

            assertThat(metrics.scrape()).contains("jwt_sidecar_verify_total{verdict=\"accepted\"} 1");
        }
    }

    @Test
    void closing_twice_is_harmless() {
        JvmMetricsBinding binding = JvmMetricsBinding.bind(new SidecarMetrics());

        binding.close();
        binding.close();
    }
}
