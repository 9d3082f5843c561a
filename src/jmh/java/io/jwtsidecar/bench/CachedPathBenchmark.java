package io.jwtsidecar.bench;

import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.StoreBatch;
import io.jwtsidecar.revocation.TokenFacts;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.VerificationOutcome;
import io.jwtsidecar.token.VerifiedToken;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A cache hit as a request brings it: the token is a new String cut from the Authorization
 * header, so its hash code is computed and the cache compares the whole text on every call
 * (VerifyBenchmark.cached reuses one String whose hash is already known).
 *
 * <ul>
 *   <li>{@link #substringOnly}: the substring alone, which every request pays before verify.</li>
 *   <li>{@link #freshString}: substring + verify, revocation check {@code NONE}.</li>
 *   <li>{@link #freshStringRevocationStore}: the same, with the revocation check the sidecar
 *       wires (feed caught up, then {@code RocksDbRevocationStore.isRevoked}) on a real store
 *       holding {@value #RULES} jti rules for other tokens and one rule in every other scope (sid,
 *       sub, client, kid for other values, issuer for another issuer), so no scope is skipped:
 *       the in-heap Bloom filter is probed for all six of the token's scope values and answers no,
 *       and RocksDB is not touched, as for most tokens.</li>
 *   <li>{@link #freshStringRevocationStoreBloomHit}: the same store plus a sub rule for the
 *       token's own subject dated an hour before the token was issued: the Bloom filter answers
 *       yes, RocksDB is read, and the rule does not block the token (accepted). The path of a
 *       token whose user was revoked before it logged in again, and of a false positive.</li>
 * </ul>
 * Crypto is irrelevant to a hit, so there is no provider parameter; the algorithms differ only
 * in token length (HS256 about 330 characters, RS256 about 630).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class CachedPathBenchmark {
    static final int RULES = 10_000;

    @Param({"HS256", "RS256"})
    public String alg;

    private String authorization;
    private TokenVerifier cachedVerifier;
    private TokenVerifier storeVerifier;
    private TokenVerifier hitVerifier;
    private Path storeDir;
    private RocksDbRevocationStore store;
    private Path hitStoreDir;
    private RocksDbRevocationStore hitStore;
    private volatile boolean feedCaughtUp = true;

    @Setup
    public void setup() throws IOException {
        Clock clock = Clock.systemUTC();
        long now = clock.millis() / 1000;
        BenchSetup.Material m = BenchSetup.Material.generate(JwsAlgorithm.valueOf(alg));
        authorization = "Bearer " + m.mint(now);

        storeDir = Files.createTempDirectory("jwt-sidecar-bench-store");
        store = RocksDbRevocationStore.open(storeDir, 1_000_000, 0.001);
        List<RevocationEvent> events = new ArrayList<>();
        for (int i = 0; i < RULES; i++) {
            events.add(new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                    new RuleKey(RevocationScope.JTI, BenchSetup.ISSUER, UUID.randomUUID().toString()),
                    now, now + 86_400, "bench", "bench"));
        }
        for (RuleKey key : List.of(new RuleKey(RevocationScope.SID, BenchSetup.ISSUER, "another-session"),
                new RuleKey(RevocationScope.SUB, BenchSetup.ISSUER, "another-user"),
                new RuleKey(RevocationScope.CLIENT, BenchSetup.ISSUER, "another-client"),
                new RuleKey(RevocationScope.KID, BenchSetup.ISSUER, "another-key"),
                new RuleKey(RevocationScope.ISSUER, "https://another-issuer.example", ""))) {
            events.add(new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE, key,
                    now, now + 86_400, "bench", "bench"));
        }
        store.apply(StoreBatch.of("revocations", events, Map.of(0, (long) RULES), now));
        hitStoreDir = Files.createTempDirectory("jwt-sidecar-bench-store-hit");
        hitStore = RocksDbRevocationStore.open(hitStoreDir, 1_000_000, 0.001);
        List<RevocationEvent> hitEvents = new ArrayList<>(events);
        hitEvents.add(new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                new RuleKey(RevocationScope.SUB, BenchSetup.ISSUER, BenchSetup.SUBJECT), now - 3600, now + 86_400,
                "bench", "bench"));
        hitStore.apply(StoreBatch.of("revocations", hitEvents, Map.of(0, (long) hitEvents.size()), now));

        cachedVerifier = m.verifier(clock, RevocationCheck.NONE, 64L << 20);
        storeVerifier = m.verifier(clock, sidecarCheck(store), 64L << 20);
        hitVerifier = m.verifier(clock, sidecarCheck(hitStore), 64L << 20);
        for (TokenVerifier v : List.of(cachedVerifier, storeVerifier, hitVerifier)) {
            BenchSetup.requireAccepted(v.verify(freshToken()), alg + " token (fills the cache)");
            BenchSetup.requireAccepted(v.verify(freshToken()), alg + " token (cache hit)");
            if (v.cacheHits() != 1) {
                throw new IllegalStateException("the second verification was not a cache hit");
            }
        }
    }

    /** As the sidecar wires it (Sidecar.revocationCheck). */
    private RevocationCheck sidecarCheck(RocksDbRevocationStore on) {
        return (VerifiedToken t, long skew) -> {
            if (!feedCaughtUp) {
                return RevocationCheck.Status.STALE;
            }
            TokenFacts facts = new TokenFacts(t.issuer(), t.jti(), t.sessionId(), t.subject(), t.clientId(), t.keyIds(),
                    t.keyThumbprint(), t.issuedAt());
            return on.isRevoked(facts, skew) ? RevocationCheck.Status.REVOKED : RevocationCheck.Status.NOT_REVOKED;
        };
    }

    @TearDown
    public void tearDown() throws IOException {
        store.close();
        hitStore.close();
        for (Path dir : List.of(storeDir, hitStoreDir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private String freshToken() {
        return authorization.substring(7);
    }

    @Benchmark
    public String substringOnly() {
        return freshToken();
    }

    @Benchmark
    public VerificationOutcome freshString() {
        return cachedVerifier.verify(freshToken());
    }

    @Benchmark
    public VerificationOutcome freshStringRevocationStore() {
        return storeVerifier.verify(freshToken());
    }

    @Benchmark
    public VerificationOutcome freshStringRevocationStoreBloomHit() {
        return hitVerifier.verify(freshToken());
    }
}
