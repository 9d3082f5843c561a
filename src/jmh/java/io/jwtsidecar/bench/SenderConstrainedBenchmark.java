package io.jwtsidecar.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.jwtsidecar.token.CertificateBinding;
import io.jwtsidecar.token.DpopPolicy;
import io.jwtsidecar.token.DpopProofCheck;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.SeenIds;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.VerificationOutcome;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What sender-constrained tokens cost against the bearer path of the same run: the access token
 * is ES256 throughout, so the ratio of a DPoP-checked verify to a bearer verify reads directly
 * as "one more asymmetric verify" (RFC 9449 requires a proof on every request; the access token
 * itself is cached like any other).
 *
 * <ul>
 *   <li>{@code bearer*}: an unbound token, {@code verify}.</li>
 *   <li>{@code dpop*}: a token bound to the client's key ({@code cnf.jkt}), {@code verifyDpop}
 *       with a fresh proof each call, signed by {@link #proofAlg} (ES256 or EdDSA): parse, jwk,
 *       the proof's signature, htm/htu/iat/ath, the thumbprint, the replay cache.</li>
 *   <li>{@code mtls*}: a token bound to a client certificate ({@code cnf["x5t#S256"]}): verify,
 *       then the SHA-256 of a 1,024-byte DER certificate (what the sidecar hashes per request)
 *       compared with the thumbprint in constant time.</li>
 * </ul>
 * {@code *Cached}: the access token is in the verified-token cache, as for every request after a
 * client's first; {@code *Uncached}: no cache, so the token's signature is checked every time.
 * Proofs are made in setup (a pool big enough for one iteration; each iteration starts with an
 * empty replay cache), and the teardown fails the trial if any call was refused, so a figure is
 * never that of a refusal.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class SenderConstrainedBenchmark {
    /** Proofs per iteration: more than a 2 s iteration verifies at 40 µs a proof. */
    private static final int PROOFS = 60_000;
    private static final String HTU = "https://api.example.com/orders/42";

    @Param({"ES256", "EdDSA"})
    public String proofAlg;

    private BenchSetup.Material material;
    private Clock clock;
    private String bearerToken;
    private String dpopToken;
    private String certToken;
    private byte[] certificateDer;
    private String[] proofs;
    private int next;
    private long refused;
    private TokenVerifier cached;
    private TokenVerifier uncached;
    /** The first proof's key as the proof check parses it, with its signing input and signature. */
    private VerificationKey proofKey;
    private byte[] proofInput;
    private byte[] proofSignature;

    @Setup(Level.Trial)
    public void setup() throws JOSEException, ParseException {
        BenchSetup.useProvider(BenchSetup.NATIVE);
        clock = Clock.systemUTC();
        long now = clock.millis() / 1000;
        material = BenchSetup.Material.generate(JwsAlgorithm.ES256);
        JWK client = "EdDSA".equals(proofAlg) ? new OctetKeyPairGenerator(Curve.Ed25519).generate()
                : new ECKeyGenerator(Curve.P_256).generate();
        certificateDer = new byte[1024];
        new SecureRandom().nextBytes(certificateDer);
        bearerToken = material.mint(now);
        dpopToken = material.mint(now, Map.of("cnf", Map.of("jkt", client.computeThumbprint().toString())));
        certToken = material.mint(now, Map.of("cnf", Map.of(CertificateBinding.THUMBPRINT,
                Base64URL.encode(sha256(certificateDer)).toString())));
        proofs = new String[PROOFS];
        String ath = Base64URL.encode(sha256(dpopToken.getBytes(StandardCharsets.US_ASCII))).toString();
        JWSHeader header = new JWSHeader.Builder("EdDSA".equals(proofAlg) ? JWSAlgorithm.EdDSA : JWSAlgorithm.ES256)
                .type(new JOSEObjectType("dpop+jwt")).jwk(client.toPublicJWK()).build();
        JWSSigner signer = client instanceof ECKey ec ? new ECDSASigner(ec) : new Ed25519Signer((OctetKeyPair) client);
        for (int i = 0; i < PROOFS; i++) {
            SignedJWT proof = new SignedJWT(header, new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString())
                    .claim("htm", "GET").claim("htu", HTU).issueTime(new Date(now * 1000)).claim("ath", ath).build());
            proof.sign(signer);
            proofs[i] = proof.serialize();
        }
        SignedJWT first = SignedJWT.parse(proofs[0]);
        proofKey = VerificationKey.ofPublicJwk(client.toPublicJWK().toJSONString(),
                JwsAlgorithm.valueOf(proofAlg));
        proofInput = first.getSigningInput();
        proofSignature = first.getSignature().decode();
        if (!proofKey.verify(proofInput, proofSignature)) {
            throw new IllegalStateException("the proof's own signature does not verify");
        }
    }

    /** Fresh verifiers (and so an empty replay cache) each iteration; the cached one holds the three tokens. */
    @Setup(Level.Iteration)
    public void verifiers() {
        // A window longer than a trial: every proof is made in setup, at its start.
        DpopPolicy dpop = new DpopPolicy(DpopPolicy.Mode.ALLOWED, Duration.ofMinutes(30),
                Set.of(JwsAlgorithm.ES256, JwsAlgorithm.EdDSA));
        cached = new TokenVerifier(List.of(material.policy(dpop)), BenchSetup.MAX_TOKEN_BYTES, clock, RevocationCheck.NONE,
                1 << 20, new SeenIds(2 * PROOFS, clock));
        uncached = new TokenVerifier(List.of(material.policy(dpop)), BenchSetup.MAX_TOKEN_BYTES, clock, RevocationCheck.NONE,
                0, new SeenIds(2 * PROOFS, clock));
        next = 0;
        BenchSetup.requireAccepted(cached.verify(bearerToken), "bearer token");
        BenchSetup.requireAccepted(CertificateBinding.check(cached.verify(certToken), () -> sha256(certificateDer)),
                "certificate-bound token");
        if (CertificateBinding.check(cached.verify(certToken), () -> sha256(new byte[1024])).isAccepted()) {
            throw new IllegalStateException("a certificate-bound token was accepted with another certificate");
        }
        BenchSetup.requireAccepted(cached.verifyDpop(dpopToken, request()), "DPoP-bound token");
        BenchSetup.requireAccepted(uncached.verifyDpop(dpopToken, request()), "DPoP-bound token (uncached)");
        if (cached.verifyDpop(dpopToken, new DpopProofCheck.Request(List.of(proofs[0]), "GET", HTU)).isAccepted()) {
            throw new IllegalStateException("a replayed proof was accepted");
        }
    }

    @TearDown(Level.Iteration)
    public void noneRefused() {
        if (refused > 0) {
            throw new IllegalStateException(refused + " calls were refused (the proof pool ran out?): not a figure of acceptance");
        }
    }

    private DpopProofCheck.Request request() {
        if (next == PROOFS) {
            next = 0; // then every proof is a replay, which noneRefused reports
        }
        return new DpopProofCheck.Request(List.of(proofs[next++]), "GET", HTU);
    }

    private VerificationOutcome counted(VerificationOutcome outcome) {
        if (!outcome.isAccepted()) {
            refused++;
        }
        return outcome;
    }

    @Benchmark
    public VerificationOutcome bearerCached() {
        return counted(cached.verify(bearerToken));
    }

    @Benchmark
    public VerificationOutcome bearerUncached() {
        return counted(uncached.verify(bearerToken));
    }

    @Benchmark
    public VerificationOutcome dpopCached() {
        return counted(cached.verifyDpop(dpopToken, request()));
    }

    @Benchmark
    public VerificationOutcome dpopUncached() {
        return counted(uncached.verifyDpop(dpopToken, request()));
    }

    /** The proof's signature check alone, with the key the proof check parses from its jwk: its floor. */
    @Benchmark
    public boolean proofSignatureOnly() {
        return proofKey.verify(proofInput, proofSignature);
    }

    @Benchmark
    public VerificationOutcome mtlsCached() {
        return counted(CertificateBinding.check(cached.verify(certToken), () -> sha256(certificateDer)));
    }

    @Benchmark
    public VerificationOutcome mtlsUncached() {
        return counted(CertificateBinding.check(uncached.verify(certToken), () -> sha256(certificateDer)));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
