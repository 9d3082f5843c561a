package io.jwtsidecar.revocation;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the store the size of the live revocations: every {@code interval} it deletes expired
 * rules and, when any were deleted or the live rules outgrew the Bloom index, rebuilds the
 * index from the store (swapped in without a gap; see {@link RocksDbRevocationStore}).
 *
 * <p>Owns one daemon thread. {@link #close()} stops it and waits for a running pass, so the
 * owner can close the store right after.
 */
public final class RevocationMaintenance implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RevocationMaintenance.class);

    private final RocksDbRevocationStore store;
    private final Clock clock;
    private final Duration interval;
    private final ScheduledExecutorService thread;

    public RevocationMaintenance(RocksDbRevocationStore store, Clock clock, Duration interval) {
        this.store = store;
        this.clock = clock;
        this.interval = interval;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "revocation-maintenance");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::runQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass: sweep, then rebuild if worthwhile. Returns the number of rules deleted. */
    public long runOnce() {
        long started = System.nanoTime();
        long deleted = store.sweepExpired(clock.instant().getEpochSecond());
        boolean outgrown = store.indexOutgrown();
        if (deleted > 0 || outgrown) {
            store.rebuildIndex();
        }
        if (deleted > 0 || outgrown) {
            log.info("revocation store maintenance: {} expired rules deleted, index rebuilt{} in {} ms; {}", deleted,
                    outgrown ? " larger" : "", (System.nanoTime() - started) / 1_000_000, store.stats());
        }
        return deleted;
    }

    private void runQuietly() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.error("revocation store maintenance failed; will retry in {}", interval, e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
                log.warn("revocation store maintenance did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
