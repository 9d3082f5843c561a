package io.jwtsidecar.token;

import static io.jwtsidecar.testing.JwsForge.b64;
import static io.jwtsidecar.testing.JwsForge.json;
import static io.jwtsidecar.testing.JwsForge.signingInput;
import static org.assertj.core.api.Assertions.assertThat;

import io.jsonwebtoken.security.Jwks;
import io.jwtsidecar.testing.JwsForge;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.testing.Tokens;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verifier against tokens of every supported algorithm (minted by jjwt), and against a
 * table of hostile or broken tokens forged byte by byte, each expecting one exact verdict.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenVerifierTest {
    private static final String ISS = "https://issuer.example";
    private static final String AUD = "orders-api";
    private static final String KID = "k1";

    private final MutableClock clock = MutableClock.atNow();
    private final Map<JwsAlgorithm, TestKeys> keys = new HashMap<>();

    private TestKeys keys(JwsAlgorithm alg) {
        return keys.computeIfAbsent(alg, TestKeys::generate);
    }

    private IssuerPolicy policy(JwsAlgorithm alg, String type, Duration maxAge, List<String> required) {
        VerificationKey key = new VerificationKey(KID, alg, keys(alg).verificationKey());
        return new IssuerPolicy(ISS, new StaticKeySource(List.of(key)), Set.of(alg), Set.of(AUD), required, type,
                Duration.ofSeconds(30), Duration.ofHours(1), maxAge);
    }

    private TokenVerifier verifier(JwsAlgorithm alg) {
        return verifier(policy(alg, null, null, List.of()), RevocationCheck.NONE);
    }

    private TokenVerifier verifier(IssuerPolicy policy, RevocationCheck revocation) {
        return new TokenVerifier(List.of(policy), 8192, clock, revocation);
    }

    private Map<String, Object> claims() {
        return Tokens.validClaims(ISS, AUD, clock.epochSecond());
    }

    private Map<String, Object> claimsWith(String name, Object value) {
        return Tokens.with(claims(), name, value);
    }

    private String es256(Map<String, ?> claims) {
        return Tokens.mint(keys(JwsAlgorithm.ES256), KID, claims);
    }

    private String hs256(Map<String, ?> header, String payloadJson) {
        return JwsForge.hmac("HmacSHA256", keys(JwsAlgorithm.HS256).verificationKey().getEncoded(),
                signingInput(json(header), payloadJson));
    }

    private static Map<String, Object> header(Object... kv) {
        Map<String, Object> h = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            h.put((String) kv[i], kv[i + 1]);
        }
        return h;
    }

    @ParameterizedTest(name = "a {0} token minted by jjwt is accepted")
    @EnumSource(JwsAlgorithm.class)
    void acceptsEveryAlgorithm(JwsAlgorithm alg) {
        Map<String, Object> claims = claims();
        VerificationOutcome outcome = verifier(alg).verify(Tokens.mint(keys(alg), KID, claims));

        assertThat(outcome.isAccepted()).as(outcome.toString()).isTrue();
        assertThat(outcome.token().subject()).isEqualTo("alice");
        assertThat(outcome.token().issuer()).isEqualTo(ISS);
        assertThat(outcome.token().jti()).isEqualTo(claims.get("jti"));
        assertThat(outcome.token().keyIds()).containsExactly(KID);
        assertThat(outcome.token().keyThumbprint()).isEqualTo(jjwtThumbprint(keys(alg).verificationKey()));
    }

    @Test
    void claims_with_text_beyond_ascii_are_read_as_utf8_and_forwarded_byte_for_byte() {
        String claimsJson = json(claimsWith("name", "Zoë 漢字 \uD83D\uDE00"));
        String token = hs256(header("alg", "HS256", "kid", KID, "x", "é"), claimsJson);

        VerificationOutcome outcome = verifier(JwsAlgorithm.HS256).verify(token);

        assertThat(outcome.isAccepted()).as(outcome.toString()).isTrue();
        assertThat(outcome.token().claims().text("name")).isEqualTo("Zoë 漢字 \uD83D\uDE00");
        assertThat(new String(outcome.token().claimsJson(), StandardCharsets.UTF_8)).isEqualTo(claimsJson);
    }

    @Test
    void claims_spread_over_lines_with_tabs_and_carriage_returns_are_read() {
        String token = hs256(header("alg", "HS256", "kid", KID),
                "{\r\n\t\"iss\": \"" + ISS + "\",\n\t\"aud\": \"" + AUD + "\",\n\t\"sub\": \"alice\",\n\t\"exp\": "
                        + (clock.epochSecond() + 60) + "\r\n}");

        VerificationOutcome outcome = verifier(JwsAlgorithm.HS256).verify(token);

        assertThat(outcome.isAccepted()).as(outcome.toString()).isTrue();
        assertThat(outcome.token().subject()).isEqualTo("alice");
    }

    /** The RFC 7638 thumbprint of a key as jjwt computes it, independently of the verifier. */
    private static String jjwtThumbprint(Key key) {
        return key instanceof SecretKey secret ? Jwks.builder().key(secret).build().thumbprint().toString()
                : Jwks.builder().key((PublicKey) key).build().thumbprint().toString();
    }

    /** One row: a sentence saying why the token must fail, the verdict, and the verifier and token. */
    private record Row(String should, Verdict expected, Supplier<TokenVerifier> verifier, Supplier<String> token) {
        @Override
        public String toString() {
            return should;
        }
    }

    Stream<Arguments> rejections() {
        List<Row> rows = new ArrayList<>();
        Supplier<TokenVerifier> es = () -> verifier(JwsAlgorithm.ES256);
        Supplier<TokenVerifier> hs = () -> verifier(JwsAlgorithm.HS256);
        Supplier<TokenVerifier> rs = () -> verifier(JwsAlgorithm.RS256);
        String claimsJson = json(claims());

        // alg none, in any letter case, with leftover signatures
        for (String none : List.of("none", "None", "NONE", "nOnE")) {
            rows.add(new Row("should fail because alg is '" + none + "' with a leftover signature",
                    Verdict.ALG_NOT_ALLOWED, hs, () -> signingInput(json(header("alg", none)), claimsJson) + "." + b64("sig")));
        }
        rows.add(new Row("should fail because alg none has an empty signature segment",
                Verdict.MALFORMED, hs, () -> signingInput(json(header("alg", "none")), claimsJson) + "."));
        rows.add(new Row("should fail because alg none has no signature segment at all",
                Verdict.MALFORMED, hs, () -> signingInput(json(header("alg", "none")), claimsJson)));

        // algorithm confusion: HS256 signed with the RSA public key as the secret
        rows.add(new Row("should fail because an HS256 token is signed with the RS256 public key (PEM) as secret",
                Verdict.ALG_NOT_ALLOWED, rs, () -> JwsForge.hmac("HmacSHA256",
                        keys(JwsAlgorithm.RS256).publicPem().getBytes(StandardCharsets.US_ASCII),
                        signingInput(json(header("alg", "HS256", "kid", KID)), claimsJson))));
        rows.add(new Row("should fail because an HS256 token is signed with the RS256 public key (DER) as secret",
                Verdict.ALG_NOT_ALLOWED, rs, () -> JwsForge.hmac("HmacSHA256",
                        keys(JwsAlgorithm.RS256).verificationKey().getEncoded(),
                        signingInput(json(header("alg", "HS256", "kid", KID)), claimsJson))));
        rows.add(new Row("should fail because the header says RS384 but the key is bound to RS256",
                Verdict.ALG_NOT_ALLOWED, () -> verifier(new IssuerPolicy(ISS,
                        new StaticKeySource(List.of(new VerificationKey(KID, JwsAlgorithm.RS256, keys(JwsAlgorithm.RS256).verificationKey()))),
                        Set.of(JwsAlgorithm.RS256, JwsAlgorithm.RS384), Set.of(AUD), List.of(), null,
                        Duration.ofSeconds(30), Duration.ofHours(1), null), RevocationCheck.NONE),
                () -> JwsForge.sign("SHA384withRSA", keys(JwsAlgorithm.RS256).privateKey(),
                        signingInput(json(header("alg", "RS384", "kid", KID)), claimsJson))));
        rows.add(new Row("should fail because the header names an unknown algorithm",
                Verdict.ALG_NOT_ALLOWED, hs, () -> hs256(header("alg", "HS257", "kid", KID), claimsJson)));

        // signature
        rows.add(new Row("should fail because one signature byte is flipped",
                Verdict.BAD_SIGNATURE, es, () -> {
                    String t = es256(claims());
                    char last = t.charAt(t.length() - 6);
                    return t.substring(0, t.length() - 6) + (last == 'A' ? 'B' : 'A') + t.substring(t.length() - 5);
                }));
        rows.add(new Row("should fail because the payload was changed after signing",
                Verdict.BAD_SIGNATURE, es, () -> {
                    String[] p = es256(claims()).split("\\.");
                    return p[0] + "." + b64(json(claimsWith("sub", "mallory"))) + "." + p[2];
                }));
        rows.add(new Row("should fail because the ECDSA signature is all zeros (psychic signature)",
                Verdict.BAD_SIGNATURE, es, () -> signingInput(json(header("alg", "ES256", "kid", KID)), claimsJson)
                        + "." + b64(new byte[64])));
        rows.add(new Row("should fail because the ECDSA signature is DER, not R||S",
                Verdict.BAD_SIGNATURE, es, () -> JwsForge.sign("SHA256withECDSA", keys(JwsAlgorithm.ES256).privateKey(),
                        signingInput(json(header("alg", "ES256", "kid", KID)), claimsJson))));

        // keys
        rows.add(new Row("should fail because the kid names no configured key",
                Verdict.UNKNOWN_KEY, es, () -> Tokens.mint(keys(JwsAlgorithm.ES256), "other", claims())));
        rows.add(new Row("should fail because the kid is 10 KB long",
                Verdict.UNKNOWN_KEY, hs, () -> hs256(header("alg", "HS256", "kid", "k".repeat(5000)), claimsJson)));
        rows.add(new Row("should fail because an embedded jwk header is never trusted",
                Verdict.UNKNOWN_KEY, es, () -> {
                    TestKeys attacker = TestKeys.generate(JwsAlgorithm.ES256);
                    return JwsForge.sign("SHA256withECDSAinP1363Format", attacker.privateKey(),
                            signingInput(json(header("alg", "ES256", "kid", "attacker", "jwk", Map.of("kty", "EC"))), claimsJson));
                }));

        // header semantics
        rows.add(new Row("should fail because crit names an extension",
                Verdict.MALFORMED, hs, () -> hs256(header("alg", "HS256", "kid", KID, "crit", List.of("exp")), claimsJson)));
        rows.add(new Row("should fail because crit is an empty array",
                Verdict.MALFORMED, hs, () -> hs256(header("alg", "HS256", "kid", KID, "crit", List.of()), claimsJson)));
        rows.add(new Row("should fail because b64 is false",
                Verdict.MALFORMED, hs, () -> hs256(header("alg", "HS256", "kid", KID, "b64", false, "crit", List.of("b64")), claimsJson)));
        rows.add(new Row("should fail because the typ is not the one the issuer requires",
                Verdict.BAD_TYPE, () -> verifier(policy(JwsAlgorithm.HS256, "at+jwt", null, List.of()), RevocationCheck.NONE),
                () -> hs256(header("alg", "HS256", "kid", KID, "typ", "JWT"), claimsJson)));

        // parsing
        rows.add(new Row("should fail because it is not a JWT at all", Verdict.MALFORMED, hs, () -> "not-a-token"));
        rows.add(new Row("should fail because it has five segments (JWE)", Verdict.MALFORMED, hs, () -> "a.b.c.d.e"));
        rows.add(new Row("should fail because it is a long run of dots", Verdict.MALFORMED, hs, () -> ".".repeat(8000)));
        rows.add(new Row("should fail because it is the JWS JSON serialization", Verdict.MALFORMED, hs,
                () -> "{\"payload\":\"" + b64(claimsJson) + "\",\"signatures\":[]}"));
        rows.add(new Row("should fail because the header has base64 padding", Verdict.MALFORMED, hs, () -> {
            String t = hs256(header("alg", "HS256", "kid", KID), claimsJson);
            return t.substring(0, t.indexOf('.')) + "=" + t.substring(t.indexOf('.'));
        }));
        rows.add(new Row("should fail because the payload has duplicate members",
                Verdict.MALFORMED, hs, () -> hs256(header("alg", "HS256", "kid", KID),
                        claimsJson.substring(0, claimsJson.length() - 1) + ",\"sub\":\"mallory\"}")));
        rows.add(new Row("should fail because the payload nests 2,000 brackets, past the depth limit",
                Verdict.MALFORMED, hs, () -> hs256(header("alg", "HS256", "kid", KID), "[".repeat(2000) + "]".repeat(2000))));
        rows.add(new Row("should fail fast because 20,000 nested brackets exceed the size cap before parsing",
                Verdict.TOO_LARGE, hs, () -> hs256(header("alg", "HS256", "kid", KID), "[".repeat(20000) + "]".repeat(20000))));
        rows.add(new Row("should fail because the payload is a JSON array",
                Verdict.MALFORMED, hs, () -> hs256(header("alg", "HS256", "kid", KID), "[1,2]")));
        rows.add(new Row("should fail because the token is larger than the limit",
                Verdict.TOO_LARGE, hs, () -> hs256(header("alg", "HS256", "kid", KID), json(claimsWith("pad", "x".repeat(9000))))));

        // claims
        long now = clock.epochSecond();
        rows.add(new Row("should fail because exp is in the past", Verdict.EXPIRED, es, () -> es256(claimsWith("exp", now - 31))));
        rows.add(new Row("should fail because exp is missing", Verdict.MISSING_CLAIM, es, () -> es256(claimsWith("exp", null))));
        rows.add(new Row("should fail because exp is a string", Verdict.MALFORMED, hs,
                () -> hs256(header("alg", "HS256", "kid", KID), json(claimsWith("exp", String.valueOf(now + 600))))));
        rows.add(new Row("should fail because exp is 1e999999", Verdict.MALFORMED, hs,
                () -> hs256(header("alg", "HS256", "kid", KID), claimsJson.replaceFirst("\"exp\":\\d+", "\"exp\":1e999999"))));
        rows.add(new Row("should fail because nbf is in the future beyond the skew", Verdict.NOT_YET_VALID, es,
                () -> es256(claimsWith("nbf", now + 60))));
        rows.add(new Row("should fail because iat is in the future beyond the skew", Verdict.ISSUED_IN_FUTURE, es,
                () -> es256(claimsWith("iat", now + 60))));
        rows.add(new Row("should fail because iss is not configured", Verdict.UNKNOWN_ISSUER, es,
                () -> es256(claimsWith("iss", "https://evil.example"))));
        rows.add(new Row("should fail because iss only has a trailing slash more", Verdict.UNKNOWN_ISSUER, es,
                () -> es256(claimsWith("iss", ISS + "/"))));
        rows.add(new Row("should fail because iss is an array", Verdict.MALFORMED, hs,
                () -> hs256(header("alg", "HS256", "kid", KID), json(claimsWith("iss", List.of(ISS))))));
        rows.add(new Row("should fail because aud names another service", Verdict.BAD_AUDIENCE, es,
                () -> es256(claimsWith("aud", "billing-api"))));
        rows.add(new Row("should fail because aud is missing", Verdict.BAD_AUDIENCE, es, () -> es256(claimsWith("aud", null))));
        rows.add(new Row("should fail because aud is an empty array", Verdict.BAD_AUDIENCE, es, () -> es256(claimsWith("aud", List.of()))));
        rows.add(new Row("should fail because a required claim is missing", Verdict.MISSING_CLAIM,
                () -> verifier(policy(JwsAlgorithm.ES256, null, null, List.of("scope")), RevocationCheck.NONE),
                () -> es256(claims())));
        rows.add(new Row("should fail because the token is older than the maximum age", Verdict.TOKEN_TOO_OLD,
                () -> verifier(policy(JwsAlgorithm.ES256, null, Duration.ofMinutes(5), List.of()), RevocationCheck.NONE),
                () -> es256(claimsWith("iat", now - 600))));
        rows.add(new Row("should fail because sub is a number", Verdict.MALFORMED, hs,
                () -> hs256(header("alg", "HS256", "kid", KID), json(claimsWith("sub", 42)))));

        // revocation
        rows.add(new Row("should fail because a revocation rule matches", Verdict.REVOKED,
                () -> verifier(policy(JwsAlgorithm.ES256, null, null, List.of()), (t, skew) -> RevocationCheck.Status.REVOKED),
                () -> es256(claims())));
        rows.add(new Row("should answer stale (503) because revocation data is not current", Verdict.REVOCATION_DATA_STALE,
                () -> verifier(policy(JwsAlgorithm.ES256, null, null, List.of()), (t, skew) -> RevocationCheck.Status.STALE),
                () -> es256(claims())));
        return rows.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejects(Row row) {
        VerificationOutcome outcome = row.verifier().get().verify(row.token().get());

        assertThat(outcome.isAccepted()).as("accepted a token that %s", row.should()).isFalse();
        assertThat(outcome.verdict()).as(outcome.detail()).isEqualTo(row.expected());
    }

    @Test
    void exp_equal_to_now_is_expired_when_there_is_no_skew() {
        IssuerPolicy noSkew = new IssuerPolicy(ISS, policy(JwsAlgorithm.ES256, null, null, List.of()).keys(),
                Set.of(JwsAlgorithm.ES256), Set.of(AUD), List.of(), null, Duration.ZERO, Duration.ofHours(1), null);

        VerificationOutcome outcome = verifier(noSkew, RevocationCheck.NONE).verify(es256(claimsWith("exp", clock.epochSecond())));

        assertThat(outcome.verdict()).isEqualTo(Verdict.EXPIRED);
    }

    @Test
    void skew_lets_a_token_that_expired_a_moment_ago_pass() {
        VerificationOutcome outcome = verifier(JwsAlgorithm.ES256).verify(es256(claimsWith("exp", clock.epochSecond() - 5)));

        assertThat(outcome.isAccepted()).as(outcome.toString()).isTrue();
    }

    @Test
    void the_revocation_check_sees_the_issuer_skew_and_the_token_facts() {
        List<Object> seen = new ArrayList<>();
        TokenVerifier v = verifier(policy(JwsAlgorithm.ES256, null, null, List.of()), (t, skew) -> {
            seen.add(t.subject());
            seen.add(t.issuedAt());
            seen.add(skew);
            return RevocationCheck.Status.NOT_REVOKED;
        });

        assertThat(v.verify(es256(claims())).isAccepted()).isTrue();
        assertThat(seen).containsExactly("alice", clock.epochSecond() - 10, 30L);
    }

    @Test
    void fractional_numeric_dates_are_legal() {
        VerificationOutcome outcome = verifier(JwsAlgorithm.HS256).verify(hs256(header("alg", "HS256", "kid", KID),
                json(claimsWith("exp", clock.epochSecond() + 60.5))));

        assertThat(outcome.isAccepted()).as(outcome.toString()).isTrue();
    }

    @Test
    void a_crashing_revocation_check_is_a_rejection_never_a_pass() {
        TokenVerifier v = verifier(policy(JwsAlgorithm.ES256, null, null, List.of()), (t, skew) -> {
            throw new IllegalStateException("store is gone");
        });

        assertThat(v.verify(es256(claims())).isAccepted()).isFalse();
    }

    /** Valid claims with one member written as raw JSON text, e.g. {@code -1e300}. */
    private String claimsJsonWithRaw(String name, String rawJson) {
        String json = json(claimsWith(name, null));
        return json.substring(0, json.length() - 1) + ",\"" + name + "\":" + rawJson + "}";
    }

    /**
     * NumericDates outside 1970 to the end of 9999. Such a value is no time any token could mean,
     * and beyond the range of a long it would saturate or wrap in arithmetic on whole seconds
     * (an {@code iat} of -1e300 used to escape every time-based revocation rule).
     */
    Stream<Arguments> timeClaimsOutsideTheRange() {
        List<Arguments> rows = new ArrayList<>();
        for (String claim : List.of("iat", "nbf", "exp")) {
            for (String raw : List.of("-1e300", "1e300", String.valueOf(Long.MIN_VALUE), String.valueOf(Long.MAX_VALUE),
                    "-1", "-0.5", "253402300800", "253402300799.5")) {
                rows.add(Arguments.of(claim, raw));
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "should fail because {0} is {1}, outside the NumericDate range 0 to 253402300799")
    @MethodSource("timeClaimsOutsideTheRange")
    void a_time_claim_outside_1970_to_9999_is_malformed(String claim, String raw) {
        VerificationOutcome outcome = verifier(JwsAlgorithm.HS256).verify(hs256(header("alg", "HS256", "kid", KID),
                claimsJsonWithRaw(claim, raw)));

        assertThat(outcome.verdict()).as(outcome.detail()).isEqualTo(Verdict.MALFORMED);
        assertThat(outcome.detail()).isEqualTo(claim + " must be a NumericDate from 0 to 253402300799"
                + " (1970 to the end of 9999)");
    }

    @Test
    void the_ends_of_the_numeric_date_range_are_time_claims_like_any_other() {
        TokenVerifier v = verifier(JwsAlgorithm.HS256);

        VerificationOutcome epoch = v.verify(hs256(header("alg", "HS256", "kid", KID),
                json(claimsWith("nbf", 0))));
        VerificationOutcome issuedAtEpoch = v.verify(hs256(header("alg", "HS256", "kid", KID),
                json(Tokens.with(claimsWith("iat", 0), "nbf", 0))));
        VerificationOutcome end = v.verify(hs256(header("alg", "HS256", "kid", KID), claimsJsonWithRaw("exp", "253402300799")));

        assertThat(epoch.isAccepted()).as(epoch.toString()).isTrue();
        assertThat(issuedAtEpoch.verdict()).as("in range, but it would live far longer than the issuer's maxTokenLifetime")
                .isEqualTo(Verdict.MALFORMED);
        assertThat(issuedAtEpoch.detail()).isEqualTo("exp is further after iat than the issuer's maxTokenLifetime");
        assertThat(end.verdict()).as("in range, but beyond the issuer's maxTokenLifetime").isEqualTo(Verdict.MALFORMED);
    }

    /** One row: what the issuer's one key is called, what the token names, and whose kid a rule sees. */
    private record KeyRow(String should, String configuredKid, String headerKid, String expectedKid) {
        @Override
        public String toString() {
            return should;
        }
    }

    Stream<Arguments> keyIdentities() {
        return Stream.of(
                new KeyRow("a token naming another kid, verified by the issuer's only key (which has no kid),"
                        + " carries that key's identity: no kid", null, "y", null),
                new KeyRow("a token naming no kid, verified by the issuer's only key (which has no kid),"
                        + " carries that key's identity: no kid", null, null, null),
                new KeyRow("a token naming the key's kid carries the key's configured kid", KID, KID, KID),
                new KeyRow("a token naming no kid, verified by the issuer's only key k1, carries k1", KID, null, KID))
                .map(Arguments::of);
    }

    /**
     * kid rules match the key that verified the token, never the header's claim: a header can
     * name anything when the issuer's only key has no kid.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("keyIdentities")
    void a_verified_token_carries_the_identity_of_the_key_that_verified_it(KeyRow row) {
        VerificationKey key = new VerificationKey(row.configuredKid(), JwsAlgorithm.ES256, keys(JwsAlgorithm.ES256).verificationKey());
        TokenVerifier v = verifier(new IssuerPolicy(ISS, new StaticKeySource(List.of(key)), Set.of(JwsAlgorithm.ES256),
                Set.of(AUD), List.of(), null, Duration.ofSeconds(30), Duration.ofHours(1), null), RevocationCheck.NONE);

        VerificationOutcome outcome = v.verify(Tokens.mint(keys(JwsAlgorithm.ES256), row.headerKid(), claims()));

        assertThat(outcome.isAccepted()).as(outcome.toString()).isTrue();
        assertThat(outcome.token().keyIds()).isEqualTo(row.expectedKid() == null ? List.of() : List.of(row.expectedKid()));
        assertThat(outcome.token().keyThumbprint()).isEqualTo(key.thumbprint())
                .isEqualTo(jjwtThumbprint(keys(JwsAlgorithm.ES256).verificationKey()));
    }
}
