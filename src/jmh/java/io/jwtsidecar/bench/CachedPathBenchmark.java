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
 *       holding {@value #RULES} jti rules for other tokens, so the in-heap Bloom filter answers
 *       and RocksDB is not touched, as for most tokens.</li>
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
    private Path storeDir;
    private RocksDbRevocationStore store;
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
        store.apply(StoreBatch.of("revocations", events, Map.of(0, (long) RULES), now));

        // As the sidecar wires it (Sidecar.revocationCheck).
        RevocationCheck sidecarCheck = (VerifiedToken t, long skew) -> {
            if (!feedCaughtUp) {
                return RevocationCheck.Status.STALE;
            }
            TokenFacts facts = new TokenFacts(t.issuer(), t.jti(), t.sessionId(), t.subject(), t.clientId(), t.keyIds(),
                    t.keyThumbprint(), t.issuedAt());
            return store.isRevoked(facts, skew) ? RevocationCheck.Status.REVOKED : RevocationCheck.Status.NOT_REVOKED;
        };

        cachedVerifier = m.verifier(clock, RevocationCheck.NONE, 64L << 20);
        storeVerifier = m.verifier(clock, sidecarCheck, 64L << 20);
        for (TokenVerifier v : List.of(cachedVerifier, storeVerifier)) {
            BenchSetup.requireAccepted(v.verify(freshToken()), alg + " token (fills the cache)");
            BenchSetup.requireAccepted(v.verify(freshToken()), alg + " token (cache hit)");
            if (v.cacheHits() != 1) {
                throw new IllegalStateException("the second verification was not a cache hit");
            }
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(storeDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
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
}
