package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every error answer of the admin API, byte for byte: clients read these members by name
 * (docs/openapi.yaml), so a status, a member's name or their order changes only on purpose.
 */
class AdminErrorTest {

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of(AdminError.invalidRequest("scope", "must be one of [sub]"), 400,
                        "{\"error\":\"invalid_request\",\"field\":\"scope\",\"message\":\"must be one of [sub]\"}"),
                Arguments.of(AdminError.conflict("at", "earlier than the stored rule"), 409,
                        "{\"error\":\"conflict\",\"field\":\"at\",\"message\":\"earlier than the stored rule\"}"),
                Arguments.of(AdminError.storeUnavailable(), 503, "{\"error\":\"store_unavailable\"}"),
                Arguments.of(AdminError.internal(), 500, "{\"error\":\"internal\"}"),
                Arguments.of(AdminError.publishFailed("e-1", "timed out"), 503,
                        "{\"error\":\"publish_failed\",\"eventId\":\"e-1\",\"message\":\"timed out\"}"),
                Arguments.of(AdminError.refusedBySidecars("e-1", 2, 40L, "clock skew"), 500,
                        "{\"error\":\"refused_by_sidecars\",\"eventId\":\"e-1\",\"partition\":2,\"offset\":40,"
                                + "\"message\":\"clock skew\"}"),
                Arguments.of(AdminError.issuerNotPermitted("https://b.example", "limited to [a]"), 403,
                        "{\"error\":\"issuer_not_permitted\",\"issuer\":\"https://b.example\",\"message\":\"limited to [a]\"}"),
                Arguments.of(AdminError.issuerNotPermitted(null, "spans issuers"), 403,
                        "{\"error\":\"issuer_not_permitted\",\"issuer\":null,\"message\":\"spans issuers\"}"),
                Arguments.of(AdminError.unknownEvent("e-2"), 404,
                        "{\"error\":\"unknown_event\",\"eventId\":\"e-2\","
                                + "\"message\":\"this sidecar has not read that event recently\"}"),
                Arguments.of(AdminError.credentialRefused(401, "unauthorized"), 401, "{\"error\":\"unauthorized\"}"),
                Arguments.of(AdminError.credentialRefused(503, "keys_unavailable"), 503, "{\"error\":\"keys_unavailable\"}"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("errors")
    void each_error_has_its_status_and_exact_body(AdminError error, int status, String body) {
        assertThat(error.status()).isEqualTo(status);
        assertThat(error.body()).isEqualTo(body);
        assertThat(body).startsWith("{\"error\":\"" + error.code() + "\"");
    }
}
