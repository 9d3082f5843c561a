package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawHttp;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.testing.Tokens;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.VerificationKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sidecar API over real HTTP (Vert.x on loopback), with an in-memory revocation answer. */
class SidecarRoutesTest {
    private static final String ISS = "https://issuer.example";
    private static final MutableClock CLOCK = MutableClock.atNow();
    private static final TestKeys KEYS = TestKeys.generate(JwsAlgorithm.ES256);
    private static final java.util.concurrent.atomic.AtomicReference<RevocationCheck.Status> REVOCATION =
            new java.util.concurrent.atomic.AtomicReference<>(RevocationCheck.Status.NOT_REVOKED);
    private static RoutesServer server;
    private static int port;
    // The JDK client offers an h2c upgrade on every request; the listeners decline it and answer in HTTP/1.1.
    private static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        IssuerPolicy policy = new IssuerPolicy(ISS, new StaticKeySource(List.of(new VerificationKey("k1", JwsAlgorithm.ES256,
                KEYS.verificationKey()))), Set.of(JwsAlgorithm.ES256), Set.of("api"), List.of(), null,
                Duration.ofSeconds(30), Duration.ofHours(1), null);
        TokenVerifier verifier = new TokenVerifier(List.of(policy), 8192, CLOCK, (t, skew) -> REVOCATION.get());
        SidecarRoutes routes = new SidecarRoutes(verifier, () -> new Readiness.Report(true, Map.of("feed", "ok")), 8192,
                new IdentityHeaders(Map.of("X-User-Email", "email", "X-Roles", "roles")),
                new io.jwtsidecar.metrics.SidecarMetrics());
        server = RoutesServer.start(routes);
        port = server.port();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static String goodToken(String subject) {
        Map<String, Object> claims = Tokens.validClaims(ISS, "api", CLOCK.epochSecond());
        claims.put("sub", subject);
        claims.put("email", subject + "@example.com");
        claims.put("roles", List.of("reader", "writer"));
        return Tokens.mint(KEYS, "k1", claims);
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    }

    private static HttpRequest.Builder introspect(String form) {
        return request("/oauth2/introspect").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder verify() {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/verify"));
    }

    @Test
    void a_good_token_gets_200_with_identity_headers_and_claims() throws Exception {
        String token = goodToken("alice");

        HttpResponse<String> r = send(verify().header("Authorization", "Bearer " + token));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Auth-Subject")).hasValue("alice");
        assertThat(r.headers().firstValue("X-Auth-Issuer")).hasValue(ISS);
        String claims = new String(Base64.getUrlDecoder().decode(r.headers().firstValue("X-Auth-Claims").orElseThrow()),
                StandardCharsets.UTF_8);
        assertThat(claims).contains("\"sub\":\"alice\"");
        assertThat(r.body()).startsWith("{\"active\":true").contains("\"claims\":{");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @Test
    void the_scheme_name_is_case_insensitive() throws Exception {
        assertThat(send(verify().header("Authorization", "bEaReR " + goodToken("alice"))).statusCode()).isEqualTo(200);
    }

    @Test
    void a_subject_with_line_breaks_cannot_inject_headers() throws Exception {
        HttpResponse<String> r = send(verify().header("Authorization", "Bearer " + goodToken("eve\r\nX-Admin: yes")));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Admin")).isEmpty();
        assertThat(r.headers().firstValue("X-Auth-Subject")).hasValue("eve%0D%0AX-Admin: yes");
    }

    @Test
    void no_token_gets_401_with_a_bare_bearer_challenge() throws Exception {
        HttpResponse<String> r = send(verify());

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).isEqualTo("{\"active\":false,\"error\":\"missing_token\"}");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"jwt-sidecar\"");
    }

    @Test
    void another_scheme_counts_as_no_bearer_token() throws Exception {
        HttpResponse<String> r = send(verify().header("Authorization", "Basic YWxpY2U6cHc="));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("missing_token");
    }

    @Test
    void an_empty_bearer_value_is_malformed_with_an_rfc6750_challenge() throws Exception {
        HttpResponse<String> r = send(verify().header("Authorization", "Bearer "));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue(
                "Bearer realm=\"jwt-sidecar\", error=\"invalid_token\", error_description=\"malformed\"");
    }

    @Test
    void a_token_over_the_limit_gets_too_large_not_an_http_error() throws Exception {
        HttpResponse<String> r = send(verify().header("Authorization", "Bearer " + "a".repeat(9000)));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("too_large");
    }

