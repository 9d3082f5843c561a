package io.jwtsidecar.authz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.token.ClaimValues;
import io.jwtsidecar.token.Verdict;
import io.jwtsidecar.token.VerifiedToken;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * maxAge holds only for an auth_time that is a NumericDate no later than now: exp, nbf and iat
 * are held to the same range by the verifier. An out-of-range or future auth_time must never
 * count as a recent sign-in.
 */
class AuthTimeRangeTest {
    private static final long NOW = 1_800_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Requirements FIVE_MINUTES = new Requirements(Set.of(), Set.of(), Map.of(), List.of(), List.of(),
            Duration.ofMinutes(5));

    private static VerifiedToken token(String claimsJson) throws Exception {
        ObjectNode claims = (ObjectNode) JSON.readTree(claimsJson);
        return new VerifiedToken(claims.path("iss").asText(), claims.path("sub").asText(null), null, null, null,
                List.of(), "thumb", null, NOW + 600, "", claimsJson.getBytes(StandardCharsets.UTF_8), null,
                new ClaimValues(claims), null);
    }

    static Stream<Arguments> authTimes() {
        return Stream.of(
                Arguments.of("Long.MIN_VALUE (now - auth_time overflows)", Long.toString(Long.MIN_VALUE)),
                Arguments.of("2^64 + now (truncated to now)", BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(NOW)).toString()),
                Arguments.of("1e300 (saturates to Long.MAX_VALUE)", "1e300"),
                Arguments.of("a day in the future", Long.toString(NOW + 86_400)),
                Arguments.of("the year 3000", "32503680000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("authTimes")
    void an_auth_time_that_is_no_sign_in_time_never_satisfies_max_age(String name, String authTime) throws Exception {
        AuthzDecision d = FIVE_MINUTES.check(token("{\"iss\":\"https://idp\",\"sub\":\"ann\",\"auth_time\":" + authTime + "}"),
                NOW, 0);

        assertThat(d.verdict()).isEqualTo(Verdict.INSUFFICIENT_USER_AUTHENTICATION);
    }
}
