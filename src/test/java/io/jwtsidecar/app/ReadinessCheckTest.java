package io.jwtsidecar.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.http.Readiness;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.keys.IssuerKeys;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.KeySource;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When /health/ready says ready, and what it reports beside the answer. */
class ReadinessCheckTest {
    private static final Duration MAX = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private Instant confirmedAt;
    private volatile IssuerKeys remoteKeys = new IssuerKeys(List.of());

    private final KeySource remote = new KeySource() {
        @Override
        public IssuerKeys current() {
            return remoteKeys;
        }

        @Override
        public String describe() {
            return remoteKeys == null ? "remote: no keys yet" : "remote: 0 keys";
        }
    };

    private ReadinessCheck readiness(boolean failOpen) {
        RevocationFreshness freshness = new RevocationFreshness(() -> confirmedAt != null,
                () -> Duration.between(confirmedAt, clock.instant()), MAX, failOpen);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("recordsConsumed", 7L);
        return new ReadinessCheck(freshness, List.of(issuer("https://a.example", remote)), () -> figures);
    }

    private static IssuerPolicy issuer(String iss, KeySource keys) {
        return new IssuerPolicy(iss, keys, Set.of(JwsAlgorithm.RS256), Set.of("api"), List.of(), null,
                Duration.ZERO, Duration.ofHours(1), null);
    }

    @Test
    void not_ready_while_the_feed_catches_up_even_under_fail_open() {
        Readiness.Report r = readiness(true).report();

        assertThat(r.ready()).isFalse();
        assertThat(r.checks()).containsEntry("revocationFeed", "catching_up").containsEntry("stalenessSeconds", null);
    }

    @Test
    void ready_once_caught_up_with_keys_for_every_issuer() {
        confirmedAt = clock.instant();
        clock.advance(Duration.ofMillis(1500));

        Readiness.Report r = readiness(false).report();

        assertThat(r.ready()).isTrue();
        assertThat(r.checks()).containsEntry("revocationFeed", "fresh").containsEntry("stalenessSeconds", 1.5);
    }

    @Test
    void at_max_staleness_still_ready_and_just_over_not_ready_under_fail_closed() {
        ReadinessCheck check = readiness(false);
        confirmedAt = clock.instant();
        clock.advance(MAX);
        assertThat(check.report().ready()).isTrue();

        clock.advance(Duration.ofNanos(1));

        Readiness.Report r = check.report();
        assertThat(r.ready()).isFalse();
        assertThat(r.checks()).containsEntry("revocationFeed", "stale");
    }

    @Test
    void stale_under_fail_open_stays_ready_and_says_stale() {
        confirmedAt = clock.instant();
        clock.advance(MAX.plusSeconds(1));

        Readiness.Report r = readiness(true).report();

        assertThat(r.ready()).isTrue();
        assertThat(r.checks()).containsEntry("revocationFeed", "stale").containsEntry("stalenessSeconds", 31.0);
    }

    @Test
    void an_issuer_without_keys_keeps_a_fresh_sidecar_not_ready() {
        confirmedAt = clock.instant();
        remoteKeys = null;

        Readiness.Report r = readiness(true).report();

        assertThat(r.ready()).isFalse();
        assertThat(r.checks()).containsEntry("keys", Map.of("https://a.example", "remote: no keys yet"));
    }

    @Test
    void the_report_lists_freshness_then_the_feed_figures_then_the_keys() {
        confirmedAt = clock.instant();

        assertThat(readiness(false).report().checks().keySet())
                .containsExactly("revocationFeed", "stalenessSeconds", "recordsConsumed", "keys");
    }

    @Test
    void a_degraded_signal_source_is_named_and_the_sidecar_stays_ready() {
        confirmedAt = clock.instant();
        RevocationFreshness freshness = new RevocationFreshness(() -> true,
                () -> Duration.between(confirmedAt, clock.instant()), MAX, false);
        Map<String, ReadinessCheck.SourceState> sources = new LinkedHashMap<>();
        sources.put("ssf_poll https://idp.example", new ReadinessCheck.SourceState(false, "degraded: connection refused"));
        ReadinessCheck check = new ReadinessCheck(freshness, List.of(issuer("https://a.example", remote)), Map::of,
                () -> sources);

        Readiness.Report r = check.report();

        assertThat(r.ready()).isTrue();
        assertThat(r.checks()).containsEntry("signalSources",
                Map.of("ssf_poll https://idp.example", "degraded: connection refused"));
        assertThat(r.checks()).containsEntry("degradedSources", List.of("ssf_poll https://idp.example"));
    }
}
