package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.testing.JwsForge;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.testing.Tokens;
import io.jsonwebtoken.Jwts;
import io.jwtsidecar.token.keys.ContentEncryption;
import io.jwtsidecar.token.keys.DecryptionKey;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.KeyManagementAlgorithm;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * The verifier the token fuzz tests attack: two issuers, one HS256 with a fixed secret (and a
 * {@code dir} key for encrypted tokens) and one ES256 with a fresh key, and a clock that stands still.
 *
 * <p>The secret and the instant are fixed so that HS256 tokens written into the seed corpus keep
 * verifying: a seed that passes the signature lets the fuzzer start its mutations past it.
 */
final class FuzzIssuers {
    static final String HS_ISSUER = "https://hs.fuzz.example";
    static final String ES_ISSUER = "https://es.fuzz.example";
    static final String AUDIENCE = "orders-api";
    static final String KID = "k1";
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration SKEW = Duration.ofSeconds(30);
    static final Duration LIFETIME = Duration.ofHours(1);
    static final String HS_HEADER = "{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}";
    /** Prefix of the detail of a rejection for an exception the verifier did not expect. */
    static final String UNEXPECTED = "verification failed: ";
    static final String DIR_KID = "dir-1";
    private static final byte[] DIR_KEY = "fuzz-only-dir-key-0123456789abcd".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HS_SECRET = "fuzz-only-hs256-secret-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final TestKeys es256 = TestKeys.generate(JwsAlgorithm.ES256);
    private final TokenVerifier verifier;

    FuzzIssuers() {
        VerificationKey hs = new VerificationKey(KID, JwsAlgorithm.HS256, new SecretKeySpec(HS_SECRET, "HmacSHA256"));
        VerificationKey es = new VerificationKey(KID, JwsAlgorithm.ES256, es256.verificationKey());
        // The HS256 issuer also takes encrypted tokens, with a dir key: every five-segment input
        // goes through NestedJwe, fast enough (no private-key operation) for the fuzzer.
        EncryptionPolicy dir = new EncryptionPolicy(EncryptionPolicy.Mode.ALLOWED,
                List.of(new DecryptionKey(DIR_KID, KeyManagementAlgorithm.DIR, new SecretKeySpec(DIR_KEY, "AES"))),
                ContentEncryption.ALL);
        verifier = new TokenVerifier(List.of(policy(HS_ISSUER, hs, dir), policy(ES_ISSUER, es, EncryptionPolicy.NONE)),
                8192, new MutableClock(NOW), RevocationCheck.NONE);
    }

    private static IssuerPolicy policy(String issuer, VerificationKey key, EncryptionPolicy encryption) {
        return new IssuerPolicy(issuer, new StaticKeySource(List.of(key)), Set.of(key.algorithm()), Set.of(AUDIENCE),
                List.of(), null, SKEW, LIFETIME, null, DpopPolicy.DEFAULT, encryption);
    }

    /** {@link #validHs256()} encrypted by jjwt to the HS256 issuer's dir key (A256GCM, a fresh IV each call). */
    static String validJwe() {
        return Jwts.builder().header().keyId(DIR_KID).and()
                .content(validHs256().getBytes(StandardCharsets.US_ASCII), "JWT")
                .encryptWith(new SecretKeySpec(DIR_KEY, "AES"), Jwts.ENC.A256GCM).compact();
    }

    TokenVerifier verifier() {
        return verifier;
    }

    /** An HS256 token over exactly these header and payload texts (deterministic: no random parts). */
    static String hs256(String headerJson, String payloadJson) {
        return JwsForge.hmac("HmacSHA256", HS_SECRET, JwsForge.signingInput(headerJson, payloadJson));
    }

    /** Claims of the HS256 issuer the verifier accepts at {@link #NOW}, as fixed JSON text. */
    static String validHsPayload() {
        long now = NOW.getEpochSecond();
        return "{\"iss\":\"" + HS_ISSUER + "\",\"sub\":\"alice\",\"aud\":[\"" + AUDIENCE + "\"],"
                + "\"jti\":\"0b5c1f3e-9d2a-4a7e-8c11-2f6b7d9e4a10\",\"iat\":" + (now - 10) + ",\"exp\":" + (now + 600) + "}";
    }

    /** A good HS256 token; the same string on every call. */
    static String validHs256() {
        return hs256(HS_HEADER, validHsPayload());
    }

    /** A good ES256 token minted by jjwt with this instance's key. */
    String validEs256() {
        return Tokens.mint(es256, KID, Tokens.validClaims(ES_ISSUER, AUDIENCE, NOW.getEpochSecond()));
    }

    /**
     * The verifier's contract for any input: an outcome, never an exception, and never the
     * catch-all rejection that stands for an exception nobody anticipated (a bug hiding as a 401).
     */
    static VerificationOutcome judged(TokenVerifier verifier, String token) {
        VerificationOutcome outcome = verifier.verify(token);
        assertThat(outcome).isNotNull();
        if (!outcome.isAccepted()) {
            assertThat(outcome.detail()).as(outcome.toString()).doesNotStartWith(UNEXPECTED);
        }
        return outcome;
    }
}
