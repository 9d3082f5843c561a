package io.jwtsidecar.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwtsidecar.testing.HeaderLines;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Paths that common upstreams serve as a protected route must never be judged by a weaker one.
 * Tomcat, Jetty, Undertow and Spring drop {@code ;params} from each segment before resolving dot
 * segments, so {@code /public/..;/admin} is {@code /admin} to them (and nginx, which does not
 * treat {@code ..;} as a dot segment, passes it on unchanged); Express (non-strict routing, its
 * default) and Spring 5 serve {@code /orders/42/} from {@code /orders/{id}}.
 */
class RouteConfusionTest {
    private static final Requirements ADMIN = new Requirements(Set.of(), Set.of(), Map.of("roles", Set.of("admin")),
            List.of(), List.of(), null);
    private static final Requirements ORDERS_READ = new Requirements(Set.of(), Set.of(), Map.of(), List.of("orders:read"),
            List.of(), null);

    private static final RouteRule ADMIN_ROUTE = new RouteRule("admin", List.of(), Set.of(), PathPattern.prefix("/admin"),
            ADMIN, List.of());
    private static final RouteRule ORDERS_ROUTE = new RouteRule("orders-read", List.of(), Set.of("GET"),
            PathPattern.template("/orders/{id}"), ORDERS_READ, List.of());
    private static final RouteRule PUBLIC_ROUTE = new RouteRule("public", List.of(), Set.of(), PathPattern.prefix("/public"),
            Requirements.none(), List.of());
    private static final RouteRule EVERYTHING_ELSE = new RouteRule("rest", List.of(), Set.of(), null,
            Requirements.none(), List.of());
    private static final RoutePolicy POLICY = new RoutePolicy(List.of(ADMIN_ROUTE, ORDERS_ROUTE, PUBLIC_ROUTE, EVERYTHING_ELSE),
            true, List.of(TokenLocation.HEADER), Map.of());

    /** The route the sidecar would judge the request by; empty when it refuses to read the request (400). */
    private static Optional<String> judgedBy(String method, String uri) {
        ForwardedRequest request;
        try {
            request = ForwardedRequest.from(HeaderLines.of("X-Forwarded-Method: " + method, "X-Forwarded-Uri: " + uri,
                    "X-Forwarded-Host: api.example.com"), "GET", "");
        } catch (ForwardAuthException refused) {
            return Optional.empty();
        }
        return Optional.of(POLICY.match(request).map(RouteRule::name).orElse("no route"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/public/..;/admin/users", "/public/..;x=1/admin/users", "/public/%2e%2e;/admin/users",
            "/public/..;jsessionid=1/admin/users"})
    void a_dot_segment_with_path_parameters_is_refused_like_a_dot_segment(String raw) {
        assertThatThrownBy(() -> RequestPath.canonical(raw, "X-Forwarded-Uri")).isInstanceOf(ForwardAuthException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/public/..;/admin/users", "/admin;jsessionid=1/users", "/admin;/users", "/admin;x=%2f/users"})
    void path_parameters_never_move_a_request_off_the_route_the_upstream_serves(String uri) {
        assertThat(judgedBy("GET", uri)).as(uri).satisfiesAnyOf(
                r -> assertThat(r).isEmpty(),
                r -> assertThat(r).contains("admin"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/orders/42/", "/orders/42;x/"})
    void a_trailing_slash_never_moves_a_request_off_the_route_the_upstream_serves(String uri) {
        assertThat(judgedBy("GET", uri)).as(uri).satisfiesAnyOf(
                r -> assertThat(r).isEmpty(),
                r -> assertThat(r).contains("orders-read"));
    }

    /**
     * Rails (Rack::MethodOverride), Express method-override, Laminas and ASP.NET honour a method
     * override header: a POST judged by the POST rules is a DELETE to them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"})
    void a_method_override_header_is_not_judged_as_the_method_it_overrides(String header) {
        ForwardedRequest request;
        try {
            request = ForwardedRequest.from(HeaderLines.of("X-Forwarded-Method: POST", "X-Forwarded-Uri: /orders/42",
                    header + ": DELETE"), "GET", "");
        } catch (ForwardAuthException refused) {
            return;
        }
        assertThat(request.method()).as(header).isEqualTo("DELETE");
    }
}
