package io.jwtsidecar.bench;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.jwtsidecar.token.DpopPolicy;
import io.jwtsidecar.token.EncryptionPolicy;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.VerificationOutcome;
import io.jwtsidecar.token.keys.ContentEncryption;
import io.jwtsidecar.token.keys.DecryptionKey;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.KeyManagementAlgorithm;
import java.security.Key;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What an encrypted access token (a nested JWT: an ES256 JWS inside a JWE) costs against the
 * plain ES256 token of the same run, first time and cached. The JWE is made by nimbus-jose-jwt
 * (an independent library) with {@link #alg} and A256GCM.
 *
 * <ul>
 *   <li>{@code bearer*}: the plain signed token.</li>
 *   <li>{@code jweFirst}: a verifier without a cache, so every call decrypts (key management +
 *       content decryption) and checks the inner signature: a client's first request.</li>
 *   <li>{@code jweCached}: the verified-token cache is keyed on the token as presented, so a
 *       repeat costs no decryption: every request after a client's first.</li>
 * </ul>
 * Setup fails unless both tokens are accepted and the cached path really skipped decryption.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class EncryptedTokenBenchmark {
    @Param({"RSA-OAEP-256", "ECDH-ES+A256KW"})
    public String alg;

    private String plain;
    private String encrypted;
    private TokenVerifier cached;
    private TokenVerifier uncached;

    @Setup
    public void setup() throws JOSEException {
        BenchSetup.useProvider(BenchSetup.NATIVE);
        Clock clock = Clock.systemUTC();
        long now = clock.millis() / 1000;
        BenchSetup.Material material = BenchSetup.Material.generate(JwsAlgorithm.ES256);
        plain = material.mint(now);
        JWEObject jwe;
        Key privateKey;
        KeyManagementAlgorithm kma;
        if (alg.equals("RSA-OAEP-256")) {
            RSAKey rsa = new RSAKeyGenerator(2048).keyID("enc-1").generate();
            jwe = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM)
                    .keyID("enc-1").contentType("JWT").build(), new Payload(material.mint(now)));
            jwe.encrypt(new RSAEncrypter(rsa.toRSAPublicKey()));
            privateKey = rsa.toPrivateKey();
            kma = KeyManagementAlgorithm.RSA_OAEP_256;
        } else {
            ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("enc-1").generate();
            jwe = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES_A256KW, EncryptionMethod.A256GCM)
                    .keyID("enc-1").contentType("JWT").build(), new Payload(material.mint(now)));
            jwe.encrypt(new ECDHEncrypter(ec.toECPublicKey()));
            privateKey = ec.toPrivateKey();
            kma = KeyManagementAlgorithm.ECDH_ES_A256KW;
        }
        encrypted = jwe.serialize();
        EncryptionPolicy encryption = new EncryptionPolicy(EncryptionPolicy.Mode.ALLOWED,
                List.of(new DecryptionKey("enc-1", kma, privateKey)), ContentEncryption.ALL);
        cached = new TokenVerifier(List.of(material.policy(DpopPolicy.DEFAULT, encryption)), BenchSetup.MAX_TOKEN_BYTES,
                clock, RevocationCheck.NONE, 1 << 20);
        uncached = new TokenVerifier(List.of(material.policy(DpopPolicy.DEFAULT, encryption)), BenchSetup.MAX_TOKEN_BYTES,
                clock, RevocationCheck.NONE, 0);
        BenchSetup.requireAccepted(uncached.verify(plain), "plain token");
        BenchSetup.requireAccepted(uncached.verify(encrypted), alg + " encrypted token");
        BenchSetup.requireAccepted(cached.verify(encrypted), alg + " encrypted token (fills the cache)");
        long before = cached.decryptions();
        BenchSetup.requireAccepted(cached.verify(encrypted), alg + " encrypted token (cache hit)");
        BenchSetup.requireAccepted(cached.verify(plain), "plain token (fills the cache)");
        if (cached.decryptions() != before) {
            throw new IllegalStateException("a cached encrypted token was decrypted again");
        }
    }

    @Benchmark
    public VerificationOutcome bearerUncached() {
        return uncached.verify(plain);
    }

    @Benchmark
    public VerificationOutcome bearerCached() {
        return cached.verify(plain);
    }

    @Benchmark
    public VerificationOutcome jweFirst() {
        return uncached.verify(encrypted);
    }

    @Benchmark
    public VerificationOutcome jweCached() {
        return cached.verify(encrypted);
    }
}
