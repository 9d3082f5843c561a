package io.jwtsidecar.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/METRICS.md lists exactly the metrics of {@link Metric} and the families of {@link JvmMetric}. */
class MetricsDocsTest {

    private static List<String> rows() throws Exception {
        return Files.readAllLines(Path.of("docs/METRICS.md")).stream().filter(l -> l.startsWith("| `")).toList();
    }

    @Test
    void every_metric_is_documented_with_its_type_and_meaning_and_nothing_else_is() throws Exception {
        List<String> rows = rows().stream().filter(r -> r.startsWith("| `jwt_sidecar_")).toList();

        assertThat(rows).containsExactlyElementsOf(Arrays.stream(Metric.values())
                .map(m -> "| `" + m.prometheusName() + "` | " + m.type() + " | " + m.help() + " |").toList());
    }

    @Test
    void every_jvm_and_process_family_is_documented_with_its_type_binder_and_meaning_and_nothing_else_is()
            throws Exception {
        List<String> rows = rows().stream().filter(r -> !r.startsWith("| `jwt_sidecar_")).toList();

        assertThat(rows).containsExactlyElementsOf(Arrays.stream(JvmMetric.values())
                .map(m -> "| `" + m.prometheusName() + "` | " + m.type() + " | " + m.binder() + " | " + m.help() + " |")
                .toList());
    }
}
