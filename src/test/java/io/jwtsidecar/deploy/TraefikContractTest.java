package io.jwtsidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.testing.ForwardAuthReplay;
import io.jwtsidecar.testing.ForwardAuthReplay.Case;
import io.jwtsidecar.testing.ForwardAuthReplay.ClientRequest;
import io.jwtsidecar.testing.ForwardAuthReplay.Exchange;
import io.jwtsidecar.testing.ForwardAuthReplay.Header;
import io.jwtsidecar.testing.RawHttp;
import io.jwtsidecar.token.RevocationCheck;
import java.io.IOException;
import java.net.URI;
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
 * deploy/proxies/traefik/dynamic.yml against the real sidecar, without Traefik.
 *
 * <p>First the header rules of the shipped ForwardAuth middleware, read from the YAML. Then a
 * model of Traefik's ForwardAuth ({@link TraefikModel}, per traefik pkg/middlewares/auth/forward.go)
 * replays client requests against a real sidecar: the upstream must never receive an identity
 * the client forged, and the client must get the right status.
 */
class TraefikContractTest {
    private static final String CONFIG = "deploy/proxies/traefik/dynamic.yml";

    private static ForwardAuthReplay replay;
    private static int defaults;
    private static int refusing;
    private static int stripping;
    private static JsonNode dynamic;
    private static TraefikModel shipped;
    /** The shipped middleware with the replay sidecar's mapped claim header added to the regex, as its comments say. */
    private static TraefikModel operated;

    @BeforeAll
    static void start() throws Exception {
        replay = new ForwardAuthReplay();
        defaults = replay.startDefault();
        refusing = replay.startReplay(true);
        stripping = replay.startReplay(false);
        dynamic = ForwardAuthReplay.yaml(CONFIG);
        shipped = new TraefikModel(forwardAuth());
        operated = shipped.withClaimHeader(ForwardAuthReplay.EMAIL_HEADER);
    }

    @AfterAll
    static void stop() {
        replay.close();
    }

    private static JsonNode forwardAuth() {
        List<JsonNode> found = new ArrayList<>();
        dynamic.path("http").path("middlewares").forEach(m -> {
            if (m.has("forwardAuth")) {
                found.add(m.path("forwardAuth"));
            }
        });
        assertThat(found).as("forwardAuth middlewares in %s", CONFIG).hasSize(1);
        return found.get(0);
    }

    // ---------------------------------------------------------------------------------------
    // The shipped config's header rules
    // ---------------------------------------------------------------------------------------

    @Test
    void forward_auth_asks_the_sidecar_and_describes_the_request_itself() {
        JsonNode fa = forwardAuth();

        assertThat(fa.path("trustForwardHeader").isBoolean()).as("trustForwardHeader is stated").isTrue();
        assertThat(fa.path("trustForwardHeader").asBoolean()).isFalse();
        assertThat(URI.create(fa.path("address").asText()).getRawPath()).endsWith("/v1/authz");
        assertThat(fa.path("address").asText()).endsWith("/v1/authz");
        assertThat(fa.has("authRequestHeaders")).as("every client header reaches the sidecar").isFalse();
    }

    @Test
    void every_router_goes_through_the_middleware() {
        List<String> names = new ArrayList<>();
        dynamic.path("http").path("middlewares").properties().forEach(m -> {
            if (m.getValue().has("forwardAuth")) {
                names.add(m.getKey());
            }
        });
        String name = names.get(0);
        JsonNode routers = dynamic.path("http").path("routers");
        assertThat(routers.size()).isPositive();
        routers.forEach(r -> assertThat(r.path("middlewares").toString()).as("%s", r).contains("\"" + name + "\""));
    }

