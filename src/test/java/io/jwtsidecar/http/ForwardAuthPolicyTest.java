package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.authz.HostPattern;
import io.jwtsidecar.authz.PathPattern;
import io.jwtsidecar.authz.Requirements;
import io.jwtsidecar.authz.RoutePolicy;
import io.jwtsidecar.authz.RouteRule;
import io.jwtsidecar.authz.TokenLocation;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawHttp;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.testing.Tokens;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Forward auth with routes over real HTTP: each refusal's status and challenge, and decisions per route. */
class ForwardAuthPolicyTest {
    private static final String ISS = "https://issuer.example";
    private static final MutableClock CLOCK = MutableClock.atNow();
    private static final TestKeys KEYS = TestKeys.generate(JwsAlgorithm.ES256);
    private static final TokenLocation COOKIE = TokenLocation.parse("cookie:at");
    private static final TokenLocation QUERY = TokenLocation.parse("query:access_token");
    private static Vertx vertx;
    private static int port;
    private static SidecarMetrics metrics;

    private static RouteRule route(String name, List<String> hosts, Set<String> methods, PathPattern path,
                                   Requirements requirements, List<TokenLocation> locations) {
        return new RouteRule(name, hosts.stream().map(HostPattern::of).toList(), methods, path, requirements, locations);
    }

    private static Requirements scopes(String... s) {
        return new Requirements(Set.of(), Set.of(), Map.of(), List.of(s), List.of(), null);
    }

    @BeforeAll
    static void start() throws Exception {
        IssuerPolicy issuer = new IssuerPolicy(ISS, new StaticKeySource(List.of(new VerificationKey("k1", JwsAlgorithm.ES256,
                KEYS.verificationKey()))), Set.of(JwsAlgorithm.ES256), Set.of("api"), List.of(), null,
                Duration.ofSeconds(30), Duration.ofHours(1), null);
        TokenVerifier verifier = new TokenVerifier(List.of(issuer), 8192, CLOCK,
                (t, skew) -> RevocationCheck.Status.NOT_REVOKED, 1 << 20);
        RoutePolicy policy = new RoutePolicy(List.of(
                route("orders-read", List.of(), Set.of("GET"), PathPattern.template("/orders/{id}"), scopes("orders:read"),
                        List.of()),
                route("admin", List.of(), Set.of(), PathPattern.prefix("/admin"),
                        new Requirements(Set.of(), Set.of(), Map.of("roles", Set.of("admin")), List.of(), List.of(), null),
                        List.of()),
                route("partner", List.of(), Set.of(), PathPattern.prefix("/partner"),
                        new Requirements(Set.of("https://partner.example"), Set.of(), Map.of(), List.of(), List.of(), null),
                        List.of()),
                route("payouts", List.of(), Set.of(), PathPattern.prefix("/payouts"),
                        new Requirements(Set.of(), Set.of(), Map.of(), List.of(), List.of("mfa"), Duration.ofMinutes(5)),
                        List.of()),
                route("web", List.of(), Set.of(), PathPattern.prefix("/app"), Requirements.none(), List.of(COOKIE)),
                route("mixed", List.of(), Set.of(), PathPattern.prefix("/mixed"), Requirements.none(),
                        List.of(TokenLocation.HEADER, COOKIE)),
                route("legacy", List.of(), Set.of(), PathPattern.prefix("/legacy"), Requirements.none(), List.of(QUERY)),
                route("hosted", List.of("api.example.com"), Set.of(), PathPattern.prefix("/hosted"), Requirements.none(),
                        List.of())),
                true, List.of(TokenLocation.HEADER), Map.of(ISS, Set.of(TokenLocation.HEADER, COOKIE)));
        metrics = new SidecarMetrics();
        SidecarRoutes routes = new SidecarRoutes(verifier, () -> new Readiness.Report(true, Map.of()),
                () -> new Readiness.Report(true, Map.of()), 8192, new IdentityHeaders(Map.of()), metrics, false,
                new SidecarRoutes.ForwardAuth(policy, true, CLOCK));
        vertx = Vertx.vertx();
        port = vertx.createHttpServer(ListenerOptions.forListener("127.0.0.1", 0, 8192)).requestHandler(routes.handler(vertx))
                .listen().toCompletionStage().toCompletableFuture().get().actualPort();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static String token(String claim, Object value, String claim2, Object value2) {
        Map<String, Object> claims = Tokens.validClaims(ISS, "api", CLOCK.epochSecond());
        claims.put(claim, value);
        if (claim2 != null) {
            claims.put(claim2, value2);
        }
        return Tokens.mint(KEYS, "k1", claims);
    }

    private static RawHttp.Response ask(String method, String uri, String... more) throws Exception {
        List<String> headers = new ArrayList<>(List.of("X-Forwarded-Method: " + method, "X-Forwarded-Uri: " + uri));
        headers.addAll(List.of(more));
        return RawHttp.send(port, "GET", "/v1/authz", headers.toArray(String[]::new));
    }

    @Test
    void a_missing_scope_is_a_403_naming_the_scopes_in_one_challenge() throws Exception {
        String reader = "Authorization: Bearer " + token("scope", "openid orders:read", null, null);
        String other = "Authorization: Bearer " + token("scope", "openid", null, null);

        assertThat(ask("GET", "/orders/1", reader).status()).isEqualTo(200);
        RawHttp.Response refused = ask("GET", "/orders/1", other);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.all("WWW-Authenticate"))
                .containsExactly("Bearer realm=\"jwt-sidecar\", error=\"insufficient_scope\", scope=\"orders:read\"");
        assertThat(refused.body()).contains("\"error\":\"insufficient_scope\"");
        assertThat(refused.all("X-Auth-Subject")).isEmpty();
    }

