package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.AUDIENCE;
import static org.assertj.core.api.Assertions.assertThat;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.testing.TestSidecars;
import io.jwtsidecar.testing.Tokens;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Map;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Revocation rules that a token's own header must not be able to dodge, end to end: a real
 * Kafka broker, a sidecar with its RocksDB store and admin API, tokens minted by jjwt.
 *
 * <p>Two issuers have a single key without a {@code kid} (a PEM public key, an HMAC secret), so
 * the sidecar verifies their tokens with that key whatever {@code kid} the header names. A
 * {@code kid} rule must then match the key that verified the token (its configured kid, or its
 * RFC 7638 thumbprint), not the header. And a token whose {@code iat} is far outside any real
 * time must be refused before a time-based rule could be fooled by it.
 */
class KeyRulesIT {
    private static final String PEM_ISSUER = "https://pem-without-kid.test";
    private static final String SECRET_ISSUER = "https://secret-without-kid.test";
    private static final String SECRET = "a-secret-without-kid-0123456789abcdef-0123";

    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(3);

    private static final TestKeys pemKeys = TestKeys.generate(JwsAlgorithm.ES256);
    private static final SecretKey secretKey = new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    private static final MutableClock clock = MutableClock.atNow();
    private static Sidecar sidecar;

    @BeforeAll
    static void start() throws Exception {
        Path pem = Files.writeString(dir.resolve("issuer.pem"), pemKeys.publicPem());
        // The test issuer of TestSidecars (key hs1), and after it two issuers with one key each and no kid.
        String yaml = TestSidecars.yaml("key-rules", kafka.bootstrapServers(), dir.resolve("data"), true)
                + "  - issuer: " + PEM_ISSUER + "\n"
                + "    audiences: [" + AUDIENCE + "]\n"
                + "    clockSkew: " + TestSidecars.SKEW.toSeconds() + "s\n"
                + "    maxTokenLifetime: 1h\n"
                + "    keys:\n"
                + "      - alg: ES256\n"
                + "        pemFile: " + pem + "\n"
                + "  - issuer: " + SECRET_ISSUER + "\n"
                + "    audiences: [" + AUDIENCE + "]\n"
                + "    clockSkew: " + TestSidecars.SKEW.toSeconds() + "s\n"
                + "    maxTokenLifetime: 1h\n"
                + "    keys:\n"
                + "      - alg: HS256\n"
                + "        secret: " + SECRET + "\n";
        sidecar = TestSidecars.startReady(new ConfigLoader(Map.of()).parse(yaml, dir), clock);
    }