    @Test
    void the_regex_covers_every_header_of_an_accepted_answer_and_every_forged_identity() throws Exception {
        Pattern regex = Pattern.compile(forwardAuth().path("authResponseHeadersRegex").asText());
        List<String> answered = replay.headersOfAnAcceptedAnswer(defaults);

        assertThat(ForwardAuthReplay.lowerCase(answered))
                .contains("x-auth-subject", "x-auth-issuer", "x-auth-claims", "x-revocation-stale");
        List<String> covered = new ArrayList<>(answered);
        covered.addAll(List.of("X-Auth-Subject", "x-auth-role", "X-AUTH-ADMIN", "X-Revocation-Stale", "X_Auth_Subject",
                "x_revocation_stale"));
        for (String name : covered) {
            // Go's MatchString finds a match anywhere, like find(); Go also canonicalizes names first.
            assertThat(regex.matcher(name).find()).as("the regex matches %s", name).isTrue();
            assertThat(regex.matcher(TraefikModel.canonical(name)).find()).as("the regex matches %s", name).isTrue();
        }
        for (String name : List.of("Authorization", "Cookie", "X-Forwarded-Uri", "Cache-Control", "Content-Type")) {
            assertThat(regex.matcher(name).find()).as("the regex matches %s", name).isFalse();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Traefik's contract replayed against the real sidecar
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
                        .check(e -> assertThat(e.authTarget()).isEqualTo("GET /v1/authz"))
                        .check(e -> assertThat(ForwardAuthReplay.values(e.authRequest(), "X-Forwarded-Uri"))
                                .containsExactly("/orders/1?page=2")),
                Case.of("a token without sub and a client X-Auth-Subject: admin", "GET", "/orders/1", bearer(noSubject),
                        "X-Auth-Subject: admin").status(400),
                Case.of("a token without email and a client X-User-Email", "GET", "/orders/1", bearer(noEmail),
                        "X-User-Email: boss@example.com").status(400),
                Case.of("a client X-Auth-Role: admin", "GET", "/orders/1", bearer(good), "X-Auth-Role: admin").status(400),
                Case.of("a client X-AUTH-ADMIN", "GET", "/orders/1", bearer(good), "X-AUTH-ADMIN: yes").status(400),
                Case.of("no sub, a client X_Auth_Subject", "GET", "/orders/1", bearer(noSubject), "X_Auth_Subject: admin")
                        .status(400),
                Case.of("a client X-Revocation-Stale", "GET", "/orders/1", bearer(good), "X-Revocation-Stale: false")
                        .status(400),
                Case.of("a client X-Original-URI naming a weaker request", "POST", "/orders/1", bearer(good),
                        "X-Original-URI: /public").status(400)
                        .check(e -> assertThat(e.clientBody()).contains("X-Forwarded-Uri")),
                Case.of("a client X-Original-URI on a request that would pass", "GET", "/orders/1", bearer(good),
                        "X-Original-URI: /orders/2").status(400),
                Case.of("a client X-Original-Method naming a weaker request", "POST", "/orders/1", bearer(good),
                        "X-Original-Method: GET").status(400),
                Case.of("a client X-Forwarded-Uri/-Method/-Host: Traefik replaces them, the real route decides", "POST",
                        "/orders/1", bearer(good), "X-Forwarded-Uri: /public", "X-Forwarded-Method: GET",
                        "X-Forwarded-Host: public.example").status(403)
                        .check(e -> assertThat(ForwardAuthReplay.values(e.authRequest(), "X-Forwarded-Uri"))
                                .containsExactly("/orders/1"))
                        .check(e -> assertThat(ForwardAuthReplay.values(e.authRequest(), "X-Forwarded-Host"))
                                .containsExactly("shop.example")),
                Case.of("encoded dot segments in the original URI, no token", "GET", "/api/%2e%2e/%2e%2e/%2e%2e/health/live")
                        .status(400).check(e -> assertThat(e.clientBody()).contains("invalid_request")),
                Case.of("no token", "GET", "/orders/1").status(401)
                        .check(e -> assertThat(e.client("WWW-Authenticate")).containsExactly("Bearer realm=\"jwt-sidecar\"")),
                Case.of("two Authorization headers", "GET", "/orders/1", bearer(good), bearer(good)).status(401)
                        .check(e -> assertThat(e.client("WWW-Authenticate")).hasSize(1)),
                Case.of("stale revocation data, fail-closed", "GET", "/orders/1", bearer(good))
                        .revocation(RevocationCheck.Status.STALE).status(503)
                        .check(e -> assertThat(e.client("Retry-After")).containsExactly("1"))
                        .check(e -> assertThat(e.client("WWW-Authenticate")).isEmpty())
                        .check(e -> assertThat(e.clientBody()).contains("revocation_data_stale")),
                Case.of("stale revocation data, fail-open", "GET", "/orders/1", bearer(good))
                        .revocation(RevocationCheck.Status.NOT_REVOKED_STALE).status(200)
                        .upstream("X-Revocation-Stale", "true").upstream("X-Auth-Subject", "alice"),
                Case.of("a write without orders:write", "POST", "/orders/1", bearer(good)).status(403)
                        .check(e -> assertThat(e.client("WWW-Authenticate")).containsExactly("Bearer realm=\"jwt-sidecar\", "
                                + "error=\"insufficient_scope\", scope=\"" + ForwardAuthReplay.ORDERS_WRITE + "\"")),
                Case.of("a write with orders:write", "POST", "/orders/1", bearer(writer)).status(200)
                        .upstream("X-Auth-Subject", "alice"),
                // authz.clientIdentityHeaders: strip (the regex deletes the client's copies)
                Case.of("strip: a client X-Auth-Role is deleted by the regex", "GET", "/orders/1", bearer(good),
                        "X-Auth-Role: admin").strip().status(200).upstream("X-Auth-Subject", "alice")
                        .check(e -> assertThat(e.upstream("X-Auth-Role")).isEmpty()),
                Case.of("strip: no sub, a client X-Auth-Subject is replaced by the empty value", "GET", "/orders/1",
                        bearer(noSubject), "X-Auth-Subject: admin").strip().status(200).upstream("X-Auth-Subject", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void replay(Case c) throws Exception {
        replay.replay(c, operated, refusing, stripping);
    }

    /**
     * Why the config says to add each api.claimHeaders name to the regex: with client copies
     * refused the sidecar sees every header Traefik forwards, but with strip only the regex
     * deletes the client's copy of a mapped header.
     */
    @Test
    void a_mapped_claim_header_is_safe_in_strip_mode_only_when_added_to_the_regex() throws Exception {
        ClientRequest forged = ClientRequest.of("GET", "/orders/1", bearer(replay.tokenWithout("email")),
                "X-User-Email: boss@example.com");

        Exchange asShipped = shipped.exchange(stripping, forged);

        assertThat(asShipped.upstream("X-User-Email")).as("%s", asShipped).containsExactly("boss@example.com");
        assertThat(shipped.exchange(refusing, forged).clientStatus()).isEqualTo(400);
        assertThat(operated.exchange(stripping, forged).upstream("X-User-Email")).containsExactly("");
    }

    /**
     * Traefik's ForwardAuth middleware (v2.11 and v3; the v3.6.14+ deletion of every client
     * X-Forwarded-* header with trustForwardHeader: false leaves the same values for the four the
     * sidecar reads).
     *
     * <ul>
     *   <li>To the sidecar: GET {@code address}, every client header (names canonicalized by Go,
     *       hop-by-hop headers and those named in Connection removed; only
     *       {@code authRequestHeaders} when set), X-Forwarded-For the client's address, and
     *       X-Forwarded-Method, -Proto, -Host and -Uri computed by Traefik, replacing the client's
     *       (unless trustForwardHeader). Host is the address's.</li>
     *   <li>2xx: each {@code authResponseHeaders} name is deleted from the request, then copied from
     *       the answer if there; every request header the regex matches is deleted, then every
     *       answer header it matches is copied.</li>
     *   <li>Otherwise: status, body and every answer header but the hop-by-hop ones go back to the
     *       client, a relative Location made absolute.</li>
     * </ul>
     */
    static final class TraefikModel implements ForwardAuthReplay.ProxyModel {
        private static final List<String> HOP = List.of("Connection", "Keep-Alive", "Te", "Trailers",
                "Transfer-Encoding", "Upgrade");
        /** Go's request writer takes these from the request, not its header map. */
        private static final Set<String> NOT_WRITTEN = Set.of("Host", "Content-Length", "Transfer-Encoding", "Trailer");
        private static final String CLIENT_ADDRESS = "192.0.2.10";

        private final JsonNode fa;
        private final URI address;
        private final boolean trustForwardHeader;
        private final Pattern regex;

        TraefikModel(JsonNode fa) {
            this.fa = fa;
            this.address = URI.create(fa.path("address").asText());
            this.trustForwardHeader = fa.path("trustForwardHeader").asBoolean(false);
            this.regex = fa.hasNonNull("authResponseHeadersRegex")
                    ? Pattern.compile(fa.path("authResponseHeadersRegex").asText()) : null;
        }

        /** A copy with a header name added to the regex's alternatives, as an operator would. */
        TraefikModel withClaimHeader(String name) {
            String re = fa.path("authResponseHeadersRegex").asText();
            assertThat(re).as("the regex is one group of alternatives").endsWith(")$");
            ObjectNode copy = fa.deepCopy();
            copy.put("authResponseHeadersRegex", re.substring(0, re.length() - 2) + "|" + name.toLowerCase(Locale.ROOT) + ")$");
            return new TraefikModel(copy);
        }

        /** Go's textproto.CanonicalMIMEHeaderKey. */
        static String canonical(String name) {
            for (char c : name.toCharArray()) {
                if (!(Character.isLetterOrDigit(c) && c < 128) && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                    return name;
                }
            }
            StringBuilder sb = new StringBuilder(name.length());
            boolean upper = true;
            for (char c : name.toCharArray()) {
                sb.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
                upper = c == '-';
            }
            return sb.toString();
        }

        private static Map<String, List<String>> goHeader(List<Header> headers) {
            Map<String, List<String>> map = new LinkedHashMap<>();
            headers.forEach(h -> map.computeIfAbsent(canonical(h.name()), k -> new ArrayList<>()).add(h.value()));
            return map;
        }

        private static Map<String, List<String>> copy(Map<String, List<String>> header) {
            Map<String, List<String>> copy = new LinkedHashMap<>();
            header.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
            return copy;
        }

        private static List<Header> lines(Map<String, List<String>> header) {
            List<Header> lines = new ArrayList<>();
            header.forEach((k, vs) -> vs.forEach(v -> lines.add(new Header(k, v))));
            return lines;
        }

        private static void removeHop(Map<String, List<String>> header) {
            for (String c : header.getOrDefault("Connection", List.of())) {
                for (String named : c.split(",")) {
                    header.remove(canonical(named.strip()));
                }
            }
            HOP.forEach(header::remove);
        }

        @Override
        public Exchange exchange(int sidecarPort, ClientRequest request) throws IOException {
            Map<String, List<String>> req = goHeader(request.headers());
            List<String> hosts = req.remove("Host");
            String host = hosts == null ? "" : hosts.get(0);

            Map<String, List<String>> fwd = copy(req);
            removeHop(fwd);
            if (fa.has("authRequestHeaders")) {
                Map<String, List<String>> filtered = new LinkedHashMap<>();
                fa.path("authRequestHeaders").forEach(n -> {
                    List<String> v = fwd.get(canonical(n.asText()));
                    if (v != null) {
                        filtered.put(canonical(n.asText()), v);
                    }
                });
                fwd.clear();
                fwd.putAll(filtered);
            }
            String xff = CLIENT_ADDRESS;
            if (trustForwardHeader && fwd.containsKey("X-Forwarded-For")) {
                xff = String.join(", ", fwd.get("X-Forwarded-For")) + ", " + xff;
            }
            fwd.put("X-Forwarded-For", new ArrayList<>(List.of(xff)));
            Map<String, String> described = Map.of("X-Forwarded-Method", request.method(), "X-Forwarded-Proto", "http",
                    "X-Forwarded-Host", host, "X-Forwarded-Uri", request.target());
            described.forEach((k, v) -> {
                if (!trustForwardHeader || !fwd.containsKey(k)) {
                    fwd.put(k, new ArrayList<>(List.of(v)));
                }
            });
            NOT_WRITTEN.forEach(fwd::remove);
            List<Header> auth = new ArrayList<>();
            auth.add(new Header("Host", address.getRawAuthority()));
            auth.addAll(lines(fwd));
            String target = address.getRawPath() + (address.getRawQuery() == null ? "" : "?" + address.getRawQuery());
            RawHttp.Response answer = ForwardAuthReplay.send(sidecarPort, "GET", target, auth);
            List<Header> answerLines = new ArrayList<>();
            answer.headers().forEach(h -> answerLines.add(new Header(h[0], h[1])));
            Map<String, List<String>> answered = goHeader(answerLines);

            if (answer.status() < 200 || answer.status() >= 300) {
                Map<String, List<String>> toClient = copy(answered);
                HOP.forEach(toClient::remove);
                if (toClient.containsKey("Location")) {
                    toClient.put("Location", List.of(address.resolve(toClient.get("Location").get(0)).toString()));
                }
                return new Exchange(auth, "GET " + target, answer, answer.status(), lines(toClient), answer.body(), null);
            }
            for (JsonNode n : fa.path("authResponseHeaders")) {
                String key = canonical(n.asText());
                req.remove(key);
                if (answered.containsKey(key)) {
                    req.put(key, new ArrayList<>(answered.get(key)));
                }
            }
            if (regex != null) {
                req.keySet().removeIf(k -> regex.matcher(k).find());
                answered.forEach((k, vs) -> {
                    if (regex.matcher(k).find()) {
                        req.put(k, new ArrayList<>(vs));
                    }
                });
            }
            List<Header> upstream = new ArrayList<>();
            upstream.add(new Header("Host", host));
            upstream.addAll(lines(req));
            return new Exchange(auth, "GET " + target, answer, 200, List.of(), "", upstream);
        }
    }
}
