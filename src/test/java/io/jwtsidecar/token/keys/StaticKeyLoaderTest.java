package io.jwtsidecar.token.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;
import io.jwtsidecar.app.NativeCrypto;
import io.jwtsidecar.testing.TestKeys;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Loading configured key material: PEM public keys and certificates, JWK and JWKS documents.
 * Everything unusable is refused at start-up with a message saying what is wrong.
 */
class StaticKeyLoaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SIGNING_INPUT = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9".getBytes(StandardCharsets.US_ASCII);

    // ---- helpers ------------------------------------------------------------------------------

    private static KeyPair generate(String algorithm, Object params) {
        return io.jwtsidecar.testing.TestKeys.jcaPair(algorithm, params);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] sign(String jcaName, PrivateKey key, byte[] input) throws GeneralSecurityException {
        Signature s = Signature.getInstance(jcaName);
        s.initSign(key);
        s.update(input);
        return s.sign();
    }

    /** DER tag-length-value. */
    private static byte[] der(int tag, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            body.writeBytes(p);
        }
        int len = body.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else {
            out.write(0x82);
            out.write(len >> 8);
            out.write(len & 0xff);
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /**
     * A minimal self-signed X.509 v3 certificate for an EC P-256 key pair, built by hand with
     * plain DER (the JDK has no public certificate builder). ecdsa-with-SHA256 is 1.2.840.10045.4.3.2.
     */
    private static String selfSignedEcCertificate(KeyPair pair) throws GeneralSecurityException {
        byte[] ecdsaWithSha256 = der(0x30, der(0x06, bytes(0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02)));
        byte[] name = der(0x30, der(0x31, der(0x30,
                der(0x06, bytes(0x55, 0x04, 0x03)),                                   // commonName
                der(0x0C, "issuer.example".getBytes(StandardCharsets.UTF_8)))));
        byte[] validity = der(0x30,
                der(0x17, "250101000000Z".getBytes(StandardCharsets.US_ASCII)),
                der(0x17, "450101000000Z".getBytes(StandardCharsets.US_ASCII)));
        byte[] tbs = der(0x30,
                der(0xA0, der(0x02, bytes(0x02))),                                    // version v3
                der(0x02, bytes(0x01)),                                               // serial 1
                ecdsaWithSha256, name, validity, name,
                pair.getPublic().getEncoded());                                       // SubjectPublicKeyInfo
        byte[] signature = sign("SHA256withECDSA", pair.getPrivate(), tbs);
        byte[] bitString = new byte[signature.length + 1];
        System.arraycopy(signature, 0, bitString, 1, signature.length);
        return pem("CERTIFICATE", der(0x30, tbs, ecdsaWithSha256, der(0x03, bitString)));
    }

    private static Map<String, Object> members(String json) throws Exception {
        return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
    }

    private static String jwkJson(PublicKey key, String alg, String kid) {
        var builder = Jwks.builder().key(key).id(kid);
        if (alg != null) {
            builder.algorithm(alg);
        }
        return Jwks.json((PublicJwk<?>) builder.build());
    }

    // ---- HMAC -------------------------------------------------------------------------------

    @Test
    void an_hmac_secret_is_bound_to_its_algorithm() {
        VerificationKey key = StaticKeyLoader.hmac("k1", JwsAlgorithm.HS384, new byte[48]);

        assertThat(key.kid()).isEqualTo("k1");
        assertThat(key.algorithm()).isEqualTo(JwsAlgorithm.HS384);
    }

    @Test
    void an_hmac_secret_is_refused_for_a_public_key_algorithm() {
        assertThatThrownBy(() -> StaticKeyLoader.hmac("k1", JwsAlgorithm.RS256, new byte[64]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RS256 cannot use an HMAC secret");
    }

    @Test
    void a_short_hmac_secret_is_refused() {
        assertThatThrownBy(() -> StaticKeyLoader.hmac("k1", JwsAlgorithm.HS256, new byte[16]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16 bytes");
    }

    // ---- PEM ----------------------------------------------------------------------------------

    @Test
    void an_rsa_public_key_pem_is_loaded_for_rs256_and_ps256() throws Exception {
        TestKeys rsa = TestKeys.generate(JwsAlgorithm.RS256);

        VerificationKey rs256 = StaticKeyLoader.pem("r1", JwsAlgorithm.RS256, rsa.publicPem());
        VerificationKey ps256 = StaticKeyLoader.pem("r1", JwsAlgorithm.PS256, rsa.publicPem());

        assertThat(rs256.kid()).isEqualTo("r1");
        assertThat(rs256.verify(SIGNING_INPUT, sign("SHA256withRSA", rsa.privateKey(), SIGNING_INPUT))).isTrue();
        assertThat(ps256.algorithm()).isEqualTo(JwsAlgorithm.PS256);
    }

    @Test
    void an_ec_public_key_pem_is_loaded_for_es256() throws Exception {
        TestKeys ec = TestKeys.generate(JwsAlgorithm.ES256);

        VerificationKey key = StaticKeyLoader.pem(null, JwsAlgorithm.ES256, ec.publicPem());

        assertThat(key.kid()).isNull();
        assertThat(key.verify(SIGNING_INPUT, sign("SHA256withECDSAinP1363Format", ec.privateKey(), SIGNING_INPUT))).isTrue();
    }

    /**
     * The key factory takes an X.509 EC key whose point is off the curve (an invalid-curve
     * attack's key); the loader must refuse it with the documented exception, not let jjwt's
     * InvalidKeyException escape from the thumbprint. Found by KeyMaterialFuzzTest.
     */
    @Test
    void an_ec_pem_whose_point_is_off_the_curve_is_refused() throws Exception {
        String offCurve = offCurvePem(); // the last byte of y in the uncompressed point flipped

        assertThatThrownBy(() -> StaticKeyLoader.pem("k1", JwsAlgorithm.ES256, offCurve))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not on P-256");
    }

    /**
     * Coordinates above the field prime, and a point off the curve: refused as the loader's
     * IllegalArgumentException with the JDK's providers and again with the native provider the
     * sidecar puts first at start, whichever key factory ends up taking or refusing the encoding.
     */
    @Test
    void an_ec_pem_whose_coordinates_lie_outside_the_field_is_refused_whichever_provider_is_first() throws Exception {
        byte[] der = TestKeys.generate(JwsAlgorithm.ES256).verificationKey().getEncoded();
        Arrays.fill(der, der.length - 64, der.length, (byte) 0xff); // x = y = 2^256 - 1 > p
        String outside = pem("PUBLIC KEY", der);
        String offCurve = offCurvePem();

        for (String provider : List.of("JVM default", "native")) {
            if (provider.equals("native")) {
                NativeCrypto.forJvm().install();
            }
            assertThatThrownBy(() -> StaticKeyLoader.pem("k1", JwsAlgorithm.ES256, outside)).as(provider)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ES256");
            assertThatThrownBy(() -> StaticKeyLoader.pem("k1", JwsAlgorithm.ES256, offCurve)).as(provider)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ES256");
        }
    }

    private static String offCurvePem() {
        byte[] der = TestKeys.generate(JwsAlgorithm.ES256).verificationKey().getEncoded();
        der[der.length - 1] ^= 0x01;
        return pem("PUBLIC KEY", der);
    }

    @Test
    void an_ed25519_public_key_pem_is_loaded_for_eddsa() throws Exception {
        TestKeys ed = TestKeys.generate(JwsAlgorithm.EdDSA);

        VerificationKey key = StaticKeyLoader.pem("e1", JwsAlgorithm.EdDSA, ed.publicPem());

        assertThat(key.verify(SIGNING_INPUT, sign("Ed25519", ed.privateKey(), SIGNING_INPUT))).isTrue();
    }

    @Test
    void a_pem_with_crlf_line_ends_and_text_around_it_is_loaded() {
        String pem = "Subject: issuer.example\r\n" + TestKeys.generate(JwsAlgorithm.ES256).publicPem().replace("\n", "\r\n")
                + "trailing notes\r\n";

        assertThat(StaticKeyLoader.pem("k1", JwsAlgorithm.ES256, pem).algorithm()).isEqualTo(JwsAlgorithm.ES256);
    }

    @Test
    void the_public_key_of_an_x509_certificate_is_loaded() throws Exception {
        KeyPair pair = generate("EC", "secp256r1");
        String certificate = selfSignedEcCertificate(pair);

        VerificationKey key = StaticKeyLoader.pem("c1", JwsAlgorithm.ES256, certificate);

        assertThat(key.verify(SIGNING_INPUT, sign("SHA256withECDSAinP1363Format", pair.getPrivate(), SIGNING_INPUT)))
                .isTrue();
    }

    @Test
    void a_certificate_whose_key_does_not_suit_the_algorithm_is_refused() throws Exception {
        String certificate = selfSignedEcCertificate(generate("EC", "secp256r1"));

        assertThatThrownBy(() -> StaticKeyLoader.pem("c1", JwsAlgorithm.RS256, certificate))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RS256 needs an RSA public key");
        assertThatThrownBy(() -> StaticKeyLoader.pem("c1", JwsAlgorithm.ES384, certificate))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("P-384");
    }

    @Test
    void a_pkcs1_rsa_public_key_block_is_refused_as_unsupported() {
        // The PKCS#1 body is inside the SubjectPublicKeyInfo; the block type alone must refuse it.
        String pkcs1 = pem("RSA PUBLIC KEY", TestKeys.generate(JwsAlgorithm.RS256).verificationKey().getEncoded());

        assertThatThrownBy(() -> StaticKeyLoader.pem("k1", JwsAlgorithm.RS256, pkcs1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'RSA PUBLIC KEY' is not supported")
                .hasMessageContaining("PUBLIC KEY")
                .hasMessageContaining("CERTIFICATE");
    }

    @Test
    void a_private_key_pem_is_refused() {
        String privatePem = pem("PRIVATE KEY", TestKeys.generate(JwsAlgorithm.ES256).privateKey().getEncoded());

        assertThatThrownBy(() -> StaticKeyLoader.pem("k1", JwsAlgorithm.ES256, privatePem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'PRIVATE KEY' is not supported");
    }

    @Test
    void a_pem_for_an_hmac_algorithm_is_refused() {
        String pem = TestKeys.generate(JwsAlgorithm.RS256).publicPem();

        assertThatThrownBy(() -> StaticKeyLoader.pem("k1", JwsAlgorithm.HS256, pem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HS256 takes a secret");
    }

    @Test
    void an_ec_pem_given_for_rs256_is_refused() {
        String ecPem = TestKeys.generate(JwsAlgorithm.ES256).publicPem();

        assertThatThrownBy(() -> StaticKeyLoader.pem("k1", JwsAlgorithm.RS256, ecPem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RS256");
    }

    @Test
    void a_1024_bit_rsa_pem_is_refused() {
        String weak = pem("PUBLIC KEY", generate("RSA", 1024).getPublic().getEncoded());

        assertThatThrownBy(() -> StaticKeyLoader.pem("k1", JwsAlgorithm.RS256, weak))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1024 bits");
    }

    @Test
    void text_that_is_not_pem_is_refused() {
        assertThatThrownBy(() -> StaticKeyLoader.pem("k1", JwsAlgorithm.RS256, "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not PEM");
        assertThatThrownBy(() -> StaticKeyLoader.pem("k1", JwsAlgorithm.RS256, "-----BEGIN PUBLIC KEY-----\nMIIB"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not PEM");
    }

    @Test
    void a_pem_body_that_is_not_base64_or_not_a_key_is_refused() {
        assertThatThrownBy(() -> StaticKeyLoader.pem("k1", JwsAlgorithm.RS256,
                "-----BEGIN PUBLIC KEY-----\nnot*base64!\n-----END PUBLIC KEY-----\n"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StaticKeyLoader.pem("k1", JwsAlgorithm.RS256,
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PEM does not hold a RS256 public key");
    }

    // ---- JWK and JWKS -------------------------------------------------------------------------

    @Test
    void a_single_jwk_is_loaded_with_its_kid_and_alg() throws Exception {
        TestKeys ec = TestKeys.generate(JwsAlgorithm.ES256);
        String json = jwkJson((PublicKey) ec.verificationKey(), "ES256", "k1");

        List<VerificationKey> keys = StaticKeyLoader.jwks(json, null);

        assertThat(keys).singleElement().satisfies(k -> {
            assertThat(k.kid()).isEqualTo("k1");
            assertThat(k.algorithm()).isEqualTo(JwsAlgorithm.ES256);
        });
        assertThat(keys.get(0).verify(SIGNING_INPUT, sign("SHA256withECDSAinP1363Format", ec.privateKey(), SIGNING_INPUT)))
                .isTrue();
    }

    @Test
    void a_jwks_yields_every_key_with_its_own_kid_and_alg() throws Exception {
        PublicKey ec = (PublicKey) TestKeys.generate(JwsAlgorithm.ES384).verificationKey();
        PublicKey rsa = (PublicKey) TestKeys.generate(JwsAlgorithm.PS256).verificationKey();
        PublicKey ed = (PublicKey) TestKeys.generate(JwsAlgorithm.EdDSA).verificationKey();
        String jwks = "{\"keys\":[" + jwkJson(ec, "ES384", "ec-1") + "," + jwkJson(rsa, "PS256", "rsa-1") + ","
                + jwkJson(ed, "EdDSA", "ed-1") + "]}";

        List<VerificationKey> keys = StaticKeyLoader.jwks(jwks, null);

        assertThat(keys).extracting(VerificationKey::kid).containsExactly("ec-1", "rsa-1", "ed-1");
        assertThat(keys).extracting(VerificationKey::algorithm)
                .containsExactly(JwsAlgorithm.ES384, JwsAlgorithm.PS256, JwsAlgorithm.EdDSA);
    }

    @Test
    void a_jwk_without_alg_takes_the_configured_default() {
        String json = jwkJson((PublicKey) TestKeys.generate(JwsAlgorithm.RS256).verificationKey(), null, "k1");

        assertThat(StaticKeyLoader.jwks(json, JwsAlgorithm.RS512)).singleElement()
                .extracting(VerificationKey::algorithm).isEqualTo(JwsAlgorithm.RS512);
    }

    @Test
    void a_jwk_without_alg_and_without_a_default_is_refused() {
        String json = jwkJson((PublicKey) TestKeys.generate(JwsAlgorithm.ES256).verificationKey(), null, "k1");

        assertThatThrownBy(() -> StaticKeyLoader.jwks(json, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'k1'")
                .hasMessageContaining("has no alg");
    }

    @Test
    void a_jwk_with_an_alg_the_verifier_does_not_support_is_refused() {
        String json = jwkJson((PublicKey) TestKeys.generate(JwsAlgorithm.RS256).verificationKey(), "RSA-OAEP", "enc-1");

        assertThatThrownBy(() -> StaticKeyLoader.jwks(json, JwsAlgorithm.RS256))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'enc-1'")
                .hasMessageContaining("unsupported alg 'RSA-OAEP'");
    }

    @Test
    void a_private_jwk_is_refused() {
        KeyPair pair = generate("EC", "secp256r1");
        Jwk<?> privateJwk = Jwks.builder().keyPair(pair).algorithm("ES256").id("k1").build();
        String json = Jwks.UNSAFE_JSON(privateJwk);
        assertThat(json).contains("\"d\"");

        assertThatThrownBy(() -> StaticKeyLoader.jwks(json, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'k1' is a private key; configure the public key only");
    }

    @Test
    void an_ec_jwk_whose_point_is_off_the_curve_is_refused() throws Exception {
        String json = jwkJson((PublicKey) TestKeys.generate(JwsAlgorithm.ES256).verificationKey(), "ES256", "k1");
        Map<String, Object> jwk = members(json);
        byte[] y = Base64.getUrlDecoder().decode((String) jwk.get("y"));
        y[y.length - 1] ^= 0x01;
        jwk.put("y", Base64.getUrlEncoder().withoutPadding().encodeToString(y));
        String offCurve = JSON.writeValueAsString(jwk);

        assertThatThrownBy(() -> StaticKeyLoader.jwks(offCurve, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a usable JWK")
                .hasMessageContaining("curve");
        assertThatThrownBy(() -> StaticKeyLoader.jwks("{\"keys\":[" + offCurve + "]}", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a usable JWK");
    }

    @Test
    void a_weak_rsa_jwk_is_refused() {
        String json = jwkJson(generate("RSA", 1024).getPublic(), "RS256", "weak");

        assertThatThrownBy(() -> StaticKeyLoader.jwks(json, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RSA key is 1024 bits");
    }

    @Test
    void a_jwk_whose_alg_does_not_suit_its_key_is_refused() {
        String json = jwkJson((PublicKey) TestKeys.generate(JwsAlgorithm.ES256).verificationKey(), null, "k1");

        assertThatThrownBy(() -> StaticKeyLoader.jwks(json, JwsAlgorithm.RS256))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RS256 needs an RSA public key");
    }

    @Test
    void an_empty_jwks_and_text_that_is_not_json_are_refused() {
        assertThatThrownBy(() -> StaticKeyLoader.jwks("{\"keys\":[]}", JwsAlgorithm.ES256))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StaticKeyLoader.jwks("not json", JwsAlgorithm.ES256))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a usable JWK");
    }

    /**
     * Whether the document is one JWK or a set must follow from its structure (a top-level
     * {@code keys} member), not from the text {@code "keys"} appearing anywhere in it.
     */
    @Test
    void a_single_jwk_whose_kid_is_keys_is_still_read_as_a_single_jwk() {
        String json = jwkJson((PublicKey) TestKeys.generate(JwsAlgorithm.ES256).verificationKey(), "ES256", "keys");

        List<VerificationKey> keys = StaticKeyLoader.jwks(json, null);

        assertThat(keys).singleElement().extracting(VerificationKey::kid).isEqualTo("keys");
    }
}