    @Test
    void unmatched_requests_are_denied_by_default_deny_before_any_token_is_read() throws Exception {
        String reader = "Authorization: Bearer " + token("scope", "orders:read", null, null);

        RawHttp.Response wrongMethod = ask("POST", "/orders/1", reader);
        RawHttp.Response noRoute = ask("GET", "/billing");

        assertThat(wrongMethod.status()).isEqualTo(403);
        assertThat(wrongMethod.body()).contains("no_route");
        assertThat(noRoute.status()).isEqualTo(403);
        assertThat(noRoute.all("WWW-Authenticate")).isEmpty();
    }

    @Test
    void claim_and_issuer_requirements_refuse_with_access_denied() throws Exception {
        String admin = "Authorization: Bearer " + token("roles", List.of("reader", "admin"), null, null);
        String reader = "Authorization: Bearer " + token("roles", List.of("reader"), null, null);

        assertThat(ask("GET", "/admin/users", admin).status()).isEqualTo(200);
        RawHttp.Response r = ask("GET", "/admin/users", reader);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).contains("access_denied");
        assertThat(ask("GET", "/partner/x", admin).status()).isEqualTo(403);
    }

    @Test
    void step_up_is_a_401_with_the_rfc_9470_challenge() throws Exception {
        long now = CLOCK.epochSecond();
        String fresh = "Authorization: Bearer " + token("acr", "mfa", "auth_time", now - 60);
        String password = "Authorization: Bearer " + token("acr", "pwd", "auth_time", now - 60);
        String stale = "Authorization: Bearer " + token("acr", "mfa", "auth_time", now - 3600);

        assertThat(ask("POST", "/payouts/7", fresh).status()).isEqualTo(200);
        RawHttp.Response level = ask("POST", "/payouts/7", password);
        RawHttp.Response age = ask("POST", "/payouts/7", stale);
        assertThat(level.status()).isEqualTo(401);
        assertThat(level.all("WWW-Authenticate")).containsExactly("Bearer error=\"insufficient_user_authentication\", "
                + "error_description=\"A different authentication level is required\", acr_values=\"mfa\", max_age=\"300\"");
        assertThat(age.status()).isEqualTo(401);
        assertThat(age.all("WWW-Authenticate")).containsExactly("Bearer error=\"insufficient_user_authentication\", "
                + "error_description=\"More recent authentication is required\", acr_values=\"mfa\", max_age=\"300\"");
    }

    @Test
    void a_decision_is_made_per_route_never_carried_over_from_another() throws Exception {
        String reader = "Authorization: Bearer " + token("scope", "orders:read", "roles", List.of("reader"));
        for (int i = 0; i < 3; i++) {
            assertThat(ask("GET", "/orders/1", reader).status()).isEqualTo(200);
            assertThat(ask("GET", "/admin/x", reader).status()).isEqualTo(403);
        }
    }

    @Test
    void a_route_reads_tokens_only_where_it_says() throws Exception {
        String t = token("scope", "x", null, null);

        assertThat(ask("GET", "/app/home", "Cookie: theme=dark; at=" + t).status()).isEqualTo(200);
        assertThat(ask("GET", "/app/home", "Authorization: Bearer " + t).status()).as("header not read here").isEqualTo(401);
        RawHttp.Response twice = ask("GET", "/app/home", "Cookie: at=" + t + "; at=" + t);
        assertThat(twice.status()).isEqualTo(401);
        assertThat(twice.body()).contains("malformed");
    }

    @Test
    void an_issuer_refuses_tokens_from_a_place_it_does_not_send_them_in() throws Exception {
        String t = token("scope", "x", null, null);

        RawHttp.Response r = ask("GET", "/legacy/report?access_token=" + t);

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains("token_location_not_allowed");
    }

    @Test
    void tokens_in_two_places_are_a_400() throws Exception {
        String t = token("scope", "x", null, null);

        assertThat(ask("GET", "/mixed/x", "Authorization: Bearer " + t).status()).isEqualTo(200);
        assertThat(ask("GET", "/mixed/x", "Cookie: at=" + t).status()).isEqualTo(200);
        RawHttp.Response both = ask("GET", "/mixed/x", "Authorization: Bearer " + t, "Cookie: at=" + t);
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.all("WWW-Authenticate")).hasSize(1);
        assertThat(both.all("WWW-Authenticate").get(0)).contains("error=\"invalid_request\"");
    }

    @Test
    void hosts_come_from_x_forwarded_host() throws Exception {
        String t = "Authorization: Bearer " + token("scope", "x", null, null);

        assertThat(ask("GET", "/hosted/a", t, "X-Forwarded-Host: API.example.com:443").status()).isEqualTo(200);
        assertThat(ask("GET", "/hosted/a", t, "X-Forwarded-Host: evil.example").status()).isEqualTo(403);
    }

    @Test
    void with_routes_a_request_that_does_not_say_its_uri_is_a_400() throws Exception {
        RawHttp.Response r = RawHttp.send(port, "GET", "/v1/authz", "Authorization: Bearer " + token("scope", "x", null, null));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("X-Forwarded-Uri");
    }

    @Test
    void decisions_are_counted_by_route() throws Exception {
        ask("GET", "/billing");
        assertThat(metrics.scrape()).contains("jwt_sidecar_authz_decisions_total{decision=\"no_route\",route=\"none\"}");
    }
}
