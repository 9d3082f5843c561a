package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.CompressionAlgorithm;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEEncrypter;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.PasswordBasedEncrypter;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.crypto.impl.AESGCM;
import com.nimbusds.jose.crypto.impl.AuthenticatedCipherText;
import com.nimbusds.jose.crypto.impl.ConcatKDF;
import com.nimbusds.jose.crypto.impl.ECDH;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.Container;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.jwtsidecar.app.NativeCrypto;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.token.keys.ContentEncryption;
import io.jwtsidecar.token.keys.DecryptionKey;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.KeyManagementAlgorithm;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Encrypted access tokens (nested JWTs: RFC 7516 compact JWE around an RFC 7515 JWS, RFC 7519
 * §5.2, §11.2), made by an independent JOSE library (nimbus-jose-jwt): one row per rule of
 * RFC 8725 §3 that applies to JWE and per MUST of RFC 7516/7519 for nested JWTs, accepted and
 * refused, each with its exact verdict; then the cache (a repeat costs no decryption, and still
 * gets its time and revocation checks) and the invalid-curve attack on ECDH-ES.
 *
 * <p>{@value #ISS} sends encrypted tokens only ({@code encryption: required}) with four keys;
 * {@value #OTHER} may send either, and has a key of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EncryptedTokenTest {
    private static final String ISS = "https://idp.example.com";
    private static final String OTHER = "https://other.example.com";
    private static final String AUD = "orders";
    private static final String RESOURCE = "https://api.example.com/orders/42";
    private static final int MAX_TOKEN_BYTES = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutableClock clock = MutableClock.atNow();
    private final ECKey issSigning = ecKey(Curve.P_256, "iss-sig");
    private final ECKey otherSigning = ecKey(Curve.P_256, "other-sig");
    private final RSAKey issRsa = rsaKey("enc-rsa");
    private final ECKey issP256 = ecKey(Curve.P_256, "enc-p256");
    private final ECKey issP384 = ecKey(Curve.P_384, "enc-p384");
    private final ECKey issP521 = ecKey(Curve.P_521, "enc-p521");
    private final RSAKey otherRsa = rsaKey("other-enc");
    private final RSAKey strangerRsa = rsaKey("enc-rsa");
    private final byte[] dirSecret = new byte[32];

    private final TokenVerifier verifier = verifier(RevocationCheck.NONE, false);

    private IssuerPolicy policy(String issuer, ECKey signing, EncryptionPolicy encryption) {
        try {
            VerificationKey key = new VerificationKey(signing.getKeyID(), JwsAlgorithm.ES256, signing.toECPublicKey());
            return new IssuerPolicy(issuer, new StaticKeySource(List.of(key)), Set.of(JwsAlgorithm.ES256), Set.of(AUD),
                    List.of(), null, Duration.ofSeconds(30), Duration.ofHours(24), null, DpopPolicy.DEFAULT, encryption);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param withDir whether {@value #OTHER} also has a {@code dir} key (kid enc-dir) */
    private TokenVerifier verifier(RevocationCheck revocation, boolean withDir) {
        try {
            EncryptionPolicy iss = new EncryptionPolicy(EncryptionPolicy.Mode.REQUIRED, List.of(
                    new DecryptionKey("enc-rsa", KeyManagementAlgorithm.RSA_OAEP_256, issRsa.toRSAPrivateKey()),
                    new DecryptionKey("enc-p256", KeyManagementAlgorithm.ECDH_ES, issP256.toECPrivateKey()),
                    new DecryptionKey("enc-p384", KeyManagementAlgorithm.ECDH_ES_A256KW, issP384.toECPrivateKey()),
                    new DecryptionKey("enc-p521", KeyManagementAlgorithm.ECDH_ES_A256KW, issP521.toECPrivateKey())),
                    ContentEncryption.ALL);
            List<DecryptionKey> otherKeys = withDir
                    ? List.of(new DecryptionKey("other-enc", KeyManagementAlgorithm.RSA_OAEP_256, otherRsa.toRSAPrivateKey()),
                            new DecryptionKey("enc-dir", KeyManagementAlgorithm.DIR, new SecretKeySpec(dirSecret, "AES")))
                    : List.of(new DecryptionKey("other-enc", KeyManagementAlgorithm.RSA_OAEP_256, otherRsa.toRSAPrivateKey()));
            EncryptionPolicy other = new EncryptionPolicy(EncryptionPolicy.Mode.ALLOWED, otherKeys, ContentEncryption.ALL);
            return new TokenVerifier(List.of(policy(ISS, issSigning, iss), policy(OTHER, otherSigning, other)),
                    MAX_TOKEN_BYTES, clock, revocation, 1 << 20);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- token making, all by nimbus ----

    private JWTClaimsSet.Builder claims(String issuer) {
        return new JWTClaimsSet.Builder().issuer(issuer).audience(AUD).subject("alice")
                .expirationTime(new Date((clock.epochSecond() + 600) * 1000));
    }

    private static String signed(JWTClaimsSet claims, ECKey key) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private String innerOfIss() {
        return signed(claims(ISS).build(), issSigning);
    }

    private static JWEHeader.Builder header(JWEAlgorithm alg, EncryptionMethod enc, @Nullable String kid) {
        return new JWEHeader.Builder(alg, enc).keyID(kid).contentType("JWT");
    }

    private static String encrypt(JWEHeader header, String content, JWEEncrypter encrypter) {
        try {
            JWEObject jwe = new JWEObject(header, new Payload(content));
            jwe.encrypt(encrypter);
            return jwe.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWEEncrypter rsa(RSAKey key) {
        try {
            return new RSAEncrypter(key.toRSAPublicKey());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWEEncrypter ecdh(ECKey key) {
        try {
            return new ECDHEncrypter(key.toECPublicKey());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The usual token: ISS's signed JWT, encrypted to ISS's RSA key with A256GCM. */
    private String rsaJwe() {
        return encrypt(header(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").build(), innerOfIss(), rsa(issRsa));
    }

    /** Segment {@code index} of a compact token with one character in its middle changed. */
    private static String tamper(String token, int index) {
        String[] parts = token.split("\\.", -1);
        String s = parts[index];
        int at = s.length() / 2;
        parts[index] = s.substring(0, at) + (s.charAt(at) == 'A' ? 'B' : 'A') + s.substring(at + 1);
        return String.join(".", parts);
    }

    /** The same token with its protected header rewritten (so any tag over it no longer holds). */
    private static String rewriteHeader(String token, Consumer<ObjectNode> change) {
        try {
            int dot = token.indexOf('.');
            ObjectNode header = (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(token.substring(0, dot)));
            change.accept(header);
            return Base64URL.encode(JSON.writeValueAsBytes(header)) + token.substring(dot);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the table ----

    private record Row(String sentence, Supplier<String> token, @Nullable Verdict expected) {
        @Override
        public String toString() {
            return sentence;
        }
    }

    private static Row accept(String sentence, Supplier<String> token) {
        return new Row(sentence, token, null);
    }

    private static Row refuse(String sentence, Supplier<String> token, Verdict verdict) {
        return new Row(sentence, token, verdict);
    }

    Stream<Row> rows() {
        return Stream.of(
                // Each key management algorithm and content encryption taken (RFC 7518 §4, §5).
                accept("RSA-OAEP-256 with A256GCM is accepted", this::rsaJwe),
                accept("RSA-OAEP-256 with A128CBC-HS256 is accepted", () -> encrypt(header(JWEAlgorithm.RSA_OAEP_256,
                        EncryptionMethod.A128CBC_HS256, "enc-rsa").build(), innerOfIss(), rsa(issRsa))),
                accept("RSA-OAEP-256 with A128GCM is accepted", () -> encrypt(header(JWEAlgorithm.RSA_OAEP_256,
                        EncryptionMethod.A128GCM, "enc-rsa").build(), innerOfIss(), rsa(issRsa))),
                accept("RSA-OAEP-256 with A256CBC-HS512 is accepted", () -> encrypt(header(JWEAlgorithm.RSA_OAEP_256,
                        EncryptionMethod.A256CBC_HS512, "enc-rsa").build(), innerOfIss(), rsa(issRsa))),
                accept("ECDH-ES on P-256 with A256GCM is accepted", () -> encrypt(header(JWEAlgorithm.ECDH_ES,
                        EncryptionMethod.A256GCM, "enc-p256").build(), innerOfIss(), ecdh(issP256))),
                accept("ECDH-ES on P-256 with A128CBC-HS256 is accepted", () -> encrypt(header(JWEAlgorithm.ECDH_ES,
                        EncryptionMethod.A128CBC_HS256, "enc-p256").build(), innerOfIss(), ecdh(issP256))),
                accept("ECDH-ES+A256KW on P-384 with A256GCM is accepted", () -> encrypt(header(JWEAlgorithm.ECDH_ES_A256KW,
                        EncryptionMethod.A256GCM, "enc-p384").build(), innerOfIss(), ecdh(issP384))),
                accept("ECDH-ES+A256KW on P-521 with A128CBC-HS256 is accepted", () -> encrypt(header(JWEAlgorithm.ECDH_ES_A256KW,
                        EncryptionMethod.A128CBC_HS256, "enc-p521").build(), innerOfIss(), ecdh(issP521))),
                accept("without kid, the keys bound to the alg are tried (ECDH-ES+A256KW: the one on the epk's curve)",
                        () -> encrypt(header(JWEAlgorithm.ECDH_ES_A256KW, EncryptionMethod.A256GCM, null).build(),
                                innerOfIss(), ecdh(issP521))),
                accept("without kid, RSA-OAEP-256: both issuers' RSA keys are tried, and ISS's opens it",
                        () -> encrypt(header(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, null).build(),
                                innerOfIss(), rsa(issRsa))),
                accept("RFC 7519 §5.2: cty is compared ignoring case (jwt)", () -> encrypt(new JWEHeader.Builder(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM).keyID("enc-rsa").contentType("jwt").build(),
                        innerOfIss(), rsa(issRsa))),
                accept("RFC 7515 §4.1.10: cty application/JWT is the same media type", () -> encrypt(new JWEHeader.Builder(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM).keyID("enc-rsa").contentType("application/JWT")
                        .build(), innerOfIss(), rsa(issRsa))),
                refuse("cty JWS (another media type) is refused", () -> encrypt(new JWEHeader.Builder(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM).keyID("enc-rsa").contentType("JWS").build(),
                        innerOfIss(), rsa(issRsa)), Verdict.JWE_NOT_NESTED),
                accept("RFC 7519 §5.3: iss, sub and aud replicated in the header, equal to the inner claims, are accepted",
                        () -> encrypt(header(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa")
                                .issuer(ISS).subject("alice").audience(List.of(AUD)).build(),
                                innerOfIss(), rsa(issRsa))),
                accept("an issuer with encryption: allowed takes its encrypted tokens", () -> encrypt(header(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "other-enc").build(),
                        signed(claims(OTHER).build(), otherSigning), rsa(otherRsa))),
                accept("an issuer with encryption: allowed takes its plain signed tokens",
                        () -> signed(claims(OTHER).build(), otherSigning)),

                // RFC 8725 §3.1, §3.2: algorithms.
                refuse("RFC 8725 §3.2: RSA1_5 (Bleichenbacher) is never accepted", () -> rewriteHeader(rsaJwe(),
                        h -> h.put("alg", "RSA1_5")), Verdict.JWE_ALGORITHM_NOT_ALLOWED),
                refuse("RFC 8725 §3.2: PBES2 (a password, the sender's iteration count) is never accepted", () -> encrypt(
                        header(JWEAlgorithm.PBES2_HS256_A128KW, EncryptionMethod.A256GCM, "enc-rsa").build(), innerOfIss(),
                        new PasswordBasedEncrypter("a password of some length", 16, 1000)), Verdict.JWE_ALGORITHM_NOT_ALLOWED),
                refuse("RFC 8725 §3.1: dir is refused when no symmetric key is configured for it", () -> encrypt(
                        header(JWEAlgorithm.DIR, EncryptionMethod.A256GCM, null).build(), innerOfIss(), direct(dirSecret)),
                        Verdict.JWE_ALGORITHM_NOT_ALLOWED),
                refuse("RFC 8725 §3.1: a key is used with its one algorithm (kid of the RSA key, alg ECDH-ES)", () -> encrypt(
                        header(JWEAlgorithm.ECDH_ES, EncryptionMethod.A256GCM, "enc-rsa").build(), innerOfIss(), ecdh(issP256)),
                        Verdict.JWE_ALGORITHM_NOT_ALLOWED),
                refuse("an enc outside the accepted set (A192GCM) is refused", () -> encrypt(header(JWEAlgorithm.RSA_OAEP_256,
                        EncryptionMethod.A192GCM, "enc-rsa").build(), innerOfIss(), rsa(issRsa)),
                        Verdict.JWE_ALGORITHM_NOT_ALLOWED),
                // RFC 8725 §3.6: no compression.
                refuse("RFC 8725 §3.6: zip DEF is refused before decryption", () -> encrypt(header(JWEAlgorithm.RSA_OAEP_256,
                        EncryptionMethod.A256GCM, "enc-rsa").compressionAlgorithm(CompressionAlgorithm.DEF).build(),
                        innerOfIss(), rsa(issRsa)), Verdict.JWE_COMPRESSION_REFUSED),
                // RFC 7516 §4.1.13: crit.
                refuse("RFC 7516 §4.1.13: a crit extension this verifier does not understand is refused", () -> encrypt(
                        header(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").customParam("exp", 1)
                                .criticalParams(Set.of("exp")).build(), innerOfIss(), rsa(issRsa)), Verdict.JWE_MALFORMED),
                // RFC 7519 §5.2: nested JWTs only.
                refuse("RFC 7519 §5.2: a JWE without cty is not a nested JWT", () -> encrypt(new JWEHeader.Builder(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM).keyID("enc-rsa").build(), innerOfIss(),
                        rsa(issRsa)), Verdict.JWE_NOT_NESTED),
                refuse("RFC 7519 §5.2: cty other than JWT is refused", () -> encrypt(new JWEHeader.Builder(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM).keyID("enc-rsa").contentType("json").build(),
                        innerOfIss(), rsa(issRsa)), Verdict.JWE_NOT_NESTED),
                refuse("a bare claims set inside (encrypted, not signed) is refused: only a signature makes a token good",
                        () -> encrypt(header(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").build(),
                                claims(ISS).build().toString(), rsa(issRsa)), Verdict.JWE_NOT_NESTED),
                refuse("an unsigned JWT inside (alg none, empty signature) is refused", () -> encrypt(header(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").build(),
                        new PlainJWT(claims(ISS).build()).serialize(), rsa(issRsa)), Verdict.JWE_NOT_NESTED),
                refuse("an unsigned JWT inside with a signature tacked on (alg none) is refused as for any token", () -> encrypt(
                        header(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").build(),
                        new PlainJWT(claims(ISS).build()).serialize() + "c2ln", rsa(issRsa)), Verdict.ALG_NOT_ALLOWED),
                refuse("a JWE inside a JWE is not a signed JWT", () -> encrypt(header(JWEAlgorithm.RSA_OAEP_256,
                        EncryptionMethod.A256GCM, "enc-rsa").build(), rsaJwe(), rsa(issRsa)), Verdict.JWE_NOT_NESTED),
                refuse("the inner JWT signed with a key that is not ISS's is refused", () -> encrypt(header(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").build(),
                        signed(claims(ISS).build(), new ECKey.Builder(otherSigning).keyID("iss-sig").build()), rsa(issRsa)),
                        Verdict.BAD_SIGNATURE),
                refuse("the inner JWT of another issuer, encrypted to ISS's key, is refused", () -> encrypt(header(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").build(),
                        signed(claims(OTHER).build(), otherSigning), rsa(issRsa)), Verdict.JWE_ISSUER_MISMATCH),
                refuse("the inner claims are checked as for any token (expired)", () -> encrypt(header(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").build(),
                        signed(claims(ISS).expirationTime(new Date((clock.epochSecond() - 600) * 1000)).build(), issSigning),
                        rsa(issRsa)), Verdict.EXPIRED),
                // RFC 7519 §5.3: replicated claims.
                refuse("RFC 7519 §5.3: iss replicated in the header must equal the inner iss", () -> encrypt(header(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").issuer(OTHER).build(),
                        innerOfIss(), rsa(issRsa)), Verdict.JWE_HEADER_CLAIM_MISMATCH),
                refuse("RFC 7519 §5.3: sub replicated in the header must equal the inner sub", () -> encrypt(header(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").subject("mallory").build(),
                        innerOfIss(), rsa(issRsa)), Verdict.JWE_HEADER_CLAIM_MISMATCH),
                refuse("RFC 7519 §5.3: aud replicated in the header must equal the inner aud", () -> encrypt(header(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").audience(List.of("billing")).build(),
                        innerOfIss(), rsa(issRsa)), Verdict.JWE_HEADER_CLAIM_MISMATCH),
                // RFC 7516 §5.2 (integrity) and RFC 8725 §3.3: every decryption failure is one answer.
                refuse("a changed ciphertext does not decrypt", () -> tamper(rsaJwe(), 3), Verdict.JWE_DECRYPTION_FAILED),
                refuse("a changed authentication tag does not decrypt", () -> tamper(rsaJwe(), 4), Verdict.JWE_DECRYPTION_FAILED),
                refuse("a changed IV does not decrypt", () -> tamper(rsaJwe(), 2), Verdict.JWE_DECRYPTION_FAILED),
                refuse("a changed encrypted key does not decrypt", () -> tamper(rsaJwe(), 1), Verdict.JWE_DECRYPTION_FAILED),
                refuse("a changed protected header (the AAD) does not decrypt", () -> rewriteHeader(rsaJwe(),
                        h -> h.put("x", "y")), Verdict.JWE_DECRYPTION_FAILED),
                refuse("a changed CBC ciphertext does not decrypt (the HMAC is checked before the padding)", () -> tamper(
                        encrypt(header(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A128CBC_HS256, "enc-rsa").build(),
                                innerOfIss(), rsa(issRsa)), 3), Verdict.JWE_DECRYPTION_FAILED),
                refuse("a JWE encrypted to another key under a configured kid does not decrypt", () -> encrypt(header(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").build(), innerOfIss(),
                        rsa(strangerRsa)), Verdict.JWE_DECRYPTION_FAILED),
                refuse("a JWE encrypted to another key, without kid, does not decrypt with any key tried", () -> encrypt(
                        header(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, null).build(), innerOfIss(),
                        rsa(strangerRsa)), Verdict.JWE_DECRYPTION_FAILED),
                refuse("a kid naming no decryption key is refused", () -> encrypt(header(JWEAlgorithm.RSA_OAEP_256,
                        EncryptionMethod.A256GCM, "enc-unknown").build(), innerOfIss(), rsa(issRsa)), Verdict.JWE_UNKNOWN_KEY),
                // Sizes and structure before anything is decrypted.
                refuse("a token over verify.maxTokenBytes is refused before it is parsed", () -> encrypt(header(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").build(),
                        signed(claims(ISS).claim("pad", "x".repeat(MAX_TOKEN_BYTES)).build(), issSigning), rsa(issRsa)),
                        Verdict.TOO_LARGE),
                refuse("a protected header over 4096 characters is refused before decryption", () -> encrypt(header(
                        JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").customParam("pad", "x".repeat(3100))
                        .build(), innerOfIss(), rsa(issRsa)), Verdict.JWE_MALFORMED),
                refuse("a protected header with a duplicate member is refused", () -> Base64URL.encode(
                        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"cty\":\"JWT\",\"alg\":\"dir\"}") + rsaJwe()
                        .substring(rsaJwe().indexOf('.')), Verdict.JWE_MALFORMED),
                refuse("five segments that are not a JWE header are refused", () -> "a.b.c.d.e", Verdict.JWE_MALFORMED),
                refuse("a tag in non-canonical base64url (a changed unused bit: the same bytes) is refused", () -> {
                    String token = rsaJwe();
                    int last = token.length() - 1;
                    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                    return token.substring(0, last) + alphabet.charAt(alphabet.indexOf(token.charAt(last)) ^ 1);
                }, Verdict.JWE_MALFORMED),
                refuse("an encrypted key in non-canonical base64url is refused", () -> {
                    String[] p = rsaJwe().split("\\.");
                    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                    int last = p[1].length() - 1;
                    p[1] = p[1].substring(0, last) + alphabet.charAt(alphabet.indexOf(p[1].charAt(last)) ^ 1);
                    return String.join(".", p);
                }, Verdict.JWE_MALFORMED),
                refuse("an empty ciphertext is refused", () -> {
                    String[] p = rsaJwe().split("\\.");
                    return p[0] + "." + p[1] + "." + p[2] + ".." + p[4];
                }, Verdict.JWE_MALFORMED),
                // encryption: required.
                refuse("encryption: required refuses the issuer's plain signed token", this::innerOfIss,
                        Verdict.ENCRYPTION_REQUIRED));
    }

    private static JWEEncrypter direct(byte[] secret) {
        try {
            return new DirectEncrypter(secret);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void each_rule_gets_its_verdict(Row row) {
        VerificationOutcome outcome = verifier.verify(row.token().get());

        assertThat(outcome.verdict()).as(row.sentence() + ": " + outcome.detail()).isEqualTo(row.expected());
        if (row.expected() == Verdict.JWE_DECRYPTION_FAILED) {
            // One detail for every way decryption fails: no oracle in the answer.
            assertThat(outcome.detail()).isEqualTo("the token could not be decrypted");
        }
    }

    /** The sidecar puts AWS-LC first in the provider list where it loads; jjwt must still open every accepted form. */
    @Test
    void every_accepted_form_opens_with_the_native_provider_first_too() {
        NativeCrypto.forJvm().install();
        TokenVerifier fresh = verifier(RevocationCheck.NONE, false);

        rows().filter(r -> r.expected() == null).forEach(r ->
                assertThat(fresh.verify(r.token().get()).verdict()).as(r.sentence()).isNull());
    }

    @Test
    void an_accepted_encrypted_token_carries_the_inner_claims_and_the_issuer() {
        VerificationOutcome outcome = verifier.verify(rsaJwe());

        assertThat(outcome.isAccepted()).as(String.valueOf(outcome.detail())).isTrue();
        assertThat(outcome.token().issuer()).isEqualTo(ISS);
        assertThat(outcome.token().subject()).isEqualTo("alice");
    }

    @Test
    void dir_is_accepted_when_a_symmetric_key_is_configured_for_it() {
        TokenVerifier withDir = verifier(RevocationCheck.NONE, true);
        String token = encrypt(header(JWEAlgorithm.DIR, EncryptionMethod.A256GCM, "enc-dir").build(),
                signed(claims(OTHER).build(), otherSigning), direct(dirSecret));

        assertThat(withDir.verify(token).verdict()).isNull();
        assertThat(verifier.verify(token).verdict()).isEqualTo(Verdict.JWE_UNKNOWN_KEY);
    }

    @Test
    void a_dir_key_is_only_used_with_the_content_encryption_its_length_fits() {
        TokenVerifier withDir = verifier(RevocationCheck.NONE, true);
        // nimbus takes the 32-byte key as A128CBC-HS256's; the configured key is there for it too,
        // but a header naming A128GCM (16 bytes) must not get that key at all.
        String token = rewriteHeader(encrypt(header(JWEAlgorithm.DIR, EncryptionMethod.A128CBC_HS256, "enc-dir").build(),
                signed(claims(OTHER).build(), otherSigning), direct(dirSecret)), h -> h.put("enc", "A128GCM"));

        VerificationOutcome outcome = withDir.verify(token);

        assertThat(outcome.verdict()).isEqualTo(Verdict.JWE_ALGORITHM_NOT_ALLOWED);
        assertThat(withDir.decryptions()).isZero();
    }

    /**
     * RFC 7518 §4.5, §4.6: with {@code dir} and ECDH-ES (direct key agreement) the encrypted key
     * is the empty octet sequence. The segment is covered by no tag, so a key-management step that
     * ignores it would open any bytes put there: one token, countless spellings, each a miss in
     * the verified-token cache and a decryption and signature check more.
     */
    @Test
    void a_direct_key_agreement_token_with_an_encrypted_key_is_refused_before_decrypting() {
        TokenVerifier withDir = verifier(RevocationCheck.NONE, true);
        String ecdhEs = encrypt(header(JWEAlgorithm.ECDH_ES, EncryptionMethod.A256GCM, "enc-p256").build(), innerOfIss(),
                ecdh(issP256));
        String dir = encrypt(header(JWEAlgorithm.DIR, EncryptionMethod.A128CBC_HS256, "enc-dir").build(),
                signed(claims(OTHER).build(), otherSigning), direct(dirSecret));
        assertThat(withDir.verify(ecdhEs).verdict()).as("ECDH-ES as sent").isNull();
        assertThat(withDir.verify(dir).verdict()).as("dir as sent").isNull();
        long decryptions = withDir.decryptions();

        for (String token : List.of(ecdhEs, dir)) {
            String[] p = token.split("\\.", -1);
            String respelt = p[0] + ".AAAA." + p[2] + "." + p[3] + "." + p[4];

            VerificationOutcome outcome = withDir.verify(respelt);

            assertThat(outcome.verdict()).as(outcome.detail()).isEqualTo(Verdict.JWE_MALFORMED);
        }
        assertThat(withDir.decryptions()).isEqualTo(decryptions);
    }

    /**
     * RFC 7516 §5.2 step 10, RFC 7518 §5.3: the CEK has the length the enc needs. A JWE whose
     * header says A128GCM but whose encrypted key holds 32 bytes is AES-256-GCM under another
     * name; it must not decrypt, else the enc values an issuer is restricted to say nothing of
     * the cipher its tokens use.
     */
    @Test
    void a_content_encryption_key_of_another_length_than_the_enc_needs_does_not_decrypt() throws Exception {
        for (int cekBytes : new int[] {16, 32}) {
            String header = Base64URL.encode("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A128GCM\",\"kid\":\"enc-rsa\",\"cty\":\"JWT\"}")
                    .toString();
            byte[] cek = new byte[cekBytes];
            new SecureRandom().nextBytes(cek);
            javax.crypto.Cipher oaep = javax.crypto.Cipher.getInstance("RSA/ECB/OAEPPadding");
            oaep.init(javax.crypto.Cipher.ENCRYPT_MODE, issRsa.toRSAPublicKey(), new javax.crypto.spec.OAEPParameterSpec("SHA-256",
                    "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, javax.crypto.spec.PSource.PSpecified.DEFAULT));
            byte[] iv = AESGCM.generateIV(new SecureRandom());
            AuthenticatedCipherText sealed = AESGCM.encrypt(new SecretKeySpec(cek, "AES"), new Container<>(iv),
                    innerOfIss().getBytes(StandardCharsets.US_ASCII), header.getBytes(StandardCharsets.US_ASCII), null);
            String token = header + "." + Base64URL.encode(oaep.doFinal(cek)) + "." + Base64URL.encode(iv) + "."
                    + Base64URL.encode(sealed.getCipherText()) + "." + Base64URL.encode(sealed.getAuthenticationTag());

            VerificationOutcome outcome = verifier.verify(token);

            assertThat(outcome.verdict()).as(cekBytes + "-byte CEK: " + outcome.detail())
                    .isEqualTo(cekBytes == 16 ? null : Verdict.JWE_DECRYPTION_FAILED);
        }
    }

    @Test
    void an_issuer_restricted_to_some_content_encryptions_refuses_the_others_before_decrypting() throws Exception {
        TokenVerifier restricted = new TokenVerifier(List.of(policy(ISS, issSigning, new EncryptionPolicy(
                EncryptionPolicy.Mode.ALLOWED,
                List.of(new DecryptionKey("enc-rsa", KeyManagementAlgorithm.RSA_OAEP_256, issRsa.toRSAPrivateKey())),
                Set.of(ContentEncryption.A256GCM)))), MAX_TOKEN_BYTES, clock, RevocationCheck.NONE);

        assertThat(restricted.verify(rsaJwe()).verdict()).isNull();
        assertThat(restricted.verify(encrypt(header(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A128CBC_HS256, "enc-rsa")
                .build(), innerOfIss(), rsa(issRsa))).verdict()).isEqualTo(Verdict.JWE_ALGORITHM_NOT_ALLOWED);
        assertThat(restricted.decryptions()).isEqualTo(1);
    }

    @Test
    void an_inner_token_over_the_size_limit_is_refused_even_if_the_outer_one_was_within_it() {
        NestedJwe small = NestedJwe.of(List.of(policy(ISS, issSigning, new EncryptionPolicy(EncryptionPolicy.Mode.ALLOWED,
                List.of(issuerRsaKey()), ContentEncryption.ALL))), 64).orElseThrow();

        NestedJwe.Result result = small.open(rsaJwe());

        assertThat(result).isInstanceOf(NestedJwe.Refused.class);
        assertThat(((NestedJwe.Refused) result).verdict()).isEqualTo(Verdict.TOO_LARGE);
    }

    private DecryptionKey issuerRsaKey() {
        try {
            return new DecryptionKey("enc-rsa", KeyManagementAlgorithm.RSA_OAEP_256, issRsa.toRSAPrivateKey());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void a_repeated_token_is_answered_from_the_cache_without_decrypting_again() {
        String token = rsaJwe();

        assertThat(verifier.verify(token).isAccepted()).isTrue();
        long decryptions = verifier.decryptions();
        long hits = verifier.cacheHits();
        assertThat(verifier.verify(token).isAccepted()).isTrue();

        assertThat(verifier.decryptions()).isEqualTo(decryptions);
        assertThat(verifier.cacheHits()).isEqualTo(hits + 1);
    }

    @Test
    void a_cache_hit_still_checks_expiry() {
        TokenVerifier own = verifier(RevocationCheck.NONE, false);
        String token = rsaJwe();
        assertThat(own.verify(token).isAccepted()).isTrue();
        long decryptions = own.decryptions();

        clock.advance(Duration.ofMinutes(20));
        try {
            assertThat(own.verify(token).verdict()).isEqualTo(Verdict.EXPIRED);
            assertThat(own.decryptions()).isEqualTo(decryptions);
        } finally {
            clock.advance(Duration.ofMinutes(-20));
        }
    }

    @Test
    void a_cache_hit_still_checks_revocation() {
        boolean[] revoked = {false};
        TokenVerifier own = verifier((t, skew) -> revoked[0] ? RevocationCheck.Status.REVOKED
                : RevocationCheck.Status.NOT_REVOKED, false);
        String token = rsaJwe();
        assertThat(own.verify(token).isAccepted()).isTrue();

        revoked[0] = true;

        assertThat(own.verify(token).verdict()).isEqualTo(Verdict.REVOKED);
        assertThat(own.cacheHits()).isEqualTo(1);
    }

    @Test
    void the_inner_token_alone_is_not_accepted_for_an_issuer_that_requires_encryption_even_after_its_jwe_was() {
        String inner = innerOfIss();
        String jwe = encrypt(header(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").build(), inner, rsa(issRsa));
        assertThat(verifier.verify(jwe).isAccepted()).isTrue();

        assertThat(verifier.verify(inner).verdict()).isEqualTo(Verdict.ENCRYPTION_REQUIRED);
    }

    @Test
    void a_signed_token_costs_no_decryption() {
        long before = verifier.decryptions();

        verifier.verify(signed(claims(OTHER).build(), otherSigning));

        assertThat(verifier.decryptions()).isEqualTo(before);
    }

    @Test
    void without_a_kid_at_most_three_keys_are_tried() {
        try {
            List<DecryptionKey> keys = List.of(
                    new DecryptionKey("a", KeyManagementAlgorithm.RSA_OAEP_256, issRsa.toRSAPrivateKey()),
                    new DecryptionKey("b", KeyManagementAlgorithm.RSA_OAEP_256, otherRsa.toRSAPrivateKey()),
                    new DecryptionKey("c", KeyManagementAlgorithm.RSA_OAEP_256, strangerRsa.toRSAPrivateKey()),
                    new DecryptionKey("d", KeyManagementAlgorithm.RSA_OAEP_256, rsaKey("d").toRSAPrivateKey()));
            TokenVerifier four = new TokenVerifier(List.of(policy(ISS, issSigning,
                    new EncryptionPolicy(EncryptionPolicy.Mode.ALLOWED, keys, ContentEncryption.ALL))),
                    MAX_TOKEN_BYTES, clock, RevocationCheck.NONE);
            String token = encrypt(header(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, null).build(),
                    innerOfIss(), rsa(issRsa));

            assertThat(four.verify(token).verdict()).isEqualTo(Verdict.JWE_UNKNOWN_KEY);
            assertThat(four.decryptions()).isZero();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Two issuers of one provider (say, two tenants) holding the same decryption key, tokens
     * without kid: whichever issuer's copy of the key is tried first opens every token, and the
     * token of the other must still be taken as its own issuer's, not refused as a mismatch.
     */
    @Test
    void without_a_kid_a_key_shared_by_two_issuers_opens_the_tokens_of_each() throws Exception {
        EncryptionPolicy shared = new EncryptionPolicy(EncryptionPolicy.Mode.REQUIRED,
                List.of(new DecryptionKey(null, KeyManagementAlgorithm.RSA_OAEP_256, issRsa.toRSAPrivateKey())),
                ContentEncryption.ALL);
        TokenVerifier two = new TokenVerifier(List.of(policy(ISS, issSigning, shared), policy(OTHER, otherSigning, shared)),
                MAX_TOKEN_BYTES, clock, RevocationCheck.NONE);

        for (String inner : List.of(innerOfIss(), signed(claims(OTHER).build(), otherSigning))) {
            String token = encrypt(header(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, null).build(), inner, rsa(issRsa));

            VerificationOutcome outcome = two.verify(token);

            assertThat(outcome.verdict()).as(outcome.detail()).isNull();
        }
    }

    @Test
    void with_no_decryption_key_anywhere_a_jwe_stays_malformed_and_costs_nothing() {
        TokenVerifier plain = new TokenVerifier(List.of(policy(OTHER, otherSigning, EncryptionPolicy.NONE)),
                MAX_TOKEN_BYTES, clock, RevocationCheck.NONE);

        assertThat(plain.verify(rsaJwe()).verdict()).isEqualTo(Verdict.MALFORMED);
        assertThat(plain.decryptions()).isZero();
    }

    // ---- DPoP: ath is over the token as presented ----

    private String proof(ECKey client, String ath) {
        try {
            SignedJWT proof = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("dpop+jwt"))
                    .jwk(client.toPublicJWK()).build(), new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString())
                    .claim("htm", "GET").claim("htu", RESOURCE).issueTime(new Date(clock.epochSecond() * 1000))
                    .claim("ath", ath).build());
            proof.sign(new ECDSASigner(client));
            return proof.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String token) {
        try {
            return Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)))
                    .toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void a_dpop_bound_encrypted_token_needs_a_proof_whose_ath_hashes_the_jwe_as_presented() throws Exception {
        ECKey client = ecKey(Curve.P_256, "client");
        String inner = signed(claims(ISS).claim("cnf", Map.of("jkt", client.computeThumbprint().toString())).build(),
                issSigning);
        String jwe = encrypt(header(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").build(), inner, rsa(issRsa));

        assertThat(verifier.verifyDpop(jwe, new DpopProofCheck.Request(List.of(proof(client, sha256(jwe))), "GET", RESOURCE))
                .verdict()).isNull();
        assertThat(verifier.verifyDpop(jwe, new DpopProofCheck.Request(List.of(proof(client, sha256(inner))), "GET", RESOURCE))
                .verdict()).as("ath over the inner token").isEqualTo(Verdict.DPOP_PROOF_ATH_MISMATCH);
        assertThat(verifier.verify(jwe).verdict()).isEqualTo(Verdict.DPOP_REQUIRED);
    }

    @Test
    void a_certificate_bound_encrypted_token_needs_the_certificate_its_inner_cnf_names() throws Exception {
        byte[] certificate = MessageDigest.getInstance("SHA-256").digest("a client certificate".getBytes(StandardCharsets.US_ASCII));
        String inner = signed(claims(ISS).claim("cnf", Map.of("x5t#S256", Base64URL.encode(certificate).toString())).build(),
                issSigning);
        String jwe = encrypt(header(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM, "enc-rsa").build(), inner, rsa(issRsa));

        assertThat(CertificateBinding.check(verifier.verify(jwe), () -> certificate).verdict()).isNull();
        assertThat(CertificateBinding.check(verifier.verify(jwe), () -> null).verdict()).isEqualTo(Verdict.CERTIFICATE_MISSING);
    }

    // ---- the invalid-curve attack on ECDH-ES ----

    /**
     * An attacker sends an {@code epk} that is not on P-256 but on another curve of small order
     * (same {@code a}, another {@code b}); a recipient that multiplies it by its private key
     * without checking the point leaks that key modulo the small order, one guess per token.
     * The token here is built so that such a recipient would decrypt it: the shared secret is
     * d·epk computed with the curve formulas, which never use {@code b}, and nimbus's Concat KDF
     * and AES-GCM do the rest. The same construction with a point on the curve is accepted, so
     * the refusal is the point check, not the construction.
     */
    @Test
    void an_ephemeral_key_off_the_curve_is_refused_and_the_same_construction_on_the_curve_is_accepted() throws Exception {
        AffineCurve p256 = AffineCurve.of(issP256.toECPrivateKey().getParams());
        BigInteger d = issP256.toECPrivateKey().getS();
        ECKey ephemeral = ecKey(Curve.P_256, "eph");
        AffineCurve.Point onCurve = new AffineCurve.Point(ephemeral.getX().decodeToBigInteger(),
                ephemeral.getY().decodeToBigInteger());
        AffineCurve.Point offCurve = new AffineCurve.Point(onCurve.x(), onCurve.y().add(BigInteger.ONE));
        assertThat(p256.contains(onCurve)).isTrue();
        assertThat(p256.contains(offCurve)).isFalse();

        String good = ecdhByHand(p256, d, onCurve);
        String evil = ecdhByHand(p256, d, offCurve);

        assertThat(verifier.verify(good).verdict()).as("the construction itself is sound").isNull();
        VerificationOutcome refused = verifier.verify(evil);
        assertThat(refused.verdict()).isEqualTo(Verdict.JWE_DECRYPTION_FAILED);
        assertThat(refused.detail()).isEqualTo("the token could not be decrypted");
    }

    /** An ECDH-ES / A256GCM JWE for ISS's P-256 key with {@code epk} as its ephemeral public key. */
    private String ecdhByHand(AffineCurve curve, BigInteger d, AffineCurve.Point epk) throws Exception {
        AffineCurve.Point shared = curve.multiply(epk, d);
        byte[] z = AffineCurve.fixed(shared.x(), 32);
        String headerJson = "{\"alg\":\"ECDH-ES\",\"enc\":\"A256GCM\",\"kid\":\"enc-p256\",\"cty\":\"JWT\",\"epk\":{"
                + "\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + Base64URL.encode(AffineCurve.fixed(epk.x(), 32))
                + "\",\"y\":\"" + Base64URL.encode(AffineCurve.fixed(epk.y(), 32)) + "\"}}";
        String headerB64 = Base64URL.encode(headerJson.getBytes(StandardCharsets.UTF_8)).toString();
        JWEHeader kdfHeader = new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A256GCM).build();
        SecretKey cek = ECDH.deriveSharedKey(kdfHeader,
                new SecretKeySpec(z, "AES"), new ConcatKDF("SHA-256"));
        byte[] iv = AESGCM.generateIV(new SecureRandom());
        AuthenticatedCipherText sealed = AESGCM.encrypt(
                new SecretKeySpec(cek.getEncoded(), "AES"), new Container<>(iv),
                innerOfIss().getBytes(StandardCharsets.US_ASCII), headerB64.getBytes(StandardCharsets.US_ASCII), null);
        return headerB64 + ".." + Base64URL.encode(iv) + "." + Base64URL.encode(sealed.getCipherText()) + "."
                + Base64URL.encode(sealed.getAuthenticationTag());
    }

    // ---- keys ----

    private static ECKey ecKey(Curve curve, String kid) {
        try {
            return new ECKeyGenerator(curve).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey rsaKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
