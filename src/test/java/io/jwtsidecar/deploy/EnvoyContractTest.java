package io.jwtsidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.http.IdentityHeaders;
import io.jwtsidecar.testing.ForwardAuthReplay;
import io.jwtsidecar.testing.ForwardAuthReplay.Case;
import io.jwtsidecar.testing.ForwardAuthReplay.ClientRequest;
import io.jwtsidecar.testing.ForwardAuthReplay.Exchange;
import io.jwtsidecar.testing.ForwardAuthReplay.Header;
import io.jwtsidecar.testing.RawHttp;
import io.jwtsidecar.token.RevocationCheck;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * deploy/proxies/envoy/envoy.yaml against the real sidecar, without Envoy.
 *
 * <p>First the header rules of the shipped ext_authz filter, read from the YAML. Then a model of
 * Envoy's HTTP ext_authz contract ({@link EnvoyModel}: what Envoy sends to the sidecar and what
 * it does with the answer, per envoyproxy/envoy ext_authz_http_impl.cc, check_request_utils.cc
 * and ext_authz.cc) replays client requests against a real sidecar: the upstream must never
 * receive an identity the client forged, and the client must get the right status.
 */
class EnvoyContractTest {
    private static final String CONFIG = "deploy/proxies/envoy/envoy.yaml";
    private static final String HEADERS_TO_REMOVE = "x-envoy-auth-headers-to-remove";

    private static ForwardAuthReplay replay;
    /** The sidecar with its defaults, whose accepted answers the shipped config must cover. */
    private static int defaults;
    /** The replay sidecar (one route, a mapped claim header), client copies refused or stripped. */
    private static int refusing;
    private static int stripping;
    private static JsonNode hcm;
    /** The shipped config as it is. */
    private static EnvoyModel shipped;
    /** The shipped config with the replay sidecar's mapped claim header added, as its comments say. */
    private static EnvoyModel operated;

    @BeforeAll
    static void start() throws Exception {
        replay = new ForwardAuthReplay();
        defaults = replay.startDefault();
        refusing = replay.startReplay(true);
        stripping = replay.startReplay(false);
        hcm = httpConnectionManager(ForwardAuthReplay.yaml(CONFIG));
        shipped = new EnvoyModel(hcm);
        operated = shipped.withClaimHeader(ForwardAuthReplay.EMAIL_HEADER, true, true);
    }

    @AfterAll
    static void stop() {
        replay.close();
    }

