package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Fuzzer-written claims, correctly signed, so that the claims JSON itself is what is attacked:
 * the verifier answers with a verdict, and accepts only claims an independent reading finds
 * valid at the fixed instant (issuer, audience, time claims, string identifiers).
 */
class ClaimsFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FuzzIssuers issuers = new FuzzIssuers();

    @FuzzTest(maxDuration = "2s")
    void signedClaimsGetAVerdict(FuzzedDataProvider data) throws Exception {
        String payload = data.consumeRemainingAsString();

        VerificationOutcome outcome = FuzzIssuers.judged(issuers.verifier(), FuzzIssuers.hs256(FuzzIssuers.HS_HEADER, payload));

        if (outcome.isAccepted()) {
            JsonNode claims = JSON.readTree(payload);
            assertAcceptable(claims);
            assertThat(outcome.token().subject()).isEqualTo(claims.path("sub").textValue());
        }
    }

    /** What an accepted token's claims must satisfy, read without the verifier's code. */
    private static void assertAcceptable(JsonNode claims) {
        double now = FuzzIssuers.NOW.getEpochSecond();
        double skew = FuzzIssuers.SKEW.toSeconds();
        assertThat(claims.path("iss").textValue()).isEqualTo(FuzzIssuers.HS_ISSUER);
        JsonNode exp = claims.get("exp");
        assertThat(exp.isNumber()).as("exp %s", exp).isTrue();
        assertThat(exp.doubleValue()).isGreaterThan(now - skew)
                .isLessThanOrEqualTo(now + FuzzIssuers.LIFETIME.toSeconds() + skew);
        for (String time : new String[] {"nbf", "iat"}) {
            JsonNode n = claims.get(time);
            if (n != null) {
                assertThat(n.isNumber()).as("%s %s", time, n).isTrue();
                assertThat(n.doubleValue()).as(time).isBetween(0.0, now + skew);
            }
        }
        JsonNode aud = claims.get("aud");
        assertThat(aud.isTextual() ? aud.textValue().equals(FuzzIssuers.AUDIENCE)
                : aud.isArray() && aud.toString().contains("\"" + FuzzIssuers.AUDIENCE + "\"")).as("aud %s", aud).isTrue();
        for (String id : new String[] {"sub", "jti", "sid", "client_id", "azp"}) {
            JsonNode n = claims.get(id);
            assertThat(n == null || n.isTextual()).as("%s %s", id, n).isTrue();
        }
    }
}
