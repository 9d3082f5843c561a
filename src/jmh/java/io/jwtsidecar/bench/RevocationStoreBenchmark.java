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
 * The revocation store at scale: lookups with {@code rules} live rules (ten million by
 * default), and applying events. The populated store is kept under
 * {@code target/bench-store-<rules>} between runs: filling ten million rules takes minutes.
 *
 * <p>Every token checked carries all six scope values (jti, sid, sub, client, kid, issuer), so a
 * negative check is six Bloom probes, the worst case.
 */
@State(Scope.Benchmark)
public class RevocationStoreBenchmark {
    static final String ISSUER = "https://issuer.bench";
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
    private Path applyDir;
    private RocksDbRevocationStore applyStore;
    private long applyOffset;
    private List<RevocationEvent> applyEvents;

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
        applyDir = Files.createTempDirectory("bench-apply");
        applyStore = RocksDbRevocationStore.open(applyDir, rules, 0.001);
        applyEvents = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            applyEvents.add(revoke("apply-" + i));
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
        return new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                new RuleKey(RevocationScope.SUB, ISSUER, subject), at, at + 86_400, "bench", "bench");
    }

    private static List<RevocationEvent> others(RevocationEvent.Type type) {
        List<RevocationEvent> events = new ArrayList<>();
        for (RevocationScope scope : OTHERS) {
            events.add(new RevocationEvent(UUID.randomUUID().toString(), type,
                    new RuleKey(scope, ISSUER, scope == RevocationScope.ISSUER ? "" : "someone"), AT, AT + 86_400,
                    "bench", "bench"));
        }
        return events;
    }

    @TearDown(Level.Trial)
    public void close() {
        if (allScopes) {
            // Leave the shared store as it was: the extra rules go, and the index forgets their scopes.
            store.apply(StoreBatch.of("bench-extra", others(RevocationEvent.Type.RESTORE), Map.of(0, 2L), AT));
            store.rebuildIndex();
        }
        store.close();
        applyStore.close();
    }

    /** A token nobody revoked: a Bloom probe per scope that has rules, no RocksDB read (unless a false positive). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public boolean negativeCheck() {
        int n = ThreadLocalRandom.current().nextInt(1_000_000_000);
        String v = "nobody-" + n;
        return store.isRevoked(new TokenFacts(ISSUER, v, v, v, v, List.of(v), null, AT - 10), 30);
    }

    /** A revoked subject: Bloom hit, then the RocksDB read that confirms the rule. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public boolean positiveCheck() {
        String sub = "user-" + ThreadLocalRandom.current().nextInt(rules);
        return store.isRevoked(new TokenFacts(ISSUER, null, null, sub, null, null, null, AT - 10), 30);
    }

    /** Applying one feed batch of 10,000 events (rules, offsets, Bloom) in one WriteBatch; score per event. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @OperationsPerInvocation(BATCH)
    public void applyBatch() {
        applyOffset += BATCH;
        applyStore.apply(StoreBatch.of("bench", applyEvents, Map.of(0, applyOffset), AT));
    }
}
