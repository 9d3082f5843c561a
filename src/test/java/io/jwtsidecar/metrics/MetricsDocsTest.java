package io.jwtsidecar.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/METRICS.md lists exactly the metrics of {@link Metric}. */
class MetricsDocsTest {

    @Test
    void every_metric_is_documented_with_its_type_and_meaning_and_nothing_else_is() throws Exception {
        List<String> rows = Files.readAllLines(Path.of("docs/METRICS.md")).stream()
                .filter(l -> l.startsWith("| `")).toList();

        assertThat(rows).containsExactlyElementsOf(java.util.Arrays.stream(Metric.values())
                .map(m -> "| `" + m.prometheusName() + "` | " + m.type() + " | " + m.help() + " |").toList());
    }
}
