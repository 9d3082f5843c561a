package io.jwtsidecar.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.VerificationOutcome;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One token, one key, three engines: this project's {@link TokenVerifier} (no cache), jjwt
 * (the parser the project mints with) and nimbus-jose-jwt. Each engine is built once, as a
 * server would, and then verifies signature, expiry, issuer and audience on every call:
 * <ul>
 *   <li>sidecar: {@code TokenVerifier.verify}, which also checks the alg/key binding, kid, the
 *       other time claims and claim types (its strict parser does more than the others).</li>
 *   <li>jjwt: {@code Jwts.parser().verifyWith(key).requireIssuer(..).requireAudience(..)
 *       .clock(..).build()} once, then {@code parseSignedClaims(token)} per call.</li>
 *   <li>nimbus: {@code SignedJWT.parse}, header alg check, {@code JWSVerifier.verify}, then
 *       exp, iss and aud from the claims set. Its EdDSA verifier is Tink's pure-Java Ed25519,
 *       so the provider parameter does not apply to nimbus EdDSA.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class EngineComparisonBenchmark {

    @Param({"HS256", "RS256", "ES256", "EdDSA"})
    public String alg;

    @Param({BenchSetup.NATIVE, BenchSetup.JDK})
    public String provider;

    private String token;
    private Clock clock;
    private TokenVerifier sidecar;
    private JwtParser jjwt;
    private JWSVerifier nimbusVerifier;
    private JWSAlgorithm nimbusAlg;

    @Setup
    public void setup() throws Exception {
        BenchSetup.useProvider(provider);
        clock = Clock.systemUTC();
        JwsAlgorithm a = JwsAlgorithm.valueOf(alg);
        BenchSetup.Material m = BenchSetup.Material.generate(a);
        token = m.mint(clock.millis() / 1000);

        sidecar = m.verifier(clock, RevocationCheck.NONE, 0);

        io.jsonwebtoken.JwtParserBuilder b = Jwts.parser();
        if (m.verificationKey instanceof SecretKey) {
            b.verifyWith((SecretKey) m.verificationKey);
        } else {
            b.verifyWith((PublicKey) m.verificationKey);
        }
        jjwt = b.requireIssuer(BenchSetup.ISSUER)
                .requireAudience(BenchSetup.AUDIENCE)
                .clockSkewSeconds(BenchSetup.SKEW.toSeconds())
                .clock(() -> new Date(clock.millis()))
                .build();

        nimbusAlg = JWSAlgorithm.parse(alg);
        nimbusVerifier = nimbusVerifier(a, m);

        BenchSetup.requireAccepted(sidecar(), "sidecar");
        jjwt();
        nimbus();
        String bad = BenchSetup.tampered(token);
        if (sidecar.verify(bad).isAccepted() || accepts(() -> jjwt.parseSignedClaims(bad))
                || accepts(() -> nimbus(bad))) {
            throw new IllegalStateException(alg + ": an engine accepted a tampered token");
        }
    }

    private static JWSVerifier nimbusVerifier(JwsAlgorithm a, BenchSetup.Material m) throws JOSEException {
        switch (a.family()) {
            case HMAC:
                return new MACVerifier(m.verificationKey.getEncoded());
            case RSA:
                return new RSASSAVerifier((RSAPublicKey) m.verificationKey);
            case EC:
                return new ECDSAVerifier((ECPublicKey) m.verificationKey);
            case EDDSA: {
                // The raw 32-byte public key is the end of its X.509 (SubjectPublicKeyInfo) encoding.
                byte[] spki = m.verificationKey.getEncoded();
                byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
                return new Ed25519Verifier(new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).build());
            }
            default:
                throw new IllegalArgumentException("no nimbus verifier set up for " + a);
        }
    }

    private interface Attempt {
        Object run() throws Exception;
    }

    private static boolean accepts(Attempt attempt) {
        try {
            attempt.run();
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Benchmark
    public VerificationOutcome sidecar() {
        return sidecar.verify(token);
    }

    @Benchmark
    public Jws<Claims> jjwt() {
        return jjwt.parseSignedClaims(token);
    }

    @Benchmark
    public JWTClaimsSet nimbus() throws ParseException, JOSEException {
        return nimbus(token);
    }

    private JWTClaimsSet nimbus(String t) throws ParseException, JOSEException {
        SignedJWT jwt = SignedJWT.parse(t);
        if (!nimbusAlg.equals(jwt.getHeader().getAlgorithm())) {
            throw new IllegalStateException("unexpected alg");
        }
        if (!jwt.verify(nimbusVerifier)) {
            throw new IllegalStateException("bad signature");
        }
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        Date exp = claims.getExpirationTime();
        if (exp == null || exp.getTime() + BenchSetup.SKEW.toMillis() <= clock.millis()) {
            throw new IllegalStateException("expired");
        }
        if (!BenchSetup.ISSUER.equals(claims.getIssuer())) {
            throw new IllegalStateException("wrong issuer");
        }
        List<String> aud = claims.getAudience();
        if (aud == null || !aud.contains(BenchSetup.AUDIENCE)) {
            throw new IllegalStateException("wrong audience");
        }
        return claims;
    }
}
