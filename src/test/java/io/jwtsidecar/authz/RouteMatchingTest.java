package io.jwtsidecar.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every matcher of a route: path template, path prefix, host, method, and first-match order. */
class RouteMatchingTest {

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
            "/orders/{id}, /orders/42, true",
            "/orders/{id}, /orders/, false",
            "/orders/{id}, /orders, false",
            "/orders/{id}, /orders/42/items, false",
            "/orders/{id}/items, /orders/42/items, true",
            "/orders/{id}/items, /orders/42/item, false",
            "/files/**, /files, true",
            "/files/**, /files/a/b/c, true",
            "/files/**, /filesystem, false",
            "/, /, true",
            "/, /a, false",
            "/a/, /a/, true",
            "/a/, /a, true",                      // one trailing slash is ignored on both sides
            "/a, /a/, true",
            "/orders/{id}, /orders/42/, true",
            "/orders/{id}/items, /orders/42/items/, true",
            "/a%20b, /a%20b, true",
    })
    void templates(String template, String path, boolean covered) {
        assertThat(PathPattern.template(template).matches(path)).isEqualTo(covered);
    }

    @ParameterizedTest(name = "prefix {0} covers {1}: {2}")
    @CsvSource({
            "/orders, /orders, true",
            "/orders, /orders/, true",
            "/orders/42, /orders/42/, true",
            "/orders, /orders/42/x, true",
            "/orders, /orders-admin, false",
            "/orders, /ordersX, false",
            "/orders, /order, false",
            "/orders/, /orders, true",
            "/orders/, /orders/1, true",
            "/, /anything/at/all, true",
            "/a/b, /a, false",
    })
    void prefixes(String prefix, String path, boolean covered) {
        assertThat(PathPattern.prefix(prefix).matches(path)).isEqualTo(covered);
    }

    @Test
    void patterns_must_be_canonical_and_use_placeholders_whole() {
        for (String bad : List.of("/a/../b", "/a//b", "/%6Frders", "relative", "/a/**/b", "/a/{id", "/a/x{id}", "/a/*")) {
            assertThatThrownBy(() -> PathPattern.template(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> PathPattern.prefix("/a/{id}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PathPattern.template("/%6Frders")).hasMessageContaining("'/orders'");
    }

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
            "api.example.com, api.example.com, true",
            "API.example.com, api.example.com, true",
            "api.example.com, www.example.com, false",
            "*.example.com, a.example.com, true",
            "*.example.com, a.b.example.com, true",
            "*.example.com, example.com, false",
            "*.example.com, evilexample.com, false",
            "*.example.com, a.example.com.evil, false",
    })
    void hosts(String pattern, String host, boolean covered) {
        assertThat(HostPattern.of(pattern).matches(host)).isEqualTo(covered);
    }

    @Test
    void a_host_pattern_is_a_name_without_port() {
        for (String bad : List.of("api.example.com:443", "*", "a.*.com", "http://a", "")) {
            assertThatThrownBy(() -> HostPattern.of(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(HostPattern.of("api.example.com").matches(null)).isFalse();
    }

    private static RouteRule route(String name, List<String> hosts, Set<String> methods, PathPattern path) {
        return new RouteRule(name, hosts.stream().map(HostPattern::of).toList(), methods, path, Requirements.none(),
                List.of());
    }

    private static ForwardedRequest request(String method, String host, String path) {
        return new ForwardedRequest(method, host, path, null, null);
    }

    @Test
    void a_route_covers_a_request_only_when_host_method_and_path_all_match() {
        RouteRule r = route("r", List.of("api.example.com"), Set.of("GET", "HEAD"), PathPattern.prefix("/orders"));

        assertThat(r.covers(request("GET", "api.example.com", "/orders/1"))).isTrue();
        assertThat(r.covers(request("HEAD", "api.example.com", "/orders"))).isTrue();
        assertThat(r.covers(request("POST", "api.example.com", "/orders/1"))).as("method").isFalse();
        assertThat(r.covers(request("get", "api.example.com", "/orders/1"))).as("methods are case-sensitive").isFalse();
        assertThat(r.covers(request("GET", "www.example.com", "/orders/1"))).as("host").isFalse();
        assertThat(r.covers(request("GET", null, "/orders/1"))).as("no host").isFalse();
        assertThat(r.covers(request("GET", "api.example.com", "/billing"))).as("path").isFalse();
        assertThat(r.covers(request("GET", "api.example.com", null))).as("no path").isFalse();
    }

    @Test
    void a_route_for_get_covers_head_which_servers_answer_with_the_get_handler() {
        RouteRule r = route("r", List.of(), Set.of("GET"), PathPattern.prefix("/orders"));

        assertThat(r.covers(request("HEAD", null, "/orders/1"))).isTrue();
        assertThat(route("p", List.of(), Set.of("POST"), null).covers(request("HEAD", null, "/x"))).isFalse();
    }

    @Test
    void empty_matchers_cover_everything() {
        RouteRule any = route("any", List.of(), Set.of(), null);

        assertThat(any.covers(request("PATCH", null, null))).isTrue();
        assertThat(any.covers(request("GET", "x.example", "/y"))).isTrue();
    }

    @Test
    void the_first_route_in_order_decides_and_unmatched_requests_follow_the_default() {
        RouteRule specific = route("specific", List.of(), Set.of("DELETE"), PathPattern.template("/orders/{id}"));
        RouteRule general = route("general", List.of(), Set.of(), PathPattern.prefix("/orders"));
        RoutePolicy policy = new RoutePolicy(List.of(specific, general), true, List.of(TokenLocation.HEADER), Map.of());

        assertThat(policy.match(request("DELETE", null, "/orders/1"))).contains(specific);
        assertThat(policy.match(request("GET", null, "/orders/1"))).contains(general);
        assertThat(policy.match(request("GET", null, "/billing"))).isEmpty();
        assertThat(policy.denyUnmatched()).isTrue();
        assertThat(policy.needsPath()).isTrue();
        assertThat(RoutePolicy.open().needsPath()).isFalse();
    }

    @Test
    void a_route_looks_for_tokens_where_it_says_else_where_the_policy_says() {
        TokenLocation cookie = TokenLocation.parse("cookie:session");
        RouteRule web = new RouteRule("web", List.of(), Set.of(), null, Requirements.none(), List.of(cookie));
        RouteRule api = route("api", List.of(), Set.of(), null);
        RoutePolicy policy = new RoutePolicy(List.of(web), false, List.of(TokenLocation.HEADER),
                Map.of("https://idp", Set.of(cookie)));

        assertThat(policy.locationsFor(Optional.of(web))).containsExactly(cookie);
        assertThat(policy.locationsFor(Optional.of(api))).containsExactly(TokenLocation.HEADER);
        assertThat(policy.locationsFor(Optional.empty())).containsExactly(TokenLocation.HEADER);
        assertThat(policy.issuerAllows("https://idp", cookie)).isTrue();
        assertThat(policy.issuerAllows("https://idp", TokenLocation.HEADER)).isFalse();
        assertThat(policy.issuerAllows("https://other", TokenLocation.HEADER)).isTrue();
    }
}
