package io.jwtsidecar.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /health/live fails once the store has refused every write for the limit. */
class LivenessCheckTest {

    @Test
    void live_just_under_the_limit_and_not_live_at_it() {
        Duration limit = LivenessCheck.STORE_FAILURE_LIMIT;

        assertThat(new LivenessCheck(() -> limit.minusMillis(1)).report().ready()).isTrue();
        assertThat(new LivenessCheck(() -> limit).report().ready()).isFalse();
    }

    @Test
    void a_store_that_writes_is_live_and_reports_zero() {
        var report = new LivenessCheck(() -> Duration.ZERO).report();

        assertThat(report.ready()).isTrue();
        assertThat(report.checks()).isEqualTo(Map.of("storeFailingSeconds", 0.0));
    }
}
