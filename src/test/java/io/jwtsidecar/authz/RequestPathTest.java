package io.jwtsidecar.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A path is read exactly one way, or refused. */
class RequestPathTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "/, /",
            "/orders/42, /orders/42",
            "/orders/, /orders/",
            "/%6Frders/%34%32, /orders/42",          // encoded unreserved characters are decoded
            "/a%7e%2D%5F%2e, /a~-_.",
            "/files/a%20b, /files/a%20b",            // other escapes stay encoded
            "/files/a%c3%a9, /files/a%C3%A9",         // with upper-case hex
            "/v1/%7Bid%7D, /v1/%7Bid%7D",
            "/a/..b/c., /a/..b/c.",                   // dots inside a segment are just characters
            "/a=b/c%2C, /a=b/c%2C",
    })
    void canonical_forms(String raw, String canonical) throws Exception {
        assertThat(RequestPath.canonical(raw, "X-Forwarded-Uri")).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "relative", "*", "http://evil/x",
            "/a/../b", "/a/./b", "/..", "/.", "/a/..", "/a/.", "/a/%2e%2e/b", "/a/%2E/b", "/a/.%2e/b", "/%2e%2e",
            "//a", "/a//b", "/a///",
            "/a%2fb", "/a%2Fb", "/a%5cb", "/a\\b",
            "/a%00b", "/a%0ab", "/a%0Db", "/a%7f",
            "/a%", "/a%2", "/a%zz", "/a%2g",
            "/a b", "/a\tb", "/caf\u00e9", "/a#frag",
            "/a;b=c/d", "/admin;jsessionid=1/users", "/public/..;/admin", "/a%3bb", "/a%3B",
    })
    void ambiguous_or_malformed_paths_are_refused(String raw) {
        assertThatThrownBy(() -> RequestPath.canonical(raw, "X-Forwarded-Uri"))
                .isInstanceOf(ForwardAuthException.class)
                .satisfies(e -> assertThat(((ForwardAuthException) e).field()).isEqualTo("X-Forwarded-Uri"));
    }

    @org.junit.jupiter.api.Test
    void an_overlong_path_is_refused() {
        assertThatThrownBy(() -> RequestPath.canonical("/" + "a".repeat(RequestPath.MAX_LENGTH), "X"))
                .hasMessageContaining("longer than");
    }
}
