package io.jwtsidecar.bench;

import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.StoreBatch;
import io.jwtsidecar.revocation.TokenFacts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The revocation store at scale, all on the one store of {@code rules} live rules (ten million
 * by default). The populated store is kept under {@code target/bench-store-<rules>} between runs:
 * filling ten million rules takes minutes.
 *
 * <ul>
 *   <li>{@link #negativeCheck}: {@code isRevoked} of a token nobody revoked, carrying all six
 *       scope values (jti, sid, sub, client, kid, issuer). {@code allScopes=false}: the rules are
 *       all of scope sub, so the check probes the Bloom index once and skips the other scopes.
 *       {@code allScopes=true}: one rule of every other scope is added too (for other values, and
 *       the issuer rule for another issuer, so the token stays unrevoked), and the check probes
 *       all six scope values, the worst case. Setup fails if the token is found revoked.</li>
 *   <li>{@link #negativeCheckGuava}: the same check as the store did it with Guava's Bloom filter
 *       (the baseline, see {@link GuavaIndexCheck}), holding the same keys, in the same run.</li>
 *   <li>{@link #positiveCheck}: a revoked subject: Bloom hit, then the RocksDB read that confirms
 *       the rule.</li>
 *   <li>{@link #applyBatch}: a feed batch of 10,000 events applied to the ten-million-rule store
 *       (rules, offsets, Bloom in one {@code WriteBatch}); each event renews the rule of a random
 *       existing subject with a later expiry, a real write, so the store does not grow between
 *       runs. Score per event.</li>
 * </ul>
 */
@State(Scope.Benchmark)
public class RevocationStoreBenchmark {
    static final String ISSUER = "https://issuer.bench";
    static final String OTHER_ISSUER = "https://other-issuer.bench";
    static final long AT = 1_800_000_000L;
    private static final int BATCH = 10_000;

    @Param("10000000")
    public int rules;

    /**
     * false: the ten million rules are all of scope sub, so a check skips the other scopes
     * (the common case). true: one rule of every other scope is added too, so a negative check
     * probes the Bloom filter for all six scope values of the token (the worst case).
     */
    @Param({"false", "true"})
    public boolean allScopes;

    private static final RevocationScope[] OTHERS = {RevocationScope.JTI, RevocationScope.SID, RevocationScope.CLIENT,
            RevocationScope.KID, RevocationScope.ISSUER};

    private RocksDbRevocationStore store;
    private long applyOffset;

    /** Opens the populated store, filling it first if this is the first run for this size. */
    @Setup(Level.Trial)
    public void open() throws Exception {
        Path dir = Path.of("target", "bench-store-" + rules);
        Path done = dir.resolve("POPULATED");
        store = RocksDbRevocationStore.open(dir, rules, 0.001);
        if (!Files.exists(done)) {
            populate(store, rules);
            Files.writeString(done, "ok");
        }
        if (allScopes) {
            store.apply(StoreBatch.of("bench-extra", others(RevocationEvent.Type.REVOKE), Map.of(0, 1L), AT));
        }
        if (store.isRevoked(unrevoked(), 30)) {
            throw new IllegalStateException("the negative check's token is revoked: the benchmark would not measure a miss");
        }
        if (!store.isRevoked(revoked(), 30)) {
            throw new IllegalStateException("the positive check's token is not revoked");
        }
    }

    static void populate(RocksDbRevocationStore store, int rules) {
        List<RevocationEvent> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < rules; i++) {
            batch.add(revoke("user-" + i));
            if (batch.size() == BATCH || i == rules - 1) {
                store.apply(StoreBatch.of("bench", batch, Map.of(0, (long) i + 1), AT));
                batch.clear();
            }
        }
    }

    static RevocationEvent revoke(String subject) {
        return revoke(subject, AT);
    }

    /** A day-long revoke of {@code subject} at {@code at}. */
    static RevocationEvent revoke(String subject, long at) {
        return revoke(subject, at, at + 86_400);
    }

    static RevocationEvent revoke(String subject, long at, long expiresAt) {
        return new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                new RuleKey(RevocationScope.SUB, ISSUER, subject), at, expiresAt, "bench", "bench");
    }

    /** One rule of every scope but sub, none of which matches a benchmark token (the issuer rule names another issuer). */
    static List<RevocationEvent> others(RevocationEvent.Type type) {
        List<RevocationEvent> events = new ArrayList<>();
        for (RuleKey key : otherKeys()) {
            events.add(new RevocationEvent(UUID.randomUUID().toString(), type, key, AT, AT + 86_400, "bench", "bench"));
        }
        return events;
    }

    static List<RuleKey> otherKeys() {
        List<RuleKey> keys = new ArrayList<>();
        for (RevocationScope scope : OTHERS) {
            keys.add(scope == RevocationScope.ISSUER ? new RuleKey(scope, OTHER_ISSUER, "")
                    : new RuleKey(scope, ISSUER, "someone"));
        }
        return keys;
    }

    /** A token nobody revoked, with all six scope values. */
    static TokenFacts unrevoked() {
        String v = "nobody-" + ThreadLocalRandom.current().nextInt(1_000_000_000);
        return new TokenFacts(ISSUER, v, v, v, v, List.of(v), null, AT - 10);
    }

    TokenFacts revoked() {
        String sub = "user-" + ThreadLocalRandom.current().nextInt(rules);
        return new TokenFacts(ISSUER, null, null, sub, null, null, null, AT - 10);
    }

    @TearDown(Level.Trial)
    public void close() {
        if (allScopes) {
            // Leave the shared store as it was: the extra rules go, and the index forgets their scopes.
            store.apply(StoreBatch.of("bench-extra", others(RevocationEvent.Type.RESTORE), Map.of(0, 2L), AT));
            store.rebuildIndex();
        }
        store.close();
    }

    /**
     * The next feed batch: ten thousand renewals of random existing rules, each with an expiry
     * later than any before it. A state of its own, so that its per-invocation setup runs for
     * {@link #applyBatch} only.
     */
    @State(Scope.Thread)
    public static class Renewals {
        private long renewals;
        private List<RevocationEvent> events = List.of();

        @Setup(Level.Invocation)
        public void next(RevocationStoreBenchmark bench) {
            renewals++;
            List<RevocationEvent> next = new ArrayList<>(BATCH);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < BATCH; i++) {
                next.add(revoke("user-" + random.nextInt(bench.rules), AT, AT + 86_400 + renewals));
            }
            events = next;
        }
    }

    /** A token nobody revoked: a Bloom probe per scope that has rules, no RocksDB read (unless a false positive). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public boolean negativeCheck() {
        return store.isRevoked(unrevoked(), 30);
    }

    /** The same with Guava's filter, as the store checked before its own filter: the baseline. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public boolean negativeCheckGuava(GuavaIndexCheck guava) {
        return guava.isRevoked(store, unrevoked(), 30);
    }

    /** A revoked subject: Bloom hit, then the RocksDB read that confirms the rule. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public boolean positiveCheck() {
        return store.isRevoked(revoked(), 30);
    }

    /** Applying one feed batch of 10,000 events to the ten-million-rule store in one WriteBatch; score per event. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @OperationsPerInvocation(BATCH)
    public void applyBatch(Renewals renewals) {
        applyOffset += BATCH;
        store.apply(StoreBatch.of("bench-apply", renewals.events, Map.of(0, applyOffset), AT));
    }
}
