package io.jwtsidecar.app;

import io.jwtsidecar.http.Readiness;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * When {@code /health/live} fails: the store has refused every write for
 * {@link #STORE_FAILURE_LIMIT} or longer. RocksDB stays in its error state after a failed log
 * append (a full disk), and reopening it, i.e. a restart, is the way out. Meanwhile the sidecar
 * is stale, so fail-closed answers 503.
 */
final class LivenessCheck implements Readiness {
    static final Duration STORE_FAILURE_LIMIT = Duration.ofSeconds(10);

    private final Supplier<Duration> storeFailingFor;

    /** @param storeFailingFor how long the store has been refusing every write, or zero */
    LivenessCheck(Supplier<Duration> storeFailingFor) {
        this.storeFailingFor = storeFailingFor;
    }

    @Override
    public Report report() {
        Duration failing = storeFailingFor.get();
        return new Report(failing.compareTo(STORE_FAILURE_LIMIT) < 0,
                Map.of("storeFailingSeconds", failing.toMillis() / 1000.0));
    }
}
