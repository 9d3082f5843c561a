package io.jwtsidecar.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwtsidecar.testing.HeaderLines;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The original request, from each proxy's headers, validated. */
class ForwardedRequestTest {

    private static Function<String, List<String>> headers(String... lines) {
        return HeaderLines.of(lines);
    }

    @Test
    void nginx_describes_it_with_x_original_headers() throws Exception {
        ForwardedRequest r = ForwardedRequest.from(headers("X-Original-Method: DELETE",
                "X-Original-URI: /orders/42?force=1", "Host: 127.0.0.1:8181"), "GET", "");

        assertThat(r).isEqualTo(new ForwardedRequest("DELETE", "127.0.0.1", "/orders/42", "force=1", null));
    }

    @Test
    void traefik_and_caddy_describe_it_with_x_forwarded_headers() throws Exception {
        ForwardedRequest r = ForwardedRequest.from(headers("X-Forwarded-Method: POST", "X-Forwarded-Uri: /a/%62",
                "X-Forwarded-Host: API.Example.com:8443", "X-Forwarded-Proto: HTTPS", "Host: sidecar:8181"), "GET", "");

        assertThat(r).isEqualTo(new ForwardedRequest("POST", "api.example.com", "/a/b", null, "https"));
    }

    @Test
    void envoy_keeps_the_method_and_host_and_appends_the_path() throws Exception {
        ForwardedRequest r = ForwardedRequest.from(headers("Host: shop.example.com"), "PUT", "/cart/7?x=1&y=2");

        assertThat(r).isEqualTo(new ForwardedRequest("PUT", "shop.example.com", "/cart/7", "x=1&y=2", null));
    }

    @Test
    void a_direct_call_has_no_path() throws Exception {
        assertThat(ForwardedRequest.from(headers(), "GET", "").path()).isNull();
    }

    @Test
    void every_source_present_must_agree() throws Exception {
        assertThat(ForwardedRequest.from(headers("X-Forwarded-Uri: /a", "X-Original-URI: /a"), "GET", "/a").path())
                .isEqualTo("/a");
        for (Function<String, List<String>> h : List.of(headers("X-Forwarded-Uri: /public", "X-Original-URI: /admin"),
                headers("X-Forwarded-Method: GET", "X-Original-Method: DELETE"))) {
            assertThatThrownBy(() -> ForwardedRequest.from(h, "GET", "")).isInstanceOf(ForwardAuthException.class)
                    .hasMessageContaining("disagree");
        }
        assertThatThrownBy(() -> ForwardedRequest.from(headers("X-Forwarded-Uri: /public"), "GET", "/admin"))
                .hasMessageContaining("disagree");
        // With the path after /v1/authz (Envoy), the request's own method and Host are the original ones.
        assertThatThrownBy(() -> ForwardedRequest.from(headers("X-Forwarded-Method: GET"), "DELETE", "/admin"))
                .hasMessageContaining("disagree");
        assertThatThrownBy(() -> ForwardedRequest.from(headers("Host: a.example", "X-Forwarded-Host: b.example"), "GET",
                "/admin")).hasMessageContaining("disagree");
        assertThat(ForwardedRequest.from(headers("Host: a.example", "X-Forwarded-Host: a.example",
                "X-Forwarded-Method: GET"), "GET", "/x").host()).isEqualTo("a.example");
    }

    @Test
    void each_header_may_appear_once() {
        for (String name : List.of("X-Forwarded-Uri", "X-Original-URI", "X-Forwarded-Method", "X-Original-Method",
                "X-Forwarded-Host", "X-Forwarded-Proto")) {
            String value = name.endsWith("Proto") ? "https" : name.endsWith("Host") ? "a.example" : name.contains("Method")
                    ? "GET" : "/x";
            assertThatThrownBy(() -> ForwardedRequest.from(headers(name + ": " + value, name + ": " + value), "GET", ""))
                    .as(name).isInstanceOf(ForwardAuthException.class).hasMessageContaining("more than once");
        }
    }

    @Test
    void malformed_parts_are_refused_naming_the_header() {
        Map<String, String> bad = Map.of(
                "X-Forwarded-Method: GET /x", "X-Forwarded-Method",
                "X-Forwarded-Method: " + "A".repeat(33), "X-Forwarded-Method",
                "X-Forwarded-Host: evil.example/path", "X-Forwarded-Host",
                "X-Forwarded-Host: a b", "X-Forwarded-Host",
                "X-Forwarded-Host: user@evil.example", "X-Forwarded-Host",
                "X-Forwarded-Proto: javascript", "X-Forwarded-Proto",
                "X-Forwarded-Uri: orders", "X-Forwarded-Uri",
                "X-Forwarded-Uri: /a?b=\u00e9", "X-Forwarded-Uri",
                "X-Forwarded-Uri: /a/../admin", "X-Forwarded-Uri");
        bad.forEach((line, field) -> assertThatThrownBy(() -> ForwardedRequest.from(headers(line), "GET", ""))
                .as(line).isInstanceOfSatisfying(ForwardAuthException.class, e -> assertThat(e.field()).isEqualTo(field)));
    }

    @Test
    void hosts_lose_port_and_trailing_dot_and_keep_ipv6_brackets() throws Exception {
        assertThat(ForwardedRequest.from(headers("X-Forwarded-Host: Shop.Example.COM."), "GET", "").host())
                .isEqualTo("shop.example.com");
        assertThat(ForwardedRequest.from(headers("Host: [::1]:8080"), "GET", "").host()).isEqualTo("[::1]");
    }
}
