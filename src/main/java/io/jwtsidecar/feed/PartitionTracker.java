package io.jwtsidecar.feed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which partitions of the revocation topic the feed reads, against how many the brokers say
 * exist. Partitions can be added to a live topic at any time; the feed asks for the count every
 * {@code interval} and starts reading new partitions from their beginning.
 *
 * <p>{@link #confirmedAtNanos()} is the last moment the feed knew it was assigned every partition
 * that existed: a freshness confirmation can never be newer than it ({@link Freshness}), so a
 * sidecar never reports fresh data for a moment when a partition existed that it did not read.
 * A count below the assigned one (the topic was deleted and created again) is never confirmed:
 * the data goes stale until an operator restarts the sidecar on an empty store.
 *
 * <p>Times are monotonic nanoseconds from the caller's clock. The feed thread calls
 * {@link #checkDue}, {@link #learn} and {@link #failed}; {@link #view} is safe from any thread.
 */
final class PartitionTracker {
    static final long NEVER = Long.MIN_VALUE;

    private final Duration interval;
    private final Duration retry;
    private final SortedSet<Integer> assigned = new TreeSet<>(); // guarded by this
    private int existing = -1; // guarded by this; -1 before the first answer
    private long confirmedAtNanos = NEVER; // guarded by this
    private long nextCheckNanos;
    private boolean checked;

    /** What the feed reads against what exists. */
    record View(int assigned, int existing, long confirmedAtNanos) {
    }

    /**
     * @param interval how often to ask for the partition count
     * @param retry    how soon to ask again after a failed or empty answer
     */
    PartitionTracker(Duration interval, Duration retry) {
        this.interval = interval;
        this.retry = retry;
    }

    boolean checkDue(long nowNanos) {
        return !checked || nowNanos - nextCheckNanos >= 0;
    }

    /**
     * The brokers said the topic has {@code count} partitions (0: it does not exist) as of {@code nowNanos}.
     *
     * @return the partitions to start reading, in order; the caller assigns them at once
     */
    synchronized List<Integer> learn(long nowNanos, int count) {
        checked = true;
        nextCheckNanos = nowNanos + (count == 0 ? retry : interval).toNanos();
        existing = count;
        List<Integer> added = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            if (assigned.add(p)) {
                added.add(p);
            }
        }
        if (count > 0 && count >= assigned.size()) {
            confirmedAtNanos = nowNanos;
        }
        return added;
    }

    /** The brokers could not be asked; try again soon (meanwhile freshness cannot move past the last answer). */
    synchronized void failed(long nowNanos) {
        checked = true;
        nextCheckNanos = nowNanos + retry.toNanos();
    }

    synchronized List<Integer> assigned() {
        return List.copyOf(assigned);
    }

    /** The last moment every existing partition was known to be assigned, or {@link #NEVER}. */
    synchronized long confirmedAtNanos() {
        return confirmedAtNanos;
    }

    synchronized View view() {
        return new View(assigned.size(), existing, confirmedAtNanos);
    }
}
