package io.jwtsidecar.feed;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * How far the feed has applied each partition, when each last advanced, and the callers waiting
 * for an offset to be applied (the admin API's answer waits here for its own event). Thread-safe:
 * the feed's thread advances it, request threads read it and wait on it.
 */
final class AppliedOffsets {
    /** Guards every field below. */
    private final Object lock = new Object();
    private final Map<Integer, Long> next = new HashMap<>();
    private final Map<Integer, Long> advancedAt = new HashMap<>();
    private final List<Waiter> waiters = new ArrayList<>();

    private record Waiter(int partition, long offset, CompletableFuture<Void> done) {
    }

    /**
     * Completes once the record at {@code offset} of {@code partition} is applied (at once if it
     * already is). Callers add their own timeout; a waiter completed or cancelled by them is dropped.
     */
    CompletableFuture<Void> whenApplied(int partition, long offset) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Waiter w = new Waiter(partition, offset, done);
        synchronized (lock) {
            if (next.getOrDefault(partition, 0L) > offset) {
                done.complete(null);
                return done;
            }
            waiters.add(w);
        }
        done.whenComplete((v, e) -> {
            synchronized (lock) {
                waiters.remove(w);
            }
        });
        return done;
    }

    /**
     * Records the next offset to apply per partition after a batch; a partition that moved
     * forward gets {@code nowMillis} as its time of last advance. Offsets never move back.
     */
    void advance(Map<Integer, Long> nextOffsets, long nowMillis) {
        List<Waiter> ready = new ArrayList<>();
        synchronized (lock) {
            nextOffsets.forEach((partition, offset) -> {
                long before = next.getOrDefault(partition, -1L);
                if (offset > before) {
                    next.put(partition, offset);
                    advancedAt.put(partition, nowMillis);
                }
            });
            for (Waiter w : waiters) {
                if (next.getOrDefault(w.partition(), 0L) > w.offset()) {
                    ready.add(w);
                }
            }
        }
        // Completed outside the lock: completion runs callers' code.
        ready.forEach(w -> w.done().complete(null));
    }

    /** Next offset to apply per partition. */
    Map<Integer, Long> nextOffsets() {
        synchronized (lock) {
            return Map.copyOf(next);
        }
    }

    /** Wall-clock millis when each partition last advanced. */
    Map<Integer, Long> advancedAtMillis() {
        synchronized (lock) {
            return Map.copyOf(advancedAt);
        }
    }
}
