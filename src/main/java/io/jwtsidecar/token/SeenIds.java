package io.jwtsidecar.token;

import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded replay cache of ids ({@code jti}s): an id is accepted once per signer while what it
 * names could still be accepted, and is forgotten after that (a replay later is refused by its age
 * anyway). Shared by the identity-provider signal receivers and the DPoP proof check (it lives
 * here, beside the verifier, so that {@code token} depends on no other package).
 *
 * <p>Bounded: at {@code capacity} ids the oldest is dropped and counted ({@link #evictions()}), so
 * a flood cannot exhaust memory. For signals, a signal replayed after its id was dropped maps to the
 * same event id and rule time, which the store applies as a no-op; the bound costs a second
 * publication, never a rule that was lifted coming back. For DPoP proofs, only proofs good in
 * every other way (signed by the key a live token is bound to) take a place, so only the holder of
 * that key can flood it; a proof whose id was dropped could be replayed within its window, which
 * {@link #evictions()} counts (the verifier holds one 60 s window of proofs at 1,000 a second).
 *
 * <p>An id is held by a {@link Claim} while its signal is being published, and released when
 * publishing fails, so that a provider retrying after a 5xx is not refused as a replay.
 * Thread-safe: the receivers and verifiers run on several event loops.
 */
public final class SeenIds {
    private final int capacity;
    private final Clock clock;
    /** Id → its claim; insertion order is roughly expiry order. */
    private final LinkedHashMap<String, Claim> seen = new LinkedHashMap<>();
    private final AtomicLong evictions = new AtomicLong();

    /** @param clock whose seconds the expiry times are in */
    public SeenIds(int capacity, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.clock = clock;
    }

    /** A held id: {@link #release()} it when the signal was not taken after all. */
    public final class Claim {
        private final String id;
        private final long forgetAfter;

        private Claim(String id, long forgetAfter) {
            this.id = id;
            this.forgetAfter = forgetAfter;
        }

        /**
         * Forgets the id, so the same signal may come again (its publication failed); only while this
         * claim holds it, never a later claim of the same id made after this one was dropped.
         */
        public void release() {
            synchronized (SeenIds.this) {
                seen.remove(id, this);
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
        Claim held = seen.get(id);
        if (held != null && held.forgetAfter >= now) {
            return Optional.empty();
        }
        if (held == null && seen.size() >= capacity) {
            Iterator<Map.Entry<String, Claim>> oldest = seen.entrySet().iterator();
            oldest.next();
            oldest.remove();
            evictions.incrementAndGet();
        }
        Claim claim = new Claim(id, forgetAfter);
        seen.put(id, claim);
        return Optional.of(claim);
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
        Iterator<Map.Entry<String, Claim>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue().forgetAfter >= now) {
                return; // roughly in expiry order: stop at the first live one, the rest go later
            }
            it.remove();
        }
    }
}
