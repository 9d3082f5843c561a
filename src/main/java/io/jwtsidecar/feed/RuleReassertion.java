package io.jwtsidecar.feed;

import io.jwtsidecar.logging.LogSafe;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.EventSignatureCheck;
import io.jwtsidecar.revocation.KeyState;
import io.jwtsidecar.revocation.Provenance;
import io.jwtsidecar.revocation.PublisherKey;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import io.jwtsidecar.revocation.RestoreMark;
import io.jwtsidecar.revocation.Rule;
import io.jwtsidecar.revocation.RuleKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the revocation topic saying what the sidecars enforce, so a sidecar that starts from an
 * empty store and reads the topic ends up with every rule the others hold. Compaction keeps only
 * the newest record of each rule key, and retention drops old ones; three things can make the
 * topic lose a rule the stores still hold, and this re-publishes the rule (or the restore)
 * whenever it finds one:
 * <ul>
 *   <li>the newest record of a key does not give the stored state by itself: a weaker or replayed
 *       event (which the stores ignored) or a partial one ({@link Provenance#current()} false);</li>
 *   <li>the newest record is unsigned while this sidecar signs, or signed by a retired publisher
 *       key, or is a revoke signed by a key marked compromised or no longer trusted at all: a
 *       sidecar requiring signatures would dead-letter it. A restore signed by a compromised or
 *       removed key is not re-signed: a forged lift must not be laundered into a trusted one; it is
 *       logged for an operator instead;</li>
 *   <li>a rule or mark that outlives the retention of its newest record (a permanent one of
 *       scope {@code kid}, a long ban, or one whose record carries an old timestamp) was last
 *       asserted longer ago than {@code renewAfter}: retention would drop the record while the
 *       rule still matters. The topic keeps a record at least {@code retention} after its
 *       timestamp; a rule is asserted again once half a lifetime passed if it would live longer
 *       than {@code retention - renewAfter} after its record, so with passes much more frequent
 *       than {@code renewAfter} some record of it is always on the topic.</li>
 * </ul>
 * Runs only on sidecars with an admin API (they can publish), only while their own feed is
 * fresh (a lagging store would re-publish what newer events already changed), at most
 * {@code maxPerPass} events per pass. Re-published events keep the rule's times, so they merge as
 * repeats everywhere; several admin sidecars doing the same at once is harmless.
 *
 * <p>Owns one daemon thread; {@link #close()} stops it.
 */
public final class RuleReassertion implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RuleReassertion.class);
    private static final int IN_FLIGHT = 100;

    private final RocksDbRevocationStore store;
    private final Function<RevocationEvent, CompletableFuture<PublishReceipt>> publish;
    private final EventSignatureCheck signatures;
    private final String signerKid;
    private final ToLongFunction<String> lifetimeSeconds;
    private final BooleanSupplier fresh;
    private final Clock clock;
    private final Duration interval;
    private final Duration renewAfter;
    private final Duration retention;
    private final int maxPerPass;
    /** What the last pass found, by reason (the operators' signal that a re-signing is done). */
    private final AtomicIntegerArray lastPass =
            new AtomicIntegerArray(Reason.values().length);
    private final String actor;
    private final ScheduledExecutorService thread;
    /**
     * When this sidecar last renewed a permanent key, by its own clock: a renewal's record carries
     * the broker's or producer's time, and a sidecar clock ahead of it by more than
     * {@code renewAfter} must not renew on every pass. Bounded by the permanent rules and marks.
     */
    private final Map<RuleKey, Long> renewedAt = new ConcurrentHashMap<>();

    /** Why a key is re-published. */
    public enum Reason {
        NOT_CURRENT, RESIGN, RENEW;

        /** The label in metrics and in the event's reason ({@code reassert:<label>}). */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param publish         puts an event on the topic; completes when Kafka acknowledged it
     * @param signerKid       the key this sidecar signs with, or {@link Provenance#UNSIGNED}
     * @param lifetimeSeconds an issuer's maximum token lifetime in seconds (the event expiry older
     *                        releases read for permanent rules)
     * @param fresh           whether this sidecar's own feed is caught up and fresh
     * @param renewAfter      the age after which a rule or mark that outlives its record is asserted again
     * @param retention       how long the topic keeps a record at least (twice the longest token
     *                        lifetime, as {@code topic create} makes it and {@code topic check} asks)
     */
    public RuleReassertion(RocksDbRevocationStore store, Function<RevocationEvent, CompletableFuture<PublishReceipt>> publish,
                           EventSignatureCheck signatures, String signerKid, ToLongFunction<String> lifetimeSeconds,
                           BooleanSupplier fresh, Clock clock, Duration interval, Duration renewAfter, Duration retention,
                           int maxPerPass, String sidecarId) {
        this.store = store;
        this.publish = publish;
        this.signatures = signatures;
        this.signerKid = signerKid;
        this.lifetimeSeconds = lifetimeSeconds;
        this.fresh = fresh;
        this.clock = clock;
        this.interval = interval;
        this.renewAfter = renewAfter;
        this.retention = retention;
        this.maxPerPass = maxPerPass;
        this.actor = "jwt-sidecar:" + sidecarId;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rule-reassertion");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::runQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Why a stored state must be published again, or null when the topic already says it. */
    @Nullable Reason reason(KeyState s, long nowMillis) {
        Provenance p = s.provenance();
        Rule rule = s.rule();
        RestoreMark mark = s.mark();
        boolean live = rule != null || (mark != null && mark.expiresAt() >= nowMillis / 1000);
        if (p == null || !live) {
            return null;
        }
        if (!p.current()) {
            return Reason.NOT_CURRENT;
        }
        if (!signerKid.equals(Provenance.UNSIGNED) && !p.signer().equals(signerKid)
                && !signatures.isCurrentSigner(p.signer())) {
            PublisherKey.Trust trust = signatures.trustOf(p.signer());
            boolean distrusted = !p.signer().equals(Provenance.UNSIGNED)
                    && (trust == null || trust == PublisherKey.Trust.COMPROMISED);
            if (!distrusted || s.rule() != null) {
                return Reason.RESIGN;
            }
            log.warn("the restore of {} (at {}) was last signed by publisher key '{}', which is {}; it is not re-signed: "
                    + "check it, and restore the rule again if the lift was meant", s.key(), mark == null ? "?" : mark.at(),
                    LogSafe.text(p.signer()), trust == null ? "no longer trusted" : "marked compromised");
            return null;
        }
        long expiresAt = rule != null ? rule.expiresAt() : mark != null ? mark.expiresAt() : Rule.PERMANENT;
        long assertedAt = Math.max(p.recordMillis(), renewedAt.getOrDefault(s.key(), Long.MIN_VALUE));
        boolean outlivesRecord = expiresAt == Rule.PERMANENT
                || expiresAt > (assertedAt + retention.toMillis() - renewAfter.toMillis()) / 1000;
        if (outlivesRecord && nowMillis - assertedAt > renewAfter.toMillis()) {
            return Reason.RENEW;
        }
        return null;
    }

    /** The event that asserts a state again, with its times. */
    RevocationEvent event(KeyState s, Reason reason, long nowSeconds) {
        RuleKey key = s.key();
        String why = "reassert:" + reason.name().toLowerCase(Locale.ROOT);
        if (s.rule() != null) {
            Rule r = s.rule();
            long expiresAt = r.permanent() ? legacyExpiry(key, r.at(), nowSeconds) : r.expiresAt();
            return new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE, key, r.at(), expiresAt,
                    why, actor);
        }
        RestoreMark mark = Objects.requireNonNull(s.mark(), "a state to reassert has a rule or a mark");
        long expiresAt = mark.expiresAt() == Rule.PERMANENT ? legacyExpiry(key, mark.at(), nowSeconds)
                : mark.expiresAt();
        return new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.RESTORE, key, mark.at(),
                expiresAt, why, actor);
    }

    /** A permanent state's event still carries an expiry for older releases: a lifetime from now. */
    private long legacyExpiry(RuleKey key, long at, long nowSeconds) {
        return Math.min(EventCodec.MAX_EPOCH_SECONDS, Math.max(at, nowSeconds) + lifetimeSeconds.applyAsLong(key.issuer()));
    }

    /**
     * One pass over the store.
     *
     * @return how many events were re-published
     */
    public int runOnce() throws InterruptedException {
        if (!fresh.getAsBoolean()) {
            log.debug("rule re-assertion skipped: this sidecar's revocation data is not fresh");
            return 0;
        }
        long now = clock.millis();
        List<RevocationEvent> events = new ArrayList<>();
        List<Reason> reasons = new ArrayList<>();
        int[] counts = new int[Reason.values().length];
        store.forEachState(s -> {
            Reason r = events.size() < maxPerPass ? reason(s, now) : null;
            if (r != null) {
                events.add(event(s, r, now / 1000));
                reasons.add(r);
                counts[r.ordinal()]++;
            }
        });
        int published = 0;
        for (int from = 0; from < events.size(); from += IN_FLIGHT) {
            List<CompletableFuture<PublishReceipt>> sent = new ArrayList<>();
            int to = Math.min(events.size(), from + IN_FLIGHT);
            for (RevocationEvent e : events.subList(from, to)) {
                sent.add(publish.apply(e));
            }
            for (int i = from; i < to; i++) {
                try {
                    sent.get(i - from).get(30, TimeUnit.SECONDS);
                    published++;
                    if (reasons.get(i) == Reason.RENEW) {
                        renewedAt.put(events.get(i).key(), now);
                    }
                } catch (ExecutionException | TimeoutException e) {
                    log.warn("re-publishing a revocation rule failed (retried next pass): {}", e.toString());
                }
            }
        }
        // Only permanent states are renewed; forget restored keys so the map stays as small as they are.
        renewedAt.keySet().removeIf(k -> store.state(k).isEmpty());
        for (Reason r : Reason.values()) {
            lastPass.set(r.ordinal(), counts[r.ordinal()]);
        }
        if (!events.isEmpty()) {
            log.info("re-published {} rules the topic would otherwise lose ({} not current, {} re-signed, {} renewed)",
                    published, counts[Reason.NOT_CURRENT.ordinal()], counts[Reason.RESIGN.ordinal()],
                    counts[Reason.RENEW.ordinal()]);
        }
        return published;
    }

    /** How many keys the last pass found to re-publish for {@code reason} (0 once the topic says everything). */
    public int lastPass(Reason reason) {
        return lastPass.get(reason.ordinal());
    }

    private void runQuietly() {
        try {
            runOnce();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("rule re-assertion failed; will retry in {}", interval, e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
