package io.jwtsidecar.token.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A trusted key is bound to one algorithm and refused at start-up when it is weak or does not
 * suit that algorithm, with a message that says what is wrong (and never the secret).
 */
class VerificationKeyTest {

    private static KeyPair generate(String algorithm, Object params) {
        return io.jwtsidecar.testing.TestKeys.jcaPair(algorithm, params);
    }

    private static SecretKeySpec secret(int bytes, String jcaName) {
        byte[] material = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            material[i] = (byte) (i * 31 + 7);
        }
        return new SecretKeySpec(material, jcaName);
    }

    @ParameterizedTest(name = "a {0} secret of {1} bytes is refused at start-up")
    @CsvSource({"HS256, 31, HmacSHA256", "HS384, 47, HmacSHA384", "HS512, 63, HmacSHA512", "HS256, 1, HmacSHA256",
            "HS512, 32, HmacSHA512"})
    void a_secret_shorter_than_the_hash_is_refused_at_start_up(JwsAlgorithm alg, int length, String jcaName) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new VerificationKey("k1", alg, secret(length, jcaName)));

        assertThat(e.getMessage()).contains(alg.name(), length + " bytes", "at least " + alg.size());
    }

    @ParameterizedTest(name = "a {0} secret of exactly {1} bytes is accepted")
    @CsvSource({"HS256, 32, HmacSHA256", "HS384, 48, HmacSHA384", "HS512, 64, HmacSHA512"})
    void a_secret_as_long_as_the_hash_is_accepted(JwsAlgorithm alg, int length, String jcaName) {
        VerificationKey key = new VerificationKey("k1", alg, secret(length, jcaName));

        assertThat(key.algorithm()).isEqualTo(alg);
        assertThat(key.kid()).isEqualTo("k1");
    }

    @Test
    void the_refusal_of_a_short_secret_does_not_echo_the_secret() {
        byte[] material = "short-but-secret".getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> new VerificationKey(null, JwsAlgorithm.HS256, new SecretKeySpec(material, "HmacSHA256")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("short-but-secret");
    }

    @Test
    void an_rsa_public_key_is_never_an_hmac_secret() {
        PublicKey rsa = generate("RSA", 2048).getPublic();

        assertThatThrownBy(() -> new VerificationKey("k1", JwsAlgorithm.HS256, rsa))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HS256 needs a secret key")
                .hasMessageContaining("RSA");
    }

    @ParameterizedTest(name = "a 1024-bit RSA key is refused for {0}")
    @EnumSource(value = JwsAlgorithm.class, names = {"RS256", "PS256", "RS512", "PS512"})
    void an_rsa_key_of_1024_bits_is_refused(JwsAlgorithm alg) {
        PublicKey weak = generate("RSA", 1024).getPublic();

        assertThatThrownBy(() -> new VerificationKey("k1", alg, weak))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1024 bits")
                .hasMessageContaining("at least 2048");
    }

    /**
     * The JDK's key factory refuses moduli over 16384 bits, but the native provider the sidecar
     * puts first takes them (a 20000-bit key from a JWKS was accepted), and each verification with
     * one costs some hundred times a 2048-bit one's. The limit is the sidecar's own, whichever
     * provider reads the key.
     */
    @ParameterizedTest(name = "an RSA modulus of {0} bits is refused")
    @ValueSource(ints = {16385, 20000})
    void an_rsa_modulus_over_16384_bits_is_refused(int bits) {
        BigInteger modulus = BigInteger.ONE.shiftLeft(bits - 1).add(BigInteger.ONE); // odd, exactly bits long
        RSAPublicKey huge = new RSAPublicKey() {
            @Override
            public BigInteger getPublicExponent() {
                return BigInteger.valueOf(65537);
            }

            @Override
            public BigInteger getModulus() {
                return modulus;
            }

            @Override
            public String getAlgorithm() {
                return "RSA";
            }

            @Override
            public String getFormat() {
                return "X.509";
            }

            @Override
            public byte[] getEncoded() {
                return new byte[0];
            }
        };

        assertThatThrownBy(() -> new VerificationKey("k1", JwsAlgorithm.RS256, huge))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(bits + " bits")
                .hasMessageContaining("at most 16384");
    }

    @ParameterizedTest(name = "a 2048-bit RSA key is accepted for {0}")
    @EnumSource(value = JwsAlgorithm.class, names = {"RS256", "PS256"})
    void an_rsa_key_of_2048_bits_is_accepted(JwsAlgorithm alg) {
        assertThat(new VerificationKey("k1", alg, generate("RSA", 2048).getPublic()).algorithm()).isEqualTo(alg);
    }

    @Test
    void an_rsa_private_key_is_refused_where_a_public_key_is_needed() {
        assertThatThrownBy(() -> new VerificationKey("k1", JwsAlgorithm.RS256, generate("RSA", 2048).getPrivate()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RS256 needs an RSA public key");
    }

    @Test
    void a_p384_key_is_refused_for_es256() {
        PublicKey p384 = generate("EC", "secp384r1").getPublic();

        assertThatThrownBy(() -> new VerificationKey("k1", JwsAlgorithm.ES256, p384))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ES256 needs a key on P-256")
                .hasMessageContaining("384-bit");
    }

    @ParameterizedTest(name = "{0} accepts a key on {1}")
    @CsvSource({"ES256, secp256r1", "ES384, secp384r1", "ES512, secp521r1"})
    void each_ecdsa_algorithm_accepts_its_own_curve(JwsAlgorithm alg, String curve) {
        assertThat(new VerificationKey("k1", alg, generate("EC", curve).getPublic()).algorithm()).isEqualTo(alg);
    }

    @ParameterizedTest(name = "ES512 refuses a key on {0}")
    @ValueSource(strings = {"secp256r1", "secp384r1"})
    void es512_refuses_the_smaller_curves(String curve) {
        assertThatThrownBy(() -> new VerificationKey("k1", JwsAlgorithm.ES512, generate("EC", curve).getPublic()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("P-521");
    }

    /**
     * secp256k1 and brainpoolP256r1 have 256-bit fields like P-256 but are other curves: RFC 7518
     * §3.4 binds ES256 to P-256 only. The JDK still parses such keys (it just cannot verify with
     * them), so the constructor is the only place a misconfigured ES256K key can be caught.
     */
    @ParameterizedTest(name = "a 256-bit key on {0} is not a P-256 key and is refused for ES256")
    @ValueSource(strings = {"secp256k1", "brainpoolP256r1"})
    void a_key_on_another_256_bit_curve_is_refused_for_es256(String curve) throws Exception {
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec(curve));
        ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
        // The generator is a valid point on the curve: a well-formed public key.
        PublicKey other = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(spec.getGenerator(), spec));

        Throwable refusal = catchThrowable(() -> new VerificationKey("k1", JwsAlgorithm.ES256, other));

        assertThat(refusal).as("an ES256 key on %s was accepted", curve)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("P-256");
    }

    /**
     * Key factories take any point with the curve's parameters. A point off the curve (or with a
     * coordinate outside the field) is what an invalid-curve attack feeds a verifier; it is refused
     * with the constructor's documented exception, before jjwt computes a thumbprint of it.
     */
    @ParameterizedTest(name = "{0}: a point {2} is refused")
    @CsvSource({
            "ES256, secp256r1, with y one off, P-256",
            "ES384, secp384r1, with y one off, P-384",
            "ES512, secp521r1, with y one off, P-521",
            "ES256, secp256r1, with x at the field prime, P-256",
            "ES256, secp256r1, at the origin, P-256"})
    void an_ec_point_off_the_curve_is_refused(JwsAlgorithm alg, String curve, String how, String joseCurve)
            throws Exception {
        ECPublicKey good = (ECPublicKey) generate("EC", curve).getPublic();
        ECParameterSpec spec = good.getParams();
        BigInteger p = ((ECFieldFp) spec.getCurve().getField()).getP();
        ECPoint w = good.getW();
        ECPoint bad = switch (how) {
            case "with y one off" -> new ECPoint(w.getAffineX(), w.getAffineY().add(BigInteger.ONE).mod(p));
            case "with x at the field prime" -> new ECPoint(p, w.getAffineY());
            default -> new ECPoint(BigInteger.ZERO, BigInteger.ZERO);
        };
        // SunEC takes such points; the native provider refuses some of them itself.
        PublicKey offCurve = KeyFactory.getInstance("EC", "SunEC").generatePublic(new ECPublicKeySpec(bad, spec));

        assertThatThrownBy(() -> new VerificationKey("k1", alg, offCurve))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not on " + joseCurve);
    }

    @Test
    void an_rsa_key_is_refused_for_es256() {
        PublicKey rsa = generate("RSA", 2048).getPublic();

        assertThatThrownBy(() -> new VerificationKey("k1", JwsAlgorithm.ES256, rsa))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ES256 needs an EC public key")
                .hasMessageContaining("RSA");
    }

    @Test
    void an_ec_key_is_refused_for_rs256() {
        assertThatThrownBy(() -> new VerificationKey("k1", JwsAlgorithm.RS256, generate("EC", "secp256r1").getPublic()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RS256 needs an RSA public key");
    }

    @ParameterizedTest(name = "EdDSA accepts an {0} key")
    @ValueSource(strings = {"Ed25519", "Ed448"})
    void eddsa_accepts_ed25519_and_ed448(String curve) {
        assertThat(new VerificationKey(null, JwsAlgorithm.EdDSA, generate(curve, null).getPublic()).kid()).isNull();
    }

    @Test
    void eddsa_refuses_an_ec_key_and_a_private_key() {
        assertThatThrownBy(() -> new VerificationKey("k1", JwsAlgorithm.EdDSA, generate("EC", "secp256r1").getPublic()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("EdDSA needs an Ed25519 or Ed448 public key");
        assertThatThrownBy(() -> new VerificationKey("k1", JwsAlgorithm.EdDSA, generate("Ed25519", null).getPrivate()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("EdDSA needs an Ed25519 or Ed448 public key");
    }

    @Test
    void no_key_at_all_is_refused() {
        assertThatThrownBy(() -> new VerificationKey("k1", JwsAlgorithm.RS256, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no key");
    }

    @Test
    void a_key_verifies_only_its_own_signatures() throws Exception {
        KeyPair pair = generate("EC", "secp256r1");
        VerificationKey key = new VerificationKey("k1", JwsAlgorithm.ES256, pair.getPublic());
        byte[] input = "eyJhbGciOiJFUzI1NiJ9.e30".getBytes(StandardCharsets.US_ASCII);
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(pair.getPrivate());
        s.update(input);
        byte[] signature = s.sign();

        assertThat(key.verify(input, signature)).isTrue();
        assertThat(key.verify("eyJhbGciOiJFUzI1NiJ9.e31".getBytes(StandardCharsets.US_ASCII), signature)).isFalse();
        assertThat(key.verify(input, new byte[64])).isFalse();
        assertThat(key.verify(input, new byte[0])).isFalse();
    }

    private static byte[] hmac(SecretKeySpec key, byte[] input) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(key);
        return mac.doFinal(input);
    }

    @Test
    void each_key_checks_with_its_own_secret_when_one_thread_alternates_between_keys() throws Exception {
        // Each key keeps an initialised Mac per thread: one kept per thread only would check B's
        // tokens with A's secret once A had been used on that thread.
        SecretKeySpec secretA = secret(32, "HmacSHA256");
        byte[] materialB = secretA.getEncoded();
        materialB[0] ^= 1;
        SecretKeySpec secretB = new SecretKeySpec(materialB, "HmacSHA256");
        VerificationKey a = new VerificationKey("a", JwsAlgorithm.HS256, secretA);
        VerificationKey b = new VerificationKey("b", JwsAlgorithm.HS256, secretB);
        byte[] input = "eyJhbGciOiJIUzI1NiJ9.e30".getBytes(StandardCharsets.US_ASCII);
        byte[] macA = hmac(secretA, input);
        byte[] macB = hmac(secretB, input);

        for (int round = 0; round < 3; round++) {
            assertThat(a.verify(input, macA)).as("A's token with A, round %d", round).isTrue();
            assertThat(b.verify(input, macB)).as("B's token with B, round %d", round).isTrue();
            assertThat(b.verify(input, macA)).as("A's token with B, round %d", round).isFalse();
            assertThat(a.verify(input, macB)).as("B's token with A, round %d", round).isFalse();
        }
    }

    @Test
    void threads_sharing_one_key_never_see_each_others_input() throws Exception {
        // A Signature is fed (update) and then asked (verify): one engine shared by threads would
        // mix one thread's input into another's check and fail good signatures or pass bad ones.
        KeyPair pair = generate("EC", "secp256r1");
        VerificationKey key = new VerificationKey("k1", JwsAlgorithm.ES256, pair.getPublic());
        List<byte[]> inputs = new ArrayList<>();
        List<byte[]> signatures = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] input = ("eyJhbGciOiJFUzI1NiJ9.token-" + i).getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(pair.getPrivate());
            s.update(input);
            inputs.add(input);
            signatures.add(s.sign());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> wrong = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int first = t;
                Callable<Integer> work = () -> {
                    int mistakes = 0;
                    for (int n = 0; n < 300; n++) {
                        int i = (first + n) % inputs.size();
                        int other = (i + 1) % inputs.size();
                        mistakes += key.verify(inputs.get(i), signatures.get(i)) ? 0 : 1;
                        mistakes += key.verify(inputs.get(i), signatures.get(other)) ? 1 : 0;
                    }
                    return mistakes;
                };
                wrong.add(pool.submit(work));
            }
            for (Future<Integer> w : wrong) {
                assertThat(w.get()).as("wrong answers on one thread").isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void to_string_names_the_kid_algorithm_and_thumbprint_but_no_key_material() {
        SecretKeySpec secret = secret(32, "HmacSHA256");
        String thumbprint = io.jsonwebtoken.security.Jwks.builder().key(secret).build().thumbprint().toString();

        String text = new VerificationKey("k1", JwsAlgorithm.HS256, secret).toString();

        assertThat(text).isEqualTo("VerificationKey[kid=k1, alg=HS256, thumbprint=" + thumbprint + "]");
        assertThat(text).doesNotContain(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(secret.getEncoded())
                .substring(0, 8));
    }

    @Test
    void a_key_without_kid_shows_its_thumbprint_where_operators_look() {
        VerificationKey key = new VerificationKey(null, JwsAlgorithm.HS256, secret(32, "HmacSHA256"));

        assertThat(key.toString()).isEqualTo("VerificationKey[kid=null, alg=HS256, thumbprint=" + key.thumbprint() + "]");
        assertThat(new StaticKeySource(java.util.List.of(key)).describe())
                .as("check-config and /health/ready describe static keys this way")
                .isEqualTo("static (1 key): [" + key + "]");
    }

    @Test
    void a_public_key_typed_rsassa_pss_verifies_ps256_whichever_provider_is_first() throws Exception {
        // jjwt (and some PKI tools) produce RSA keys with the PSS-restricted OID; the native provider refuses
        // those for RSASSA-PSS unless the key is re-typed as plain RSA.
        KeyPair pss = io.jsonwebtoken.Jwts.SIG.PS256.keyPair().build();
        assertThat(pss.getPublic().getAlgorithm()).isEqualTo("RSASSA-PSS");
        Signature signer = Signature.getInstance("RSASSA-PSS", "SunRsaSign");
        signer.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
        signer.initSign(pss.getPrivate());
        byte[] input = "header.payload".getBytes(StandardCharsets.US_ASCII);
        signer.update(input);
        byte[] signature = signer.sign();

        io.jwtsidecar.app.NativeCrypto.forJvm().install();
        VerificationKey key = new VerificationKey("k1", JwsAlgorithm.PS256, pss.getPublic());

        assertThat(key.verify(input, signature)).isTrue();
    }
}