    @Test
    void post_takes_the_token_from_a_json_body() throws Exception {
        HttpResponse<String> r = send(verify().header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + goodToken("bob") + "\"}")));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"sub\":\"bob\"");
    }

    @Test
    void post_with_a_body_that_is_not_json_is_a_400_naming_the_body() throws Exception {
        HttpResponse<String> r = send(verify().POST(HttpRequest.BodyPublishers.ofString("token=abc")));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"field\":\"body\"");
    }

    @Test
    void health_endpoints_answer() throws Exception {
        HttpResponse<String> live = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live")));
        HttpResponse<String> ready = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")));

        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\":\"UP\"").contains("\"feed\":\"ok\"");
    }

    @Test
    void forward_auth_answers_200_with_identity_and_mapped_claim_headers_and_no_body() throws Exception {
        HttpResponse<String> r = send(request("/v1/authz").header("Authorization", "Bearer " + goodToken("carol")));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValue("X-Auth-Subject")).hasValue("carol");
        assertThat(r.headers().firstValue("X-User-Email")).hasValue("carol@example.com");
        assertThat(r.headers().firstValue("X-Roles")).hasValue("[\"reader\",\"writer\"]");
    }

    @Test
    void forward_auth_takes_any_method_and_the_original_path_appended() throws Exception {
        HttpResponse<String> r = send(request("/v1/authz/orders/42?x=1").header("Authorization", "Bearer " + goodToken("dan"))
                .method("DELETE", HttpRequest.BodyPublishers.noBody()));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Auth-Subject")).hasValue("dan");
    }

    @Test
    void forward_auth_refuses_with_the_same_challenges_as_verify() throws Exception {
        HttpResponse<String> none = send(request("/v1/authz"));
        HttpResponse<String> bad = send(request("/v1/authz").header("Authorization", "Bearer not.a.token"));

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"jwt-sidecar\"");
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(bad.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
        assertThat(bad.headers().firstValue("X-Auth-Subject")).isEmpty();
    }

    @Test
    void introspection_of_a_good_token_is_active_with_its_claims() throws Exception {
        HttpResponse<String> r = send(introspect("token=" + goodToken("erin") + "&token_type_hint=access_token"));

        assertThat(r.statusCode()).isEqualTo(200);
        io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject(r.body());
        assertThat(body.getBoolean("active")).isTrue();
        assertThat(body.getString("sub")).isEqualTo("erin");
        assertThat(body.getString("iss")).isEqualTo(ISS);
        assertThat(body.getString("token_type")).isEqualTo("Bearer");
        assertThat(body.getLong("exp")).isGreaterThan(CLOCK.epochSecond());
    }

    @Test
    void introspection_of_a_bad_token_says_only_inactive() throws Exception {
        HttpResponse<String> r = send(introspect("token=eyJhbGciOiJub25lIn0.e30."));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"active\":false}");
    }

    @Test
    void introspection_without_a_token_or_form_is_a_400() throws Exception {
        assertThat(send(introspect("token_type_hint=access_token")).statusCode()).isEqualTo(400);
        assertThat(send(request("/oauth2/introspect").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"x\"}"))).body()).contains("Content-Type");
    }

    @Test
    void with_stale_revocation_data_introspection_and_forward_auth_answer_503_not_inactive() throws Exception {
        REVOCATION.set(RevocationCheck.Status.STALE);
        try {
            HttpResponse<String> intro = send(introspect("token=" + goodToken("fay")));
            HttpResponse<String> authz = send(request("/v1/authz").header("Authorization", "Bearer " + goodToken("fay")));

            assertThat(intro.statusCode()).isEqualTo(503);
            assertThat(intro.body()).contains("revocation_data_stale");
            assertThat(authz.statusCode()).isEqualTo(503);
        } finally {
            REVOCATION.set(RevocationCheck.Status.NOT_REVOKED);
        }
    }

    private static RawHttp.Response raw(String target, String... headers) throws Exception {
        return RawHttp.send(port, "GET", target, headers);
    }

    @Test
    void forward_auth_paths_never_normalise_onto_another_route() throws Exception {
        for (String target : List.of("/v1/authz/api/%2e%2e/%2e%2e/%2e%2e/health/live", "/v1/authz/api/%2e%2e/%2e%2e/%2e%2e/metrics",
                "/v1/authz/../health/live", "/v1/authz/%2E%2E/metrics", "/v1/authz/./metrics", "/v1/authz//metrics",
                "/v1/authz/a%2f..%2f..%2fmetrics", "/v1/authz/a%5c..%5cmetrics")) {
            RawHttp.Response r = raw(target);
            assertThat(r.status()).as(target).isEqualTo(400);
            assertThat(r.body()).as(target).contains("invalid_request").doesNotContain("\"UP\"").doesNotContain("jwt_sidecar_");
        }
        // Outside the family, a path that normalises onto /v1/authz is not forward auth: nothing answers it.
        assertThat(raw("/v1/verify/../authz").status()).isEqualTo(404);
        assertThat(raw("/v1//authz/x").status()).isEqualTo(404);
    }

    @Test
    void an_accepted_forward_auth_answer_names_every_identity_header_even_for_absent_claims() throws Exception {
        Map<String, Object> claims = Tokens.validClaims(ISS, "api", CLOCK.epochSecond());
        claims.remove("sub");
        String noSubject = Tokens.mint(KEYS, "k1", claims);

        RawHttp.Response r = raw("/v1/authz", "Authorization: Bearer " + noSubject);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.all("X-Auth-Subject")).containsExactly("");
        assertThat(r.all("X-User-Email")).containsExactly("");
        assertThat(r.all("X-Roles")).containsExactly("");
        assertThat(r.all("X-Revocation-Stale")).containsExactly("");
        assertThat(r.all("X-Auth-Issuer")).containsExactly(ISS);
    }

    @Test
    void a_client_copy_of_a_sidecar_header_is_refused_before_any_token_is_judged() throws Exception {
        for (String forged : List.of("X-Auth-Subject: admin", "x-auth-role: admin", "X-User-Email: boss@example.com",
                "X-Revocation-Stale: false", "X_Auth_Subject: admin", "x_user_email: boss@example.com")) {
            RawHttp.Response r = raw("/v1/authz", "Authorization: Bearer " + goodToken("mallory"), forged);
            assertThat(r.status()).as(forged).isEqualTo(400);
            assertThat(r.all("X-Auth-Subject")).as(forged).isEmpty();
            assertThat(r.all("WWW-Authenticate")).as(forged).hasSize(1);
        }
    }

    @Test
    void the_original_request_must_be_described_once_and_consistently() throws Exception {
        String bearer = "Authorization: Bearer " + goodToken("amy");
        assertThat(raw("/v1/authz", bearer, "X-Forwarded-Uri: /orders/1").status()).isEqualTo(200);
        assertThat(raw("/v1/authz", bearer, "X-Forwarded-Uri: /public", "X-Original-URI: /admin").status()).isEqualTo(400);
        assertThat(raw("/v1/authz", bearer, "X-Forwarded-Uri: /a", "X-Forwarded-Uri: /a").status()).isEqualTo(400);
        assertThat(raw("/v1/authz/admin", bearer, "X-Forwarded-Uri: /public").status()).isEqualTo(400);
        assertThat(raw("/v1/authz", bearer, "X-Forwarded-Method: GET POST").status()).isEqualTo(400);
        assertThat(raw("/v1/authz", bearer, "X-Forwarded-Host: evil.example/x").status()).isEqualTo(400);
        assertThat(raw("/v1/authz", bearer, "X-Forwarded-Proto: gopher").status()).isEqualTo(400);
        assertThat(raw("/v1/authz", bearer, "X-Forwarded-Uri: relative/path").status()).isEqualTo(400);
    }

    @Test
    void every_forward_auth_refusal_carries_at_most_one_challenge() throws Exception {
        assertThat(raw("/v1/authz").all("WWW-Authenticate")).containsExactly("Bearer realm=\"jwt-sidecar\"");
        assertThat(raw("/v1/authz", "Authorization: Bearer x.y.z").all("WWW-Authenticate")).hasSize(1);
        assertThat(raw("/v1/authz", "Authorization: Bearer a.b.c", "Authorization: Bearer d.e.f")
                .all("WWW-Authenticate")).hasSize(1);
    }

    @Test
    void with_fail_open_stale_data_forward_auth_says_so_in_a_header_the_proxy_passes_on() throws Exception {
        REVOCATION.set(RevocationCheck.Status.NOT_REVOKED_STALE);
        try {
            RawHttp.Response r = raw("/v1/authz", "Authorization: Bearer " + goodToken("gil"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.all("X-Revocation-Stale")).containsExactly("true");
        } finally {
            REVOCATION.set(RevocationCheck.Status.NOT_REVOKED);
        }
    }

    @Test
    void with_fail_closed_stale_data_forward_auth_answers_503_with_retry_after() throws Exception {
        REVOCATION.set(RevocationCheck.Status.STALE);
        try {
            RawHttp.Response r = raw("/v1/authz", "Authorization: Bearer " + goodToken("hal"));
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.all("Retry-After")).containsExactly("1");
            assertThat(r.all("WWW-Authenticate")).isEmpty();
        } finally {
            REVOCATION.set(RevocationCheck.Status.NOT_REVOKED);
        }
    }
}
