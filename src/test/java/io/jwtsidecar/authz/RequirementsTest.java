package io.jwtsidecar.authz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.token.ClaimValues;
import io.jwtsidecar.token.Verdict;
import io.jwtsidecar.token.VerifiedToken;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every requirement of a route, passing and failing, with the verdict it fails with. */
class RequirementsTest {
    private static final long NOW = 1_800_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static VerifiedToken token(String claimsJson) {
        try {
            ObjectNode claims = (ObjectNode) JSON.readTree(claimsJson);
            byte[] bytes = claimsJson.getBytes(StandardCharsets.UTF_8);
            return new VerifiedToken(claims.path("iss").asText(), claims.path("sub").asText(null), null, null, null,
                    List.of(), "thumb", null, NOW + 600, "", bytes, null, new ClaimValues(claims), null);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Requirements issuers(String... i) {
        return new Requirements(Set.of(i), Set.of(), Map.of(), List.of(), List.of(), null);
    }

    private static Requirements audiences(String... a) {
        return new Requirements(Set.of(), Set.of(a), Map.of(), List.of(), List.of(), null);
    }

    private static Requirements claims(Map<String, Set<String>> c) {
        return new Requirements(Set.of(), Set.of(), c, List.of(), List.of(), null);
    }

    private static Requirements scopes(String... s) {
        return new Requirements(Set.of(), Set.of(), Map.of(), List.of(s), List.of(), null);
    }

    private static Requirements stepUp(List<String> acr, Duration maxAge) {
        return new Requirements(Set.of(), Set.of(), Map.of(), List.of(), acr, maxAge);
    }

    static Stream<Arguments> cases() {
        String base = "\"iss\":\"https://idp\",\"sub\":\"ann\"";
        return Stream.of(
                Arguments.of("no requirements", Requirements.none(), "{" + base + "}", null),
                Arguments.of("issuer listed", issuers("https://idp", "https://other"), "{" + base + "}", null),
                Arguments.of("issuer not listed", issuers("https://other"), "{" + base + "}", Verdict.ACCESS_DENIED),
                Arguments.of("aud string", audiences("orders"), "{" + base + ",\"aud\":\"orders\"}", null),
                Arguments.of("aud list", audiences("orders"), "{" + base + ",\"aud\":[\"x\",\"orders\"]}", null),
                Arguments.of("aud other", audiences("orders"), "{" + base + ",\"aud\":[\"billing\"]}", Verdict.ACCESS_DENIED),
                Arguments.of("aud missing", audiences("orders"), "{" + base + "}", Verdict.ACCESS_DENIED),
                Arguments.of("claim string", claims(Map.of("tenant", Set.of("acme"))), "{" + base + ",\"tenant\":\"acme\"}", null),
                Arguments.of("claim other", claims(Map.of("tenant", Set.of("acme"))), "{" + base + ",\"tenant\":\"globex\"}",
                        Verdict.ACCESS_DENIED),
                Arguments.of("claim list member", claims(Map.of("roles", Set.of("admin"))),
                        "{" + base + ",\"roles\":[\"reader\",\"admin\"]}", null),
                Arguments.of("claim list without", claims(Map.of("roles", Set.of("admin"))),
                        "{" + base + ",\"roles\":[\"reader\"]}", Verdict.ACCESS_DENIED),
                Arguments.of("claim number", claims(Map.of("level", Set.of("3"))), "{" + base + ",\"level\":3}", null),
                Arguments.of("claim boolean", claims(Map.of("email_verified", Set.of("true"))),
                        "{" + base + ",\"email_verified\":true}", null),
                Arguments.of("claim object never matches", claims(Map.of("tenant", Set.of("{}"))),
                        "{" + base + ",\"tenant\":{}}", Verdict.ACCESS_DENIED),
                Arguments.of("claim missing", claims(Map.of("tenant", Set.of("acme"))), "{" + base + "}", Verdict.ACCESS_DENIED),
                Arguments.of("scope string", scopes("orders:read", "orders:write"),
                        "{" + base + ",\"scope\":\"orders:write openid orders:read\"}", null),
                Arguments.of("scp list", scopes("orders:read"), "{" + base + ",\"scp\":[\"orders:read\"]}", null),
                Arguments.of("scope and scp together", scopes("a", "b"), "{" + base + ",\"scope\":\"a\",\"scp\":[\"b\"]}", null),
                Arguments.of("scope missing one", scopes("orders:read", "orders:write"),
                        "{" + base + ",\"scope\":\"orders:read\"}", Verdict.INSUFFICIENT_SCOPE),
                Arguments.of("scope prefix is not the scope", scopes("orders"), "{" + base + ",\"scope\":\"orders:read\"}",
                        Verdict.INSUFFICIENT_SCOPE),
                Arguments.of("no scope claim", scopes("orders:read"), "{" + base + "}", Verdict.INSUFFICIENT_SCOPE),
                Arguments.of("malformed scope", scopes("orders:read"), "{" + base + ",\"scope\":[\"orders:read\"]}",
                        Verdict.INSUFFICIENT_SCOPE),
                Arguments.of("acr accepted", stepUp(List.of("mfa", "hwk"), null), "{" + base + ",\"acr\":\"hwk\"}", null),
                Arguments.of("acr other", stepUp(List.of("mfa"), null), "{" + base + ",\"acr\":\"pwd\"}",
                        Verdict.INSUFFICIENT_USER_AUTHENTICATION),
                Arguments.of("acr missing", stepUp(List.of("mfa"), null), "{" + base + "}",
                        Verdict.INSUFFICIENT_USER_AUTHENTICATION),
                Arguments.of("auth_time recent", stepUp(List.of(), Duration.ofMinutes(5)),
                        "{" + base + ",\"auth_time\":" + (NOW - 300) + "}", null),
                Arguments.of("auth_time too old", stepUp(List.of(), Duration.ofMinutes(5)),
                        "{" + base + ",\"auth_time\":" + (NOW - 301) + "}", Verdict.INSUFFICIENT_USER_AUTHENTICATION),
                Arguments.of("auth_time missing", stepUp(List.of(), Duration.ofMinutes(5)), "{" + base + "}",
                        Verdict.INSUFFICIENT_USER_AUTHENTICATION),
                Arguments.of("auth_time not a number", stepUp(List.of(), Duration.ofMinutes(5)),
                        "{" + base + ",\"auth_time\":\"" + NOW + "\"}", Verdict.INSUFFICIENT_USER_AUTHENTICATION));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void requirement(String name, Requirements requirements, String claims, Verdict expected) {
        AuthzDecision decision = requirements.check(token(claims), NOW, 0);

        assertThat(decision.verdict()).isEqualTo(expected);
        assertThat(decision.allowed()).isEqualTo(expected == null);
    }

    @org.junit.jupiter.api.Test
    void refusals_say_what_the_client_needs() {
        Requirements scoped = scopes("orders:read", "orders:write");
        assertThat(scoped.check(token("{\"iss\":\"i\"}"), NOW, 0).scopes()).containsExactly("orders:read", "orders:write");

        Requirements both = stepUp(List.of("mfa", "hwk"), Duration.ofMinutes(10));
        AuthzDecision wrongAcr = both.check(token("{\"iss\":\"i\",\"acr\":\"pwd\",\"auth_time\":" + NOW + "}"), NOW, 0);
        AuthzDecision oldAuth = both.check(token("{\"iss\":\"i\",\"acr\":\"mfa\",\"auth_time\":" + (NOW - 3600) + "}"), NOW, 0);

        assertThat(wrongAcr.stepUp()).isEqualTo(new AuthzDecision.StepUp(List.of("mfa", "hwk"), Duration.ofMinutes(10), true));
        assertThat(oldAuth.stepUp()).isEqualTo(new AuthzDecision.StepUp(List.of("mfa", "hwk"), Duration.ofMinutes(10), false));
    }

    @org.junit.jupiter.api.Test
    void an_auth_time_may_be_ahead_by_the_issuers_clock_skew_and_no_more() {
        Requirements fresh = stepUp(List.of(), Duration.ofMinutes(5));

        assertThat(fresh.check(token("{\"iss\":\"i\",\"auth_time\":" + (NOW + 30) + "}"), NOW, 30).allowed()).isTrue();
        assertThat(fresh.check(token("{\"iss\":\"i\",\"auth_time\":" + (NOW + 31) + "}"), NOW, 30).allowed()).isFalse();
        assertThat(fresh.check(token("{\"iss\":\"i\",\"auth_time\":" + (NOW - 100) + ".5}"), NOW, 30).allowed()).isTrue();
    }

    @org.junit.jupiter.api.Test
    void step_up_comes_after_every_other_requirement() {
        Requirements all = new Requirements(Set.of(), Set.of(), Map.of(), List.of("orders:write"), List.of("mfa"), null);

        assertThat(all.check(token("{\"iss\":\"i\",\"acr\":\"pwd\"}"), NOW, 0).verdict()).isEqualTo(Verdict.INSUFFICIENT_SCOPE);
    }
}