    private static JsonNode httpConnectionManager(JsonNode root) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode listener : root.path("static_resources").path("listeners")) {
            for (JsonNode chain : listener.path("filter_chains")) {
                for (JsonNode filter : chain.path("filters")) {
                    if (filter.path("name").asText().equals("envoy.filters.network.http_connection_manager")) {
                        found.add(filter.path("typed_config"));
                    }
                }
            }
        }
        assertThat(found).as("HTTP connection managers in %s", CONFIG).hasSize(1);
        return found.get(0);
    }

    // ---------------------------------------------------------------------------------------
    // The shipped config's header rules
    // ---------------------------------------------------------------------------------------

    @Test
    void ext_authz_runs_before_the_router_and_fails_closed_with_503() {
        List<String> filters = new ArrayList<>();
        hcm.path("http_filters").forEach(f -> filters.add(f.path("name").asText()));

        assertThat(filters).contains("envoy.filters.http.ext_authz", "envoy.filters.http.router");
        assertThat(filters.indexOf("envoy.filters.http.ext_authz")).isLessThan(filters.indexOf("envoy.filters.http.router"));
        assertThat(filters.get(filters.size() - 1)).as("the router is the last filter").isEqualTo("envoy.filters.http.router");
        JsonNode authz = shipped.authz;
        assertThat(authz.path("failure_mode_allow").isBoolean()).as("failure_mode_allow is stated").isTrue();
        assertThat(authz.path("failure_mode_allow").asBoolean()).isFalse();
        assertThat(shipped.statusOnError()).isEqualTo(503);
        assertThat(shipped.pathPrefix()).isEqualTo("/v1/authz");
    }

    @Test
    void allowed_headers_show_the_sidecar_the_token_and_every_forged_identity_but_no_description_of_the_request()
            throws Exception {
        JsonNode allowed = shipped.patterns("authorization_request", "allowed_headers");
        for (String name : List.of("authorization", "cookie", "x-auth-subject", "x-auth-role", "x-auth-admin",
                "x-revocation-stale")) {
            assertThat(EnvoyModel.matches(allowed, name)).as("allowed_headers passes %s", name).isTrue();
        }
        for (String name : replay.headersOfAnAcceptedAnswer(defaults)) {
            assertThat(EnvoyModel.matches(allowed, name.toLowerCase(Locale.ROOT)))
                    .as("a client's copy of %s reaches the sidecar", name).isTrue();
        }
        // Envoy describes the original request by its own method, path and Host. A client's
        // X-Forwarded-Method or X-Forwarded-Host would pick the method or host the routes see.
        for (String name : List.of("x-forwarded-method", "x-original-method", "x-forwarded-uri", "x-original-uri",
                "x-forwarded-host", "x-forwarded-proto")) {
            assertThat(EnvoyModel.matches(allowed, name)).as("allowed_headers passes %s", name).isFalse();
        }
    }

    @Test
    void allowed_upstream_headers_cover_every_header_of_an_accepted_answer() throws Exception {
        List<String> answered = replay.headersOfAnAcceptedAnswer(defaults);

        assertThat(ForwardAuthReplay.lowerCase(answered))
                .contains("x-auth-subject", "x-auth-issuer", "x-auth-claims", "x-revocation-stale");
        JsonNode upstream = shipped.patterns("authorization_response", "allowed_upstream_headers");
        for (String name : answered) {
            assertThat(EnvoyModel.matches(upstream, name.toLowerCase(Locale.ROOT)))
                    .as("allowed_upstream_headers sets %s over the client's copies", name).isTrue();
        }
        assertThat(EnvoyModel.matches(upstream, HEADERS_TO_REMOVE)).isFalse();
    }

    @Test
    void allowed_client_headers_pass_the_challenge() {
        assertThat(EnvoyModel.matches(shipped.patterns("authorization_response", "allowed_client_headers"),
                "www-authenticate")).isTrue();
    }

    @Test
    void no_route_removes_an_identity_header_that_ext_authz_set() throws Exception {
        JsonNode routeConfig = hcm.path("route_config");
        assertThat(routeConfig.path("virtual_hosts").size()).as("virtual hosts").isPositive();
        routeConfig.path("virtual_hosts").forEach(v -> assertThat(v.path("routes").size()).as("routes").isPositive());
        List<JsonNode> removals = new ArrayList<>();
        collect(hcm, "request_headers_to_remove", removals);
        List<String> owned = replay.headersOfAnAcceptedAnswer(defaults);

        for (JsonNode list : removals) {
            for (JsonNode name : list) {
                assertThat(ForwardAuthReplay.sidecarOwned(name.asText(), new IdentityHeaders(Map.of())))
                        .as("request_headers_to_remove names %s, which the router strips after ext_authz set it", name)
                        .isFalse();
                assertThat(owned).noneMatch(o -> o.equalsIgnoreCase(name.asText()));
            }
        }
    }

    private static void collect(JsonNode node, String field, List<JsonNode> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals(field)) {
                    out.add(e.getValue());
                }
                collect(e.getValue(), field, out);
            });
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, field, out));
        }
    }

    // ---------------------------------------------------------------------------------------
    // Envoy's contract replayed against the real sidecar
    // ---------------------------------------------------------------------------------------

    private static String bearer(String token) {
        return "Authorization: Bearer " + token;
    }

    static Stream<Case> cases() {
        String good = replay.token();
        String writer = replay.token(c -> c.put("scope", "orders:read " + ForwardAuthReplay.ORDERS_WRITE));
        String noSubject = replay.tokenWithout("sub");
        String noEmail = replay.tokenWithout("email");
        return Stream.of(
                Case.of("a good token: its subject reaches the upstream", "GET", "/orders/1?page=2", bearer(good))
                        .status(200).upstream("X-Auth-Subject", "alice").upstream("X-User-Email", "alice@example.com")
                        .upstream("X-Auth-Issuer", ForwardAuthReplay.ISSUER).upstream("X-Revocation-Stale", "")
                        .check(e -> assertThat(e.authTarget()).isEqualTo("GET /v1/authz/orders/1?page=2")),
                Case.of("a token without sub and a client X-Auth-Subject: admin", "GET", "/orders/1", bearer(noSubject),
                        "X-Auth-Subject: admin").status(400),
                Case.of("a token without email and a client X-User-Email", "GET", "/orders/1", bearer(noEmail),
                        "X-User-Email: boss@example.com").status(400),
                Case.of("a client X-Auth-Role: admin", "GET", "/orders/1", bearer(good), "X-Auth-Role: admin").status(400),
                Case.of("a client X-AUTH-ADMIN", "GET", "/orders/1", bearer(good), "X-AUTH-ADMIN: yes").status(400),
                // The sidecar never sees x_auth_subject (allowed_headers has the x-auth- prefix): Envoy drops it.
                Case.of("no sub, a client X_Auth_Subject", "GET", "/orders/1", bearer(noSubject), "X_Auth_Subject: admin")
                        .status(200).upstream("X-Auth-Subject", ""),
                Case.of("a client X-Revocation-Stale", "GET", "/orders/1", bearer(good), "X-Revocation-Stale: false")
                        .status(400),
                Case.of("encoded dot segments onto /health/live, no token", "GET", "/api/%2e%2e/%2e%2e/%2e%2e/health/live")
                        .status(400).check(e -> assertThat(e.clientBody()).contains("invalid_request").doesNotContain("UP")),
                Case.of("encoded dot segments onto /metrics, no token", "GET", "/api/%2e%2e/%2e%2e/%2e%2e/metrics")
                        .status(400).check(e -> assertThat(e.clientBody()).doesNotContain("jwt_sidecar_")),
                Case.of("no token", "GET", "/orders/1").status(401)
                        .check(e -> assertThat(e.client("WWW-Authenticate")).containsExactly("Bearer realm=\"jwt-sidecar\"")),
                Case.of("two Authorization headers, merged by Envoy", "GET", "/orders/1", bearer(good), bearer(good))
                        .status(401).check(e -> assertThat(e.client("WWW-Authenticate")).hasSize(1)),
                Case.of("stale revocation data, fail-closed", "GET", "/orders/1", bearer(good))
                        .revocation(RevocationCheck.Status.STALE).status(503)
                        .check(e -> assertThat(e.answer().all("Retry-After")).containsExactly("1"))
                        .check(e -> assertThat(e.clientHeaders()).as("no sidecar header on status_on_error").isEmpty())
                        .check(e -> assertThat(e.clientBody()).isEmpty()),
                Case.of("stale revocation data, fail-open", "GET", "/orders/1", bearer(good))
                        .revocation(RevocationCheck.Status.NOT_REVOKED_STALE).status(200)
                        .upstream("X-Revocation-Stale", "true").upstream("X-Auth-Subject", "alice"),
                Case.of("a write without orders:write", "POST", "/orders/1", bearer(good)).status(403)
                        .check(e -> assertThat(e.client("WWW-Authenticate")).containsExactly("Bearer realm=\"jwt-sidecar\", "
                                + "error=\"insufficient_scope\", scope=\"" + ForwardAuthReplay.ORDERS_WRITE + "\"")),
                Case.of("a write with orders:write", "POST", "/orders/1", bearer(writer)).status(200)
                        .upstream("X-Auth-Subject", "alice"),
                Case.of("a client describing a weaker request in X-Forwarded-*", "POST", "/orders/1", bearer(good),
                        "X-Forwarded-Method: GET", "X-Forwarded-Uri: /public", "X-Original-URI: /public",
                        "X-Original-Method: GET", "X-Forwarded-Host: public.example").status(403)
                        .check(e -> assertThat(e.authRequest()).noneMatch(h -> h.name().startsWith("x-forwarded-")
                                && !h.name().equals("x-forwarded-for") || h.name().startsWith("x-original-"))),
                // authz.clientIdentityHeaders: strip
                Case.of("strip: a client X-Auth-Role is removed after ext_authz", "GET", "/orders/1", bearer(good),
                        "X-Auth-Role: admin").strip().status(200).upstream("X-Auth-Subject", "alice")
                        .check(e -> assertThat(e.answer().all(HEADERS_TO_REMOVE)).containsExactly("x-auth-role"))
                        .check(e -> assertThat(e.upstream("X-Auth-Role")).isEmpty()),
                Case.of("strip: no sub, a client X-Auth-Subject is overwritten with the empty value", "GET", "/orders/1",
                        bearer(noSubject), "X-Auth-Subject: admin").strip().status(200).upstream("X-Auth-Subject", ""),
                Case.of("strip: no email, a client X-User-Email is overwritten with the empty value", "GET", "/orders/1",
                        bearer(noEmail), "X-User-Email: boss@example.com").strip().status(200).upstream("X-User-Email", ""),
                Case.of("strip: several forged headers at once", "GET", "/orders/1", bearer(good), "X-AUTH-ADMIN: yes",
                        "x-auth-role: admin", "x-auth-role: root", "X-Revocation-Stale: false").strip().status(200)
                        .upstream("X-Revocation-Stale", "").check(e -> assertThat(e.upstream("X-Auth-Admin")).isEmpty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void replay(Case c) throws Exception {
        replay.replay(c, operated, refusing, stripping);
    }

    /**
     * Why the config says to add each api.claimHeaders name to both lists: left out of
     * allowed_headers, the sidecar never sees a client's copy to refuse; left out of
     * allowed_upstream_headers, Envoy never overwrites it. Either way a forged header would stand.
     */
    @Test
    void a_mapped_claim_header_is_safe_only_when_added_to_both_lists() throws Exception {
        ClientRequest forged = ClientRequest.of("GET", "/orders/1", bearer(replay.tokenWithout("email")),
                "X-User-Email: boss@example.com");

        Exchange asShipped = shipped.exchange(refusing, forged);
        Exchange requestSideOnly = shipped.withClaimHeader(ForwardAuthReplay.EMAIL_HEADER, true, false)
                .exchange(stripping, forged);

        assertThat(asShipped.upstream("X-User-Email")).as("%s", asShipped).containsExactly("boss@example.com");
        assertThat(requestSideOnly.upstream("X-User-Email")).as("%s", requestSideOnly).containsExactly("boss@example.com");
        assertThat(operated.exchange(refusing, forged).clientStatus()).isEqualTo(400);
        assertThat(operated.exchange(stripping, forged).upstream("X-User-Email")).containsExactly("");
    }

    /**
     * Envoy's HTTP ext_authz filter (http_service), as far as the sidecar is concerned.
     *
     * <ul>
     *   <li>To the sidecar: the client's method; {@code path_prefix} + the client's path and
     *       query; Host (from {@code :authority}), Authorization and whatever matches
     *       {@code allowed_headers} (names lower-cased by the codec, duplicates merged with
     *       ","), {@code content-length: 0}; the async client adds {@code x-envoy-internal}
     *       and {@code x-forwarded-for}.</li>
     *   <li>Exactly 200: each answer header matching {@code allowed_upstream_headers} is set on
     *       the request, replacing every client copy (an empty value too); then every name in
     *       {@code x-envoy-auth-headers-to-remove} is removed; then the router applies the
     *       route's {@code request_headers_to_remove}.</li>
     *   <li>Any other status below 500: the client gets it, with the answer's body and the
     *       headers matching {@code allowed_client_headers} plus Content-Length,
     *       WWW-Authenticate and Location (all but Host when the list is empty).</li>
     *   <li>5xx: the client gets {@code status_on_error} (403 when unset), no body, no headers
     *       of the answer; or, with {@code failure_mode_allow}, the request goes on unchanged.</li>
     * </ul>
     */
    static final class EnvoyModel implements ForwardAuthReplay.ProxyModel {
        private static final Set<String> ALWAYS_ALLOWED = Set.of("host", "authorization");
        private static final Set<String> ALWAYS_TO_CLIENT = Set.of("content-length", "www-authenticate", "location");
        private static final Map<String, Integer> STATUS_CODES = Map.of("BadRequest", 400, "Unauthorized", 401,
                "Forbidden", 403, "NotFound", 404, "TooManyRequests", 429, "InternalServerError", 500,
                "BadGateway", 502, "ServiceUnavailable", 503, "GatewayTimeout", 504);
        private static final String ENVOY_ADDRESS = "127.0.0.1";

        private final JsonNode hcm;
        final JsonNode authz;

        EnvoyModel(JsonNode hcm) {
            this.hcm = hcm;
            JsonNode found = null;
            for (JsonNode f : hcm.path("http_filters")) {
                if (f.path("name").asText().equals("envoy.filters.http.ext_authz")) {
                    assertThat(found).as("one ext_authz filter").isNull();
                    found = f.path("typed_config");
                }
            }
            assertThat(found).as("an ext_authz filter").isNotNull();
            assertThat(found.path("http_service").isObject()).as("ext_authz uses http_service").isTrue();
            this.authz = found;
        }

        /** A copy with a header name added to allowed_headers and/or allowed_upstream_headers, as an operator would. */
        EnvoyModel withClaimHeader(String name, boolean request, boolean upstream) {
            JsonNode copy = hcm.deepCopy();
            EnvoyModel model = new EnvoyModel(copy);
            ObjectNode pattern = ((ObjectNode) copy).objectNode().put("exact", name.toLowerCase(Locale.ROOT))
                    .put("ignore_case", true);
            if (request) {
                ((ArrayNode) model.patterns("authorization_request", "allowed_headers")).add(pattern);
            }
            if (upstream) {
                ((ArrayNode) model.patterns("authorization_response", "allowed_upstream_headers")).add(pattern);
            }
            return model;
        }

        JsonNode patterns(String section, String list) {
            return authz.path("http_service").path(section).path(list).path("patterns");
        }

        String pathPrefix() {
            return authz.path("http_service").path("path_prefix").asText("");
        }

        int statusOnError() {
            JsonNode code = authz.path("status_on_error").path("code");
            if (code.isMissingNode()) {
                return 403;
            }
            if (code.isInt()) {
                return code.asInt();
            }
            assertThat(STATUS_CODES).as("envoy.type.v3.StatusCode").containsKey(code.asText());
            return STATUS_CODES.get(code.asText());
        }

        /** Envoy's string matchers, applied to a lower-case header name. */
        static boolean matches(JsonNode patterns, String name) {
            for (JsonNode p : patterns) {
                boolean ignoreCase = p.path("ignore_case").asBoolean(false);
                String n = ignoreCase ? name.toLowerCase(Locale.ROOT) : name;
                boolean match;
                if (p.has("exact")) {
                    match = n.equals(value(p, "exact", ignoreCase));
                } else if (p.has("prefix")) {
                    match = n.startsWith(value(p, "prefix", ignoreCase));
                } else if (p.has("suffix")) {
                    match = n.endsWith(value(p, "suffix", ignoreCase));
                } else if (p.has("contains")) {
                    match = n.contains(value(p, "contains", ignoreCase));
                } else if (p.has("safe_regex")) {
                    match = Pattern.compile(p.path("safe_regex").path("regex").asText()).matcher(name).matches();
                } else {
                    throw new AssertionError("a string matcher the model does not know: " + p);
                }
                if (match) {
                    return true;
                }
            }
            return false;
        }

        private static String value(JsonNode p, String field, boolean ignoreCase) {
            String v = p.path(field).asText();
            return ignoreCase ? v.toLowerCase(Locale.ROOT) : v;
        }

        /** The connection manager's headers_with_underscores_action: ALLOW (Envoy's default), DROP_HEADER or REJECT_REQUEST. */
        String underscoreAction() {
            return hcm.path("common_http_protocol_options").path("headers_with_underscores_action").asText("ALLOW");
        }

        @Override
        public Exchange exchange(int sidecarPort, ClientRequest request) throws IOException {
            List<Header> client = new ArrayList<>();
            for (Header h : request.headers()) {
                if (h.name().contains("_")) {
                    if (underscoreAction().equals("REJECT_REQUEST")) {
                        return new Exchange(List.of(), "", null, 400, List.of(), "", null);
                    }
                    if (underscoreAction().equals("DROP_HEADER")) {
                        continue;
                    }
                }
                client.add(new Header(h.name().toLowerCase(Locale.ROOT), h.value()));
            }
            JsonNode allowedHeaders = patterns("authorization_request", "allowed_headers");
            Map<String, String> check = new LinkedHashMap<>();
            for (Header h : client) {
                if (ALWAYS_ALLOWED.contains(h.name()) || matches(allowedHeaders, h.name())) {
                    check.merge(h.name(), h.value(), (a, b) -> a + "," + b);
                }
            }
            List<Header> auth = new ArrayList<>();
            auth.add(new Header("host", check.remove("host")));
            auth.add(new Header("content-length", "0"));
            check.forEach((k, v) -> auth.add(new Header(k, v)));
            auth.add(new Header("x-envoy-internal", "true"));
            auth.add(new Header("x-forwarded-for", ENVOY_ADDRESS));
            String target = pathPrefix() + request.target();
            String authTarget = request.method() + " " + target;
            RawHttp.Response answer = ForwardAuthReplay.send(sidecarPort, request.method(), target, auth);

            if (answer.status() >= 500) {
                if (authz.path("failure_mode_allow").asBoolean(false)) {
                    List<Header> upstream = new ArrayList<>(client);
                    upstream.add(new Header("x-envoy-auth-failure-mode-allowed", "true"));
                    return new Exchange(auth, authTarget, answer, 200, List.of(), "", routed(request, upstream));
                }
                return new Exchange(auth, authTarget, answer, statusOnError(), List.of(), "", null);
            }
            if (answer.status() != 200) {
                JsonNode allowedClient = patterns("authorization_response", "allowed_client_headers");
                List<Header> toClient = new ArrayList<>();
                for (String[] h : answer.headers()) {
                    String n = h[0].toLowerCase(Locale.ROOT);
                    boolean pass = allowedClient.size() == 0 ? !n.equals("host")
                            : ALWAYS_TO_CLIENT.contains(n) || matches(allowedClient, n);
                    if (pass) {
                        toClient.add(new Header(n, h[1]));
                    }
                }
                return new Exchange(auth, authTarget, answer, answer.status(), toClient, answer.body(), null);
            }
            List<Header> upstream = new ArrayList<>(client);
            JsonNode allowedUpstream = patterns("authorization_response", "allowed_upstream_headers");
            for (String[] h : answer.headers()) {
                String n = h[0].toLowerCase(Locale.ROOT);
                if (matches(allowedUpstream, n)) {
                    upstream.removeIf(u -> u.name().equals(n));
                    upstream.add(new Header(n, h[1]));
                }
            }
            for (String value : answer.all(HEADERS_TO_REMOVE)) {
                for (String part : value.split(",")) {
                    String n = part.strip().toLowerCase(Locale.ROOT);
                    if (!n.isEmpty() && !n.startsWith(":") && !n.equals("host")) {
                        upstream.removeIf(u -> u.name().equals(n));
                    }
                }
            }
            return new Exchange(auth, authTarget, answer, 200, List.of(), "", routed(request, upstream));
        }

        /** The router, the last filter: request_headers_to_remove of the route config, virtual host and route. */
        private List<Header> routed(ClientRequest request, List<Header> upstream) {
            JsonNode routeConfig = hcm.path("route_config");
            List<JsonNode> removals = new ArrayList<>();
            removals.add(routeConfig.path("request_headers_to_remove"));
            String path = request.target();
            for (JsonNode vhost : routeConfig.path("virtual_hosts")) {
                removals.add(vhost.path("request_headers_to_remove"));
                JsonNode route = null;
                for (JsonNode r : vhost.path("routes")) {
                    JsonNode match = r.path("match");
                    if (match.has("prefix") ? path.startsWith(match.path("prefix").asText())
                            : match.has("path") ? path.split("\\?", 2)[0].equals(match.path("path").asText())
                            : failOnUnknownMatch(match)) {
                        route = r;
                        break;
                    }
                }
                if (route != null) {
                    removals.add(route.path("request_headers_to_remove"));
                }
                break; // the model serves one virtual host
            }
            List<Header> routed = new ArrayList<>(upstream);
            removals.forEach(list -> list.forEach(n -> routed.removeIf(u -> u.name().equalsIgnoreCase(n.asText()))));
            return routed;
        }

        private static boolean failOnUnknownMatch(JsonNode match) {
            throw new AssertionError("a route match the model does not know: " + match);
        }
    }
}
