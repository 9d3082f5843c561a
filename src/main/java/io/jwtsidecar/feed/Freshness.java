package io.jwtsidecar.feed;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * How current the feed's data is, measured with offsets and a monotonic clock.
 *
 * <p>Every {@code checkInterval} the feed asks the brokers for the log end offsets of every
 * partition it reads (a third of {@code revocation.maxStaleness} by default, so that a quiet topic
 * is confirmed well inside it; a failed check is asked again after {@code retry}). The data is
 * confirmed current as of the moment of a check once the feed's positions have reached that
 * check's end offsets: at once on a quiet topic, a little later on a busy one (the check stays
 * open until the feed has read past what was there when it asked, so a steady stream never
 * keeps it from confirming). The moment is also never later than the
 * {@link PartitionTracker}'s last confirmation that every existing partition was being read.
 * {@link #staleness} is the time since the last confirmed moment; the first confirmation is
 * the first catch-up ({@link #caughtUp()}).
 *
 * <p>{@link #lag()} is taken from each check, and between checks from the consumer's own view of
 * the partitions it received records of ({@link #lags}), which costs no request.
 *
 * <p>Times are monotonic nanoseconds from the caller's clock. The feed thread calls
 * {@link #checkDue}, {@link #ended}, {@link #failed}, {@link #positions} and {@link #lags}; the
 * getters are safe from any thread.
 */
final class Freshness {
    static final long NEVER = Long.MIN_VALUE;

    private final Duration checkInterval;
    private final Duration retry;
    /** The last known lag of each partition; feed thread only. */
    private final Map<Integer, Long> lags = new HashMap<>();
    private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    private volatile long lastConfirmedNanos = NEVER;
    private volatile long lag = -1;
    private boolean checked;
    private long nextCheckNanos;
    /** The end offsets of the open check, and the moment it speaks for; null when none is open. */
    private @Nullable Map<Integer, Long> openEnds;
    private long openAsOfNanos;

    /**
     * @param checkInterval how often to ask for the end offsets
     * @param retry         how soon to ask again after a failed check: waiting a whole interval would
     *                      let one lost answer age the data by two
     */
    Freshness(Duration checkInterval, Duration retry) {
        this.checkInterval = checkInterval;
        this.retry = retry.compareTo(checkInterval) < 0 ? retry : checkInterval;
    }

    /** Whether the feed should ask for the end offsets now (no check is open and the interval passed). */
    boolean checkDue(long nowNanos) {
        return openEnds == null && (!checked || nowNanos - nextCheckNanos >= 0);
    }

    /**
     * The brokers gave the end offsets at {@code nowNanos}.
     *
     * @param ends                       partition → log end offset
     * @param positions                  partition → the feed's position (next offset to read)
     * @param partitionsConfirmedAtNanos {@link PartitionTracker#confirmedAtNanos()}
     */
    void ended(long nowNanos, Map<Integer, Long> ends, Map<Integer, Long> positions, long partitionsConfirmedAtNanos) {
        checked = true;
        nextCheckNanos = nowNanos + checkInterval.toNanos();
        lags.clear();
        for (Map.Entry<Integer, Long> e : ends.entrySet()) {
            lags.put(e.getKey(), Math.max(0, e.getValue() - positions.getOrDefault(e.getKey(), 0L)));
        }
        lag = sum(lags);
        if (partitionsConfirmedAtNanos == PartitionTracker.NEVER || ends.isEmpty()) {
            return;
        }
        long asOf = partitionsConfirmedAtNanos - nowNanos < 0 ? partitionsConfirmedAtNanos : nowNanos;
        if (reached(ends, positions)) {
            confirm(asOf);
        } else {
            openEnds = Map.copyOf(ends);
            openAsOfNanos = asOf;
        }
    }

    /** The end offsets could not be read: freshness ages until a later check succeeds. */
    void failed(long nowNanos) {
        checked = true;
        nextCheckNanos = nowNanos + retry.toNanos();
    }

    /**
     * The consumer's lag on some partitions (from the last stable offsets its fetch responses
     * carried): replaces those partitions' lag from the last check. Ignored before the first check,
     * which names every partition.
     */
    void lags(Map<Integer, Long> partitionLags) {
        if (lags.isEmpty() || partitionLags.isEmpty()) {
            return;
        }
        partitionLags.forEach((p, l) -> lags.put(p, Math.max(0, l)));
        lag = sum(lags);
    }

    private static long sum(Map<Integer, Long> lags) {
        long sum = 0;
        for (long l : lags.values()) {
            sum += l;
        }
        return sum;
    }

    /** The feed's positions moved (or may have): closes the open check once they reach its ends. */
    void positions(Map<Integer, Long> positions) {
        if (openEnds != null && reached(openEnds, positions)) {
            confirm(openAsOfNanos);
            openEnds = null;
        }
    }

    /** Whether an end-offset check is waiting for the feed to read up to it. */
    boolean checkOpen() {
        return openEnds != null;
    }

    private void confirm(long asOfNanos) {
        long last = lastConfirmedNanos;
        if (last == NEVER || asOfNanos - last > 0) {
            lastConfirmedNanos = asOfNanos;
        }
        caughtUp.complete(null);
    }

    private static boolean reached(Map<Integer, Long> ends, Map<Integer, Long> positions) {
        for (Map.Entry<Integer, Long> e : ends.entrySet()) {
            Long position = positions.get(e.getKey());
            if (position == null || position < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Completes at the first confirmation. */
    CompletableFuture<Void> caughtUp() {
        return caughtUp;
    }

    /**
     * The time since the last confirmed moment; {@link Duration#ofSeconds(long) Long.MAX_VALUE}
     * seconds before the first.
     */
    Duration staleness(long nowNanos) {
        long confirmed = lastConfirmedNanos;
        return confirmed == NEVER ? Duration.ofSeconds(Long.MAX_VALUE) : Duration.ofNanos(nowNanos - confirmed);
    }

    /** Records between the positions and the log ends, summed, as last seen; -1 before the first check. */
    long lag() {
        return lag;
    }
}