    @AfterAll
    static void stop() {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    /** The RFC 7638 thumbprint as jjwt computes it, independently of the sidecar. */
    private static String jjwtThumbprint(PublicKey key) {
        return Jwks.builder().key(key).build().thumbprint().toString();
    }

    private static String pemToken(String kid, String subject) {
        return Tokens.mint(pemKeys, kid, Tokens.with(Tokens.validClaims(PEM_ISSUER, AUDIENCE, clock.epochSecond()), "sub", subject));
    }

    private static String secretToken(String kid, String subject) {
        var b = Jwts.builder().claims(Tokens.with(Tokens.validClaims(SECRET_ISSUER, AUDIENCE, clock.epochSecond()), "sub", subject));
        if (kid != null) {
            b.header().keyId(kid).and();
        }
        return b.signWith(secretKey, Jwts.SIG.HS256).compact();
    }

    private static void revoke(String scope, String issuer, String value) {
        HttpResponse<String> r = Http.postJson(sidecar.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                "{\"scope\":\"" + scope + "\",\"issuer\":\"" + issuer + "\",\"value\":\"" + value
                        + "\",\"reason\":\"key_compromise\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        // The admin API answers once its own sidecar has applied the rule (read-your-writes).
        assertThat(r.body()).contains("\"appliedLocally\":true");
    }

    private static HttpResponse<String> verify(String token) {
        return Http.verify(sidecar.apiPort(), token);
    }

    private interface Minter {
        String mint(String kid, String subject);
    }

    /**
     * The scenario for one issuer whose only key has no kid. The old code put the header's kid on
     * the verified token whenever the key had none, so a rule for kid "x" revoked a token naming "x"
     * and nothing else: the same key's tokens naming "y", or no kid, passed. And no rule could name
     * the key itself.
     */
    private static void kidRulesMatchTheKeyNotTheHeader(String issuer, Minter mint, String thumbprint, String who) {
        String namesX = mint.mint("x", who);
        String namesY = mint.mint("y", who);
        String namesNone = mint.mint(null, who);
        for (String t : new String[] {namesX, namesY, namesNone}) {
            assertThat(verify(t).statusCode()).as("the issuer's one key verifies whatever kid is named").isEqualTo(200);
        }

        revoke("kid", issuer, "x");
        assertThat(verify(namesX).statusCode())
                .as("a rule for the kid \"x\" a header names is not a rule for the key (the old code revoked this token,"
                        + " and only tokens naming x)")
                .isEqualTo(200);
        assertThat(verify(namesY).statusCode())
                .as("the old dodge: a token naming y escaped the rule for x; now the header plays no part, and the rule"
                        + " for the key's thumbprint below catches every token of the key")
                .isEqualTo(200);

        revoke("kid", issuer, thumbprint);
        for (String[] t : new String[][] {{"naming kid x", namesX}, {"naming kid y", namesY}, {"naming no kid", namesNone},
                {"minted after the rule, naming kid z", mint.mint("z", who)}}) {
            HttpResponse<String> r = verify(t[1]);
            assertThat(r.statusCode()).as("a token %s, verified by the revoked key: %s", t[0], r.body()).isEqualTo(401);
            assertThat(r.body()).contains("\"error\":\"revoked\"");
        }
    }

    @Test
    void a_kid_rule_for_the_thumbprint_of_a_pem_key_without_kid_revokes_its_tokens_whatever_kid_they_name() {
        String thumbprint = jjwtThumbprint((PublicKey) pemKeys.verificationKey());

        kidRulesMatchTheKeyNotTheHeader(PEM_ISSUER, KeyRulesIT::pemToken, thumbprint, "alice");

        assertThat(Http.get(sidecar.apiPort(), "/health/ready").body())
                .as("operators find the thumbprint where the sidecar describes its keys").contains(thumbprint);
    }

    @Test
    void a_kid_rule_for_the_thumbprint_of_a_secret_without_kid_revokes_its_tokens_whatever_kid_they_name() {
        String thumbprint = Jwks.builder().key(secretKey).build().thumbprint().toString();

        kidRulesMatchTheKeyNotTheHeader(SECRET_ISSUER, KeyRulesIT::secretToken, thumbprint, "bob");
    }

    @Test
    void a_token_with_an_iat_far_outside_any_real_time_is_malformed_and_cannot_escape_a_sub_rule() {
        long now = clock.epochSecond();
        String good = TestSidecars.token("mallory", now - 60);
        String[] outside = {"-1e300", String.valueOf(Long.MIN_VALUE)};
        for (String iat : outside) {
            // The old code read this iat as Long.MIN_VALUE, accepted the token, and computed
            // iat - skew <= at with a wrap to a huge positive number: no time-based rule caught it.
            HttpResponse<String> r = verify(forged(iat, now));
            assertThat(r.statusCode()).as("iat %s before any rule: %s", iat, r.body()).isEqualTo(401);
            assertThat(r.body()).contains("\"error\":\"malformed\"");
        }
        assertThat(verify(good).statusCode()).as("the control token of the same subject").isEqualTo(200);

        revoke("sub", TestSidecars.ISSUER, "mallory");

        assertThat(verify(good).body()).as("the rule is in force").contains("\"error\":\"revoked\"");
        for (String iat : outside) {
            HttpResponse<String> r = verify(forged(iat, now));
            assertThat(r.statusCode()).as("iat %s after the sub rule: %s", iat, r.body()).isEqualTo(401);
            assertThat(r.body()).as("refused, whichever check comes first").containsAnyOf("\"error\":\"malformed\"",
                    "\"error\":\"revoked\"");
        }
    }

    /** A token of TestSidecars' issuer for mallory with {@code iat} written exactly as given. */
    private static String forged(String iat, long now) {
        return TestSidecars.tokenWithPayload("{\"iss\":\"" + TestSidecars.ISSUER + "\",\"sub\":\"mallory\",\"aud\":[\""
                + AUDIENCE + "\"],\"jti\":\"j-" + iat + "\",\"iat\":" + iat + ",\"exp\":" + (now + 600) + "}");
    }
}
