package io.jwtsidecar.bench;

import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.VerificationOutcome;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The sidecar's whole verify path ({@link TokenVerifier#verify}: size cap, strict compact-JWS
 * parsing, key selection, JCA signature check, claims, time claims, revocation) for one token,
 * per algorithm and per crypto provider.
 *
 * <ul>
 *   <li>{@link #uncached}: verifier without a verified-token cache, so every call parses and
 *       checks the signature: the cost of a token seen for the first time.</li>
 *   <li>{@link #cached}: the same token again with the cache on: a cache hit, which still checks
 *       the time claims and runs the revocation check. The token string is the same instance
 *       every time, so its hash code is already computed (see CachedPathBenchmark for a fresh
 *       string per call, as a request brings).</li>
 *   <li>{@link #rawSignature}: the provider's {@code Mac} or {@code Signature} alone, initialised
 *       once, over the token's own signing input and signature bytes (see {@link RawSignatureCheck}):
 *       the floor under {@code uncached}. With the native provider, setup fails unless that
 *       provider serves the engine, so the ratio {@code uncached ÷ rawSignature} is always against
 *       native code.</li>
 *   <li>{@code paired} ({@link #pairedUncached} and {@link #pairedRaw}): the two above at the same
 *       time, one thread each, in one fork. On a shared machine the load changes between forks
 *       minutes apart, and with it either half of the ratio; run side by side, both halves see the
 *       same load.</li>
 * </ul>
 * Revocation is {@link RevocationCheck#NONE}: these measure verification only.
 */
@BenchmarkMode(Mode.AverageTime)
@State(Scope.Benchmark)
public class VerifyBenchmark {

    @Param({"HS256", "RS256", "PS256", "ES256", "EdDSA"})
    public String alg;

    /** native: Amazon Corretto Crypto Provider first (as the sidecar runs); jdk: JDK providers only. */
    @Param({BenchSetup.NATIVE, BenchSetup.JDK})
    public String provider;

    private String token;
    private TokenVerifier uncachedVerifier;
    private TokenVerifier cachedVerifier;
    private RawSignatureCheck raw;

    @Setup
    public void setup() throws GeneralSecurityException {
        BenchSetup.useProvider(provider);
        Clock clock = Clock.systemUTC();
        BenchSetup.Material m = BenchSetup.Material.generate(JwsAlgorithm.valueOf(alg));
        token = m.mint(clock.millis() / 1000);
        uncachedVerifier = m.verifier(clock, RevocationCheck.NONE, 0);
        cachedVerifier = m.verifier(clock, RevocationCheck.NONE, 64L << 20);

        BenchSetup.requireAccepted(uncachedVerifier.verify(token), alg + " token (uncached)");
        if (uncachedVerifier.verify(BenchSetup.tampered(token)).isAccepted()) {
            throw new IllegalStateException(alg + ": a tampered token was accepted");
        }
        BenchSetup.requireAccepted(cachedVerifier.verify(token), alg + " token (first, fills the cache)");
        BenchSetup.requireAccepted(cachedVerifier.verify(token), alg + " token (cache hit)");
        if (cachedVerifier.cacheHits() != 1) {
            throw new IllegalStateException("the second verification was not a cache hit");
        }
        raw = RawSignatureCheck.of(m, token);
        if (BenchSetup.NATIVE.equals(provider) && !raw.providerName().equals(BenchSetup.ACCP)) {
            throw new IllegalStateException(alg + ": the raw check runs on " + raw.providerName());
        }
        if (!raw.verify() || raw.verifyFlipped()) {
            throw new IllegalStateException(alg + ": the raw check does not tell a good signature from a bad one");
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public VerificationOutcome uncached() {
        return uncachedVerifier.verify(token);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public VerificationOutcome cached() {
        return cachedVerifier.verify(token);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public boolean rawSignature() throws GeneralSecurityException {
        return raw.verify();
    }

    @Benchmark
    @Group("paired")
    @GroupThreads(1)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public VerificationOutcome pairedUncached() {
        return uncachedVerifier.verify(token);
    }

    /** Only this thread of the group touches {@code raw}, whose engine is not thread-safe. */
    @Benchmark
    @Group("paired")
    @GroupThreads(1)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public boolean pairedRaw() throws GeneralSecurityException {
        return raw.verify();
    }
}
