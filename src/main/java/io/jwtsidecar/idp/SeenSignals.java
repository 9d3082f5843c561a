package io.jwtsidecar.idp;

import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The replay cache of signal ids: a {@code jti} is accepted once per signer while its signal could
 * still be accepted, and is forgotten after that (a replay later is refused by its age anyway).
 *
 * <p>Bounded: at {@code capacity} ids the oldest is dropped and counted ({@link #evictions()}), so
 * a flood cannot exhaust memory. A signal replayed after its id was dropped maps to the same event
 * id and rule time ({@link IdpRevocation#eventId()}), which the store applies as a no-op; the bound
 * costs a second publication, never a rule that was lifted coming back.
 *
 * <p>An id is held by a {@link Claim} while its signal is being published, and released when
 * publishing fails, so that a provider retrying after a 5xx is not refused as a replay.
 * Thread-safe: the receivers run on several event loops.
 */
public final class SeenSignals {
    private final int capacity;
    private final Clock clock;
    /** Id → epoch second after which it is forgotten; insertion order is roughly expiry order. */
    private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();
    private final AtomicLong evictions = new AtomicLong();

    /** @param clock whose seconds the expiry times are in */
    public SeenSignals(int capacity, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.clock = clock;
    }

    /** A held id: {@link #release()} it when the signal was not taken after all. */
    public final class Claim {
        private final String id;

        private Claim(String id) {
            this.id = id;
        }

        /** Forgets the id, so the same signal may come again (its publication failed). */
        public void release() {
            synchronized (SeenSignals.this) {
                seen.remove(id);
            }
        }
    }

    /**
     * Claims {@code signalId} of {@code signer} until {@code forgetAfter} (epoch seconds).
     *
     * @return the claim, or empty when the id was seen and not yet forgotten: a replay
     */
    public synchronized Optional<Claim> claim(String signer, String signalId, long forgetAfter) {
        long now = clock.instant().getEpochSecond();
        dropExpired(now);
        String id = signer + '\u0000' + signalId;
        Long until = seen.get(id);
        if (until != null && until >= now) {
            return Optional.empty();
        }
        if (seen.size() >= capacity) {
            Iterator<Map.Entry<String, Long>> oldest = seen.entrySet().iterator();
            oldest.next();
            oldest.remove();
            evictions.incrementAndGet();
        }
        seen.put(id, forgetAfter);
        return Optional.of(new Claim(id));
    }

    /** Ids held now. */
    public synchronized int size() {
        return seen.size();
    }

    /** Ids dropped before their time because the cache was full. */
    public long evictions() {
        return evictions.get();
    }

    private void dropExpired(long now) {
        Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() >= now) {
                return; // roughly in expiry order: stop at the first live one, the rest go later
            }
            it.remove();
        }
    }
}
