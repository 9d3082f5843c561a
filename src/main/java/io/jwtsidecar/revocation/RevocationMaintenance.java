package io.jwtsidecar.revocation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the store the size of the live revocations: every {@code interval} it deletes expired
 * rules and, when any were deleted or the live rules outgrew the Bloom index, rebuilds the
 * index from the store (swapped in without a gap; see {@link RocksDbRevocationStore}).
 *
 * <p>It also checkpoints the index ({@link RocksDbRevocationStore#checkpointIndex()}), so a start
 * after a crash reads only the write-ahead log written since instead of scanning every rule.
 * Every {@link #CHECK_PERIOD} it asks how far the database moved past the last checkpoint (one
 * counter read) and writes one when it moved at all and {@code checkpointInterval} has passed,
 * or at once when it moved by {@code checkpointAfterWrites} sequence numbers. The interval bounds
 * the tail of a quiet sidecar; the count bounds it during a replay, when a minute can bring
 * millions of events. Both bound the log an open reads, which must still be on disk: the store
 * keeps it for {@link RocksDbRevocationStore#DEFAULT_WAL_RETENTION}, twenty default intervals.
 * A checkpoint also follows every rebuild, which drops the stale bits the last one carried.
 *
 * <p>Owns one daemon thread. {@link #close()} stops it and waits for a running pass, so the
 * owner can close the store right after.
 */
public final class RevocationMaintenance implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RevocationMaintenance.class);
    /**
     * A quiet sidecar's checkpoint is at most this old. An 18 MB file (ten million rules) takes
     * tens of milliseconds to write, so twice a minute costs nothing, and the log after it is
     * small enough to read at start in well under a second.
     */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(30);
    /**
     * About 250,000 events (two sequence numbers each): a log tail read at start in a fraction
     * of a second, and during a replay of 126,000 events a second a checkpoint every two seconds
     * or so.
     */
    public static final long DEFAULT_CHECKPOINT_AFTER_WRITES = 500_000;
    /** How often the thread asks whether a checkpoint is due. */
    static final Duration CHECK_PERIOD = Duration.ofSeconds(1);

    private final RocksDbRevocationStore store;
    private final Clock clock;
    private final Duration interval;
    private final ScheduledExecutorService thread;
    private final Duration checkpointInterval;
    private final long checkpointAfterWrites;
    /** When this maintenance last wrote a checkpoint; null before its first. Maintenance thread only. */
    private @Nullable Instant lastCheckpoint;
    /** No attempt before this after a failed one; null when the last attempt did not fail. Maintenance thread only. */
    private @Nullable Instant retryAfter;

    /** With the default checkpoint interval and count. */
    public RevocationMaintenance(RocksDbRevocationStore store, Clock clock, Duration interval) {
        this(store, clock, interval, DEFAULT_CHECKPOINT_INTERVAL, DEFAULT_CHECKPOINT_AFTER_WRITES);
    }

    /**
     * @param interval between sweeps
     * @param checkpointInterval the longest a checkpoint lags a database that moved
     * @param checkpointAfterWrites sequence numbers past the last checkpoint that call for one at once
     */
    public RevocationMaintenance(RocksDbRevocationStore store, Clock clock, Duration interval,
                                 Duration checkpointInterval, long checkpointAfterWrites) {
        if (checkpointInterval.isNegative() || checkpointInterval.isZero() || checkpointAfterWrites <= 0) {
            throw new IllegalArgumentException("checkpoint interval and count must be positive: "
                    + checkpointInterval + ", " + checkpointAfterWrites);
        }
        this.store = store;
        this.clock = clock;
        this.interval = interval;
        this.checkpointInterval = checkpointInterval;
        this.checkpointAfterWrites = checkpointAfterWrites;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "revocation-maintenance");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        // An index loaded from a checkpoint the rules had outgrown is grown now, not a sweep interval later.
        long firstPass = store.indexOutgrown() ? 0 : interval.toMillis();
        thread.scheduleWithFixedDelay(this::runQuietly, firstPass, interval.toMillis(), TimeUnit.MILLISECONDS);
        thread.scheduleWithFixedDelay(this::checkpointQuietly, CHECK_PERIOD.toMillis(), CHECK_PERIOD.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Writes a checkpoint if one is due: the database moved since the last one, and either
     * {@code checkpointInterval} passed since this maintenance last wrote one (or it never has)
     * or the database moved by {@code checkpointAfterWrites} sequence numbers.
     *
     * @return whether a checkpoint was written
     */
    public boolean checkpointIfDue() {
        Instant now = clock.instant();
        Instant retry = retryAfter;
        if (retry != null && now.isBefore(retry)) {
            return false;
        }
        long behind = store.writesSinceCheckpoint();
        if (behind == 0) {
            return false;
        }
        Instant last = lastCheckpoint;
        if (behind < checkpointAfterWrites && last != null && now.isBefore(last.plus(checkpointInterval))) {
            return false;
        }
        checkpoint(now);
        return true;
    }

    private void checkpoint(Instant now) {
        long started = System.nanoTime();
        long sequence = store.checkpointIndex();
        lastCheckpoint = now;
        retryAfter = null;
        log.debug("revocation index checkpoint at sequence {} written in {} ms", sequence,
                (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * A failed checkpoint (a full disk, a closed store) is tried again a checkpoint interval later,
     * not at the next one-second check: a lasting failure costs one attempt and one log line per
     * interval, never a stack trace a second. The previous checkpoint stays usable meanwhile.
     */
    void checkpointQuietly() {
        try {
            checkpointIfDue();
        } catch (RuntimeException e) {
            retryAfter = clock.instant().plus(checkpointInterval);
            log.warn("revocation index checkpoint failed; trying again in {}: {}", checkpointInterval, e.toString());
        }
    }

    /** One pass: sweep, then rebuild if worthwhile. Returns the number of rules deleted. */
    public long runOnce() {
        long started = System.nanoTime();
        long deleted = store.sweepExpired(clock.instant().getEpochSecond());
        boolean outgrown = store.indexOutgrown();
        if (deleted > 0 || outgrown) {
            store.rebuildIndex();
            checkpoint(clock.instant());
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
