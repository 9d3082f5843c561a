package io.jwtsidecar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.jwtsidecar.authz.PathPattern;
import io.jwtsidecar.authz.Requirements;
import io.jwtsidecar.authz.RoutePolicy;
import io.jwtsidecar.authz.RouteRule;
import io.jwtsidecar.authz.TokenLocation;
import io.jwtsidecar.http.HttpResponses;
import io.jwtsidecar.http.IdentityHeaders;
import io.jwtsidecar.http.ListenerOptions;
import io.jwtsidecar.http.Readiness;
import io.jwtsidecar.http.SidecarRoutes;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Real sidecar APIs on loopback (one Vert.x instance) for replaying a proxy's forward-auth
 * contract: a test models what the proxy sends to {@code /v1/authz} and what it does with the
 * answer, and this class supplies the sidecar, the tokens, and the checks every replay shares.
 *
 * <p>The replay sidecar has one route, {@value #ORDERS_ROUTE}: writes ({@code POST}, {@code PUT},
 * {@code PATCH}, {@code DELETE}) below {@code /orders} need the scope {@value #ORDERS_WRITE};
 * anything else needs a valid token only. The claim {@code email} is mapped to
 * {@value #EMAIL_HEADER}.
 */
public final class ForwardAuthReplay implements AutoCloseable {
    public static final String ISSUER = "https://issuer.example";
    public static final String EMAIL_HEADER = "X-User-Email";
    public static final String ORDERS_ROUTE = "orders-write";
    public static final String ORDERS_WRITE = "orders:write";
    /** Headers any HTTP answer may carry; every other header of an accepted answer is the sidecar's to set. */
    private static final Set<String> GENERIC = Set.of("content-length", "content-type", "cache-control", "connection",
            "date", "keep-alive", "transfer-encoding", "server");

    private final Vertx vertx = Vertx.vertx();
    private final MutableClock clock = MutableClock.atNow();
    private final TestKeys keys = TestKeys.generate(JwsAlgorithm.ES256);
    private final AtomicReference<RevocationCheck.Status> revocation =
            new AtomicReference<>(RevocationCheck.Status.NOT_REVOKED);
    private final TokenVerifier verifier;

    public ForwardAuthReplay() {
        IssuerPolicy policy = new IssuerPolicy(ISSUER, new StaticKeySource(List.of(new VerificationKey("k1",
                JwsAlgorithm.ES256, keys.verificationKey()))), Set.of(JwsAlgorithm.ES256), Set.of("api"), List.of(), null,
                Duration.ofSeconds(30), Duration.ofHours(1), null);
        verifier = new TokenVerifier(List.of(policy), 8192, clock, (t, skew) -> revocation.get());
    }

    /** The mapped claim headers of the replay sidecar ({@code api.claimHeaders}). */
    public static IdentityHeaders replayIdentity() {
        return new IdentityHeaders(Map.of(EMAIL_HEADER, "email"));
    }

    /** The replay policy: {@value #ORDERS_ROUTE} needs {@value #ORDERS_WRITE}, anything else a valid token. */
    public static RoutePolicy replayPolicy() {
        RouteRule orders = new RouteRule(ORDERS_ROUTE, List.of(), Set.of("POST", "PUT", "PATCH", "DELETE"),
                PathPattern.prefix("/orders"),
                new Requirements(Set.of(), Set.of(), Map.of(), List.of(ORDERS_WRITE), List.of(), null), List.of());
        return new RoutePolicy(List.of(orders), false, List.of(TokenLocation.HEADER), Map.of());
    }

    /** A sidecar with its defaults: no routes, no mapped claims, client copies refused. @return its port */
    public int startDefault() throws Exception {
        return start(SidecarRoutes.ForwardAuth.open(Clock.systemUTC()), new IdentityHeaders(Map.of()));
    }

    /**
     * The replay sidecar ({@link #replayPolicy}, {@link #replayIdentity}).
     *
     * @param refuseCopies {@code authz.clientIdentityHeaders}: refuse (true) or strip (false)
     * @return its port
     */
    public int startReplay(boolean refuseCopies) throws Exception {
        return start(new SidecarRoutes.ForwardAuth(replayPolicy(), refuseCopies, clock), replayIdentity());
    }

    private int start(SidecarRoutes.ForwardAuth forwardAuth, IdentityHeaders identity) throws Exception {
        Readiness up = () -> new Readiness.Report(true, Map.of());
        SidecarRoutes routes = new SidecarRoutes(verifier, up, up, 8192, identity, new SidecarMetrics(), false, forwardAuth);
        return vertx.createHttpServer(ListenerOptions.forListener("127.0.0.1", 0, 8192))
                .requestHandler(routes.handler(vertx)).listen().toCompletionStage().toCompletableFuture().get()
                .actualPort();
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** A proxy's handling of one client request, modelled from its source: what reaches the upstream or the client. */
    public interface ProxyModel {
        Exchange exchange(int sidecarPort, ClientRequest request) throws IOException;
    }

    /**
     * Replays one case through a proxy model, against the replay sidecar that refuses or strips
     * client copies as the case says, with the case's revocation answer, and checks it.
     */
    public void replay(Case c, ProxyModel proxy, int refusingPort, int strippingPort) throws IOException {
        revocation(c.revocation());
        try {
            c.verify(proxy.exchange(c.stripped() ? strippingPort : refusingPort, c.request()), replayIdentity());
        } finally {
            revocation(RevocationCheck.Status.NOT_REVOKED);
        }
    }

    /** What the revocation check answers from now on. */
    public void revocation(RevocationCheck.Status status) {
        revocation.set(status);
    }

    /** A valid token for alice (email alice@example.com, scope orders:read), with claims changed by {@code edit}. */
    public String token(Consumer<Map<String, Object>> edit) {
        Map<String, Object> claims = Tokens.validClaims(ISSUER, "api", clock.epochSecond());
        claims.put("email", "alice@example.com");
        claims.put("scope", "orders:read");
        edit.accept(claims);
        return Tokens.mint(keys, "k1", claims);
    }

    public String token() {
        return token(c -> { });
    }

    /** A valid token without the named claims. */
    public String tokenWithout(String... claims) {
        return token(c -> Arrays.asList(claims).forEach(c::remove));
    }

    /** One header line, as a client or proxy writes it (names keep their case). */
    public record Header(String name, String value) {
        public static Header parse(String line) {
            int colon = line.indexOf(':');
            return new Header(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
        }

        public String line() {
            return name + ": " + value;
        }
    }

    /** A client's request to the proxy: method, raw request target (path and query) and header lines in order. */
    public record ClientRequest(String method, String target, List<Header> headers) {
        public static ClientRequest of(String method, String target, String... headerLines) {
            List<Header> headers = new ArrayList<>();
            headers.add(new Header("Host", "shop.example"));
            Arrays.stream(headerLines).map(Header::parse).forEach(headers::add);
            return new ClientRequest(method, target, List.copyOf(headers));
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(method).append(' ').append(target);
            headers.forEach(h -> sb.append(" [").append(h.line().length() > 48 ? h.line().substring(0, 40) + "…" : h.line())
                    .append(']'));
            return sb.toString();
        }
    }

    /**
     * One request through a proxy model.
     *
     * @param authRequest  what the proxy sent to the sidecar (header lines; the request line is in {@code authTarget})
     * @param authTarget   method and target of the request to the sidecar
     * @param answer       the sidecar's answer
     * @param clientStatus the status the client gets (200 when the request went upstream)
     * @param clientHeaders the headers of the proxy's answer to the client (none modelled when it went upstream)
     * @param upstream     the request headers the upstream receives; null when the proxy did not forward
     */
    public record Exchange(List<Header> authRequest, String authTarget, RawHttp.Response answer, int clientStatus,
                           List<Header> clientHeaders, String clientBody, List<Header> upstream) {
        public boolean forwarded() {
            return upstream != null;
        }

        /** Every value the upstream receives for a header (names compared case-insensitively). */
        public List<String> upstream(String name) {
            return values(upstream == null ? List.of() : upstream, name);
        }

        /** Every value of a header in the proxy's answer to the client. */
        public List<String> client(String name) {
            return values(clientHeaders, name);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("to the sidecar: ").append(authTarget);
            authRequest.forEach(h -> sb.append("\n  ").append(abbreviated(h.name(), h.value())));
            sb.append("\nsidecar answered: ").append(answer.status());
            answer.headers().forEach(h -> sb.append("\n  ").append(abbreviated(h[0], h[1])));
            if (!answer.body().isEmpty()) {
                sb.append("\n  ").append(answer.body());
            }
            sb.append("\nclient gets: ").append(clientStatus);
            clientHeaders.forEach(h -> sb.append("\n  ").append(abbreviated(h.name(), h.value())));
            if (upstream != null) {
                sb.append("\nupstream receives:");
                upstream.forEach(h -> sb.append("\n  ").append(abbreviated(h.name(), h.value())));
            }
            return sb.toString();
        }

        private static String abbreviated(String name, String value) {
            return name + ": " + (value.length() > 48 ? value.substring(0, 40) + "…(" + value.length() + ")" : value);
        }
    }

    public static List<String> values(List<Header> headers, String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).toList();
    }

    /** Sends a request to the sidecar byte for byte (RawHttp adds only {@code Connection: close}). */
    public static RawHttp.Response send(int port, String method, String target, List<Header> headers) throws IOException {
        return RawHttp.send(port, method, target, headers.stream().map(Header::line).toArray(String[]::new));
    }

    /**
     * The headers the sidecar sets on an accepted forward-auth answer, read off a real answer to a
     * good token: every header of the answer other than the generic HTTP ones, names as sent.
     */
    public List<String> headersOfAnAcceptedAnswer(int port) throws IOException {
        RawHttp.Response answer = RawHttp.send(port, "GET", "/v1/authz", "Authorization: Bearer " + token());
        assertThat(answer.status()).as("%s", answer).isEqualTo(200);
        List<String> names = new ArrayList<>();
        for (String[] h : answer.headers()) {
            if (!GENERIC.contains(h[0].toLowerCase(Locale.ROOT)) && !names.contains(h[0])) {
                names.add(h[0]);
            }
        }
        return names;
    }

    /**
     * Whether the sidecar owns a header name (the X-Auth-* family, X-Revocation-Stale, a mapped
     * claim header), '_' counting as '-' as CGI-style servers read it.
     */
    public static boolean sidecarOwned(String name, IdentityHeaders identity) {
        String lower = normalised(name);
        return lower.startsWith(IdentityHeaders.FAMILY_PREFIX) || lower.equals(HttpResponses.STALE_HEADER.toLowerCase(Locale.ROOT))
                || identity.claimHeaders().keySet().stream().anyMatch(lower::equalsIgnoreCase);
    }

    private static String normalised(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The sidecar-owned headers of a header list, by lower-case name ('_' as '-'), values in order. */
    public static Map<String, List<String>> owned(List<Header> headers, IdentityHeaders identity) {
        Map<String, List<String>> owned = new TreeMap<>();
        for (Header h : headers) {
            if (sidecarOwned(h.name(), identity)) {
                owned.computeIfAbsent(normalised(h.name()), k -> new ArrayList<>()).add(h.value());
            }
        }
        return owned;
    }

    /**
     * What every replay must show, whatever the case: a request goes upstream only when the client
     * gets 200; then every sidecar-owned header the upstream receives is exactly what the sidecar
     * answered (so no client copy survives beside or instead of it), and no client value of such a
     * header reaches the upstream unless the sidecar itself gave that value. Refusals carry at
     * most one challenge.
     */
    public static void assertNoForgedIdentity(ClientRequest request, Exchange exchange, IdentityHeaders identity) {
        assertThat(exchange.forwarded()).as("forwarded iff the client gets 200\n%s", exchange)
                .isEqualTo(exchange.clientStatus() == 200);
        assertThat(exchange.client("WWW-Authenticate")).as("challenges\n%s", exchange).hasSizeLessThanOrEqualTo(1);
        if (!exchange.forwarded()) {
            return;
        }
        List<Header> answered = new ArrayList<>();
        exchange.answer().headers().forEach(h -> answered.add(new Header(h[0], h[1])));
        Map<String, List<String>> fromSidecar = owned(answered, identity);
        assertThat(owned(exchange.upstream(), identity)).as("sidecar-owned headers upstream\n%s", exchange)
                .isEqualTo(fromSidecar);
        for (Header sent : request.headers()) {
            if (sidecarOwned(sent.name(), identity)) {
                List<String> sidecarValues = fromSidecar.getOrDefault(normalised(sent.name()), List.of());
                if (!sidecarValues.contains(sent.value())) {
                    assertThat(exchange.upstream(sent.name())).as("the client's %s\n%s", sent.line(), exchange)
                            .doesNotContain(sent.value());
                }
            }
        }
    }

    /** A YAML file of the repository, as a tree. */
    public static JsonNode yaml(String path) throws IOException {
        return new YAMLMapper().readTree(Path.of(path).toFile());
    }

    /**
     * One row of a proxy's replay table: a client request, the state of the revocation data, which
     * sidecar answers (client copies refused, or stripped), and what must come out.
     */
    public static final class Case {
        private final String name;
        private final ClientRequest request;
        private RevocationCheck.Status revocation = RevocationCheck.Status.NOT_REVOKED;
        private boolean strip;
        private int status;
        private final Map<String, String> upstream = new LinkedHashMap<>();
        private final List<Consumer<Exchange>> checks = new ArrayList<>();

        private Case(String name, ClientRequest request) {
            this.name = name;
            this.request = request;
        }

        public static Case of(String name, String method, String target, String... headerLines) {
            return new Case(name, ClientRequest.of(method, target, headerLines));
        }

        /** The status the client must get. */
        public Case status(int status) {
            this.status = status;
            return this;
        }

        /** A header value the upstream must receive, exactly once. */
        public Case upstream(String header, String value) {
            upstream.put(header, value);
            return this;
        }

        public Case revocation(RevocationCheck.Status status) {
            revocation = status;
            return this;
        }

        /** Judged by the sidecar with {@code authz.clientIdentityHeaders: strip}. */
        public Case strip() {
            strip = true;
            return this;
        }

        /** A further check of the exchange. */
        public Case check(Consumer<Exchange> check) {
            checks.add(check);
            return this;
        }

        public ClientRequest request() {
            return request;
        }

        public RevocationCheck.Status revocation() {
            return revocation;
        }

        public boolean stripped() {
            return strip;
        }

        /** {@link #assertNoForgedIdentity}, then the case's own expectations. */
        public void verify(Exchange exchange, IdentityHeaders identity) {
            assertThat(status).as("a case states its status").isPositive();
            assertNoForgedIdentity(request, exchange, identity);
            assertThat(exchange.clientStatus()).as("client status\n%s", exchange).isEqualTo(status);
            upstream.forEach((header, value) ->
                    assertThat(exchange.upstream(header)).as("upstream %s\n%s", header, exchange).containsExactly(value));
            checks.forEach(c -> c.accept(exchange));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Lower-case names, for sets compared across proxies that spell names differently. */
    public static Set<String> lowerCase(List<String> names) {
        Set<String> lower = new TreeSet<>();
        names.forEach(n -> lower.add(n.toLowerCase(Locale.ROOT)));
        return lower;
    }
}
