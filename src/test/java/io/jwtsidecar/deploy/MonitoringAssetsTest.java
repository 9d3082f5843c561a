package io.jwtsidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jwtsidecar.metrics.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The dashboard and alert rules only use metrics the sidecar exports, and both parse. */
class MonitoringAssetsTest {
    private static final Pattern METRIC = Pattern.compile("jwt_sidecar_[a-z_]+");

    /** Every name a scrape can show for a metric: counters add _total, histograms _bucket/_count/_sum. */
    private static Set<String> exported() {
        Set<String> names = new TreeSet<>();
        for (Metric m : Metric.values()) {
            String n = m.prometheusName();
            names.add(n);
            names.add(n + "_total");
            names.addAll(Set.of(n + "_bucket", n + "_count", n + "_sum", n + "_max"));
        }
        return names;
    }

    private static Set<String> referenced(String text) {
        Matcher m = METRIC.matcher(text);
        Set<String> found = new TreeSet<>();
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }

    @Test
    void the_alert_rules_parse_and_use_only_exported_metrics() throws Exception {
        String rules = Files.readString(Path.of("deploy/monitoring/alerts.yml"));
        Object parsed = new org.yaml.snakeyaml.Yaml().load(rules);
        JsonNode groups = new ObjectMapper().valueToTree(parsed).get("groups");

        assertThat(groups.get(0).get("rules")).hasSizeGreaterThanOrEqualTo(5);
        assertThat(exported()).containsAll(referenced(rules));
        Set<String> alerts = new TreeSet<>();
        groups.get(0).get("rules").forEach(r -> alerts.add(r.get("alert").asText()));
        assertThat(alerts).contains("JwtSidecarRevocationFeedStale", "JwtSidecarRevocationLag", "JwtSidecarDeadLetters",
                "JwtSidecarAdminRefusals", "JwtSidecarVerifyErrorRate");
    }

    @Test
    void the_dashboard_parses_and_uses_only_exported_metrics() throws Exception {
        String json = Files.readString(Path.of("deploy/monitoring/grafana-dashboard.json"));
        JsonNode dashboard = new ObjectMapper().readTree(json);

        assertThat(dashboard.get("panels")).isNotEmpty();
        assertThat(exported()).containsAll(referenced(json));
        Set<String> covered = referenced(json).stream().map(n -> n.replaceAll("_(total|bucket|count|sum)$", ""))
                .collect(Collectors.toSet());
        assertThat(covered).as("the dashboard shows the metrics that matter most").contains(
                "jwt_sidecar_verify", "jwt_sidecar_propagation_delay_seconds", "jwt_sidecar_feed_staleness_seconds",
                "jwt_sidecar_feed_lag_records", "jwt_sidecar_feed_dead_letters");
    }
}
