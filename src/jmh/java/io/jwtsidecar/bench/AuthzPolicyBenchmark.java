package io.jwtsidecar.bench;

import io.jsonwebtoken.Jwts;
import io.jwtsidecar.authz.AuthzDecision;
import io.jwtsidecar.authz.ForwardAuthDecider;
import io.jwtsidecar.authz.ForwardAuthHeaders;
import io.jwtsidecar.authz.ForwardAuthException;
import io.jwtsidecar.authz.ForwardedRequest;
import io.jwtsidecar.authz.HostPattern;
import io.jwtsidecar.authz.PathPattern;
import io.jwtsidecar.authz.Requirements;
import io.jwtsidecar.authz.RoutePolicy;
import io.jwtsidecar.authz.RouteRule;
import io.jwtsidecar.authz.TokenLocation;
import io.jwtsidecar.authz.TokenLocator;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.VerificationOutcome;
import io.jwtsidecar.token.VerifiedToken;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.vertx.core.MultiMap;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What a forward-auth policy decision adds to a cached verify, without HTTP: the decision
 * {@code ForwardAuthHandler} asks {@link ForwardAuthDecider} for, on the request headers as Vert.x
 * holds them ({@code MultiMap.caseInsensitiveMultiMap()}, read the way the handler reads them),
 * without the network, the HTTP codec or the answer.
 *
 * <ul>
 *   <li>{@link #cachedVerify}: {@code TokenVerifier.verify} of a token already in the
 *       verified-token cache (ES256 issuer, revocation {@code NONE}), the same String instance
 *       every call, as {@code VerifyBenchmark.cached}.</li>
 *   <li>{@link #cachedVerifyAndPolicy}: what forward auth does per request around the same
 *       verify, in the decider's order: {@link ForwardedRequest#from} (X-Forwarded-Method, -Uri,
 *       -Host, -Proto, the method overrides), {@link RoutePolicy#match} over {@value #ROUTES} routes where the 11th
 *       covers the request, {@link TokenLocator#find} over [header], verify of the token it
 *       found (a new String cut from the Authorization header, as a request brings it),
 *       {@link RoutePolicy#issuerAllows}, and {@link Requirements#check} with issuers,
 *       audiences, two claims, scopes, acr and maxAge all set and passing.</li>
 *   <li>{@link #policyOnly}: the same without the verify, on the already verified token.</li>
 *   <li>{@link #cachedVerifyOfACopy}: the cache hit of {@link #cachedVerify} for a new copy of
 *       the token, as a request brings it.</li>
 * </ul>
 * The difference of the first two is what forward auth adds, including that its verify gets a
 * fresh String (the cache compares the whole token instead of finding the same instance).
 * The handler's other work (the client's copies of identity headers, metrics, the answer) is not
 * included. The request: {@code GET https://api.example.com/orders/42/items?expand=1}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class AuthzPolicyBenchmark {
    static final int ROUTES = 20;
    static final String MATCHED_ROUTE = "order-items-read";
    static final int MATCHED_INDEX = 10;
    /** The issuer's clock skew as the handler passes it (how far ahead auth_time may be). */
    static final long SKEW_SECONDS = 30;

    private String token;
    private MultiMap headers;
    private Function<String, List<String>> lookup;
    private TokenVerifier verifier;
    private VerifiedToken verified;
    private RoutePolicy policy;
    private Clock clock;
    private ForwardAuthDecider decider;
    private ForwardAuthDecider policyOnlyDecider;

    @Setup
    public void setup() throws ForwardAuthException {
        BenchSetup.useProvider(BenchSetup.NATIVE);
        clock = Clock.systemUTC();
        long now = clock.millis() / 1000;
        BenchSetup.Material m = BenchSetup.Material.generate(JwsAlgorithm.ES256);
        token = mint(m, now);
        verifier = m.verifier(clock, RevocationCheck.NONE, 64L << 20);
        policy = policy();

        // As Traefik's ForwardAuth sends it, in the header map Vert.x gives an HTTP/1.x request.
        headers = MultiMap.caseInsensitiveMultiMap();
        headers.add("Host", "jwt-sidecar:8181");
        headers.add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
        headers.add("Accept", "application/json");
        headers.add("Accept-Encoding", "gzip, deflate, br");
        headers.add("Authorization", "Bearer " + token);
        headers.add("X-Forwarded-For", "203.0.113.7");
        headers.add("X-Forwarded-Host", "api.example.com");
        headers.add("X-Forwarded-Method", "GET");
        headers.add("X-Forwarded-Port", "443");
        headers.add("X-Forwarded-Proto", "https");
        headers.add("X-Forwarded-Server", "traefik-7c9d5b6f4-x2kqp");
        headers.add("X-Forwarded-Uri", "/orders/42/items?expand=1");
        headers.add("X-Real-Ip", "203.0.113.7");
        // As ForwardAuthHandler reads a Vert.x request's headers: gathered per request (see the benchmarks).
        lookup = ForwardAuthHeaders.of(headers::forEach);

        // A broken setup fails here, not as a fast figure of the wrong thing.
        VerificationOutcome first = verifier.verify(token);
        BenchSetup.requireAccepted(first, "ES256 token (fills the cache)");
        verified = first.token();
        BenchSetup.requireAccepted(verifier.verify(token), "ES256 token (cache hit)");
        if (verifier.cacheHits() != 1) {
            throw new IllegalStateException("the second verification was not a cache hit");
        }
        ForwardedRequest request = ForwardedRequest.from(lookup, "GET", "");
        if (!request.method().equals("GET") || !"api.example.com".equals(request.host())
                || !"/orders/42/items".equals(request.path()) || !"expand=1".equals(request.query())
                || !"https".equals(request.scheme())) {
            throw new IllegalStateException("forwarded request read wrongly: " + request);
        }
        Optional<RouteRule> route = policy.match(request);
        if (route.isEmpty() || !route.get().name().equals(MATCHED_ROUTE)
                || policy.routes().indexOf(route.get()) != MATCHED_INDEX) {
            throw new IllegalStateException("matched " + route.map(RouteRule::name).orElse("no route")
                    + ", not " + MATCHED_ROUTE + " (route " + (MATCHED_INDEX + 1) + " of " + ROUTES + ")");
        }
        TokenLocator.Located where = TokenLocator.find(policy.locationsFor(route), lookup, request.query());
        if (!(where instanceof TokenLocator.Found located) || !located.token().equals(token)
                || located.location() != TokenLocation.HEADER) {
            throw new IllegalStateException("token not found in the Authorization header: " + where);
        }
        long hits = verifier.cacheHits();
        BenchSetup.requireAccepted(verifier.verify(located.token()), "located token");
        if (verifier.cacheHits() != hits + 1) {
            throw new IllegalStateException("the located token was not a cache hit");
        }
        if (!policy.issuerAllows(verified.issuer(), located.location())) {
            throw new IllegalStateException("issuer may not send tokens in the header");
        }
        Requirements req = route.get().requirements();
        if (req.issuers().isEmpty() || req.audiences().isEmpty() || req.claims().isEmpty() || req.scopes().isEmpty()
                || req.acrValues().isEmpty() || req.maxAge() == null) {
            throw new IllegalStateException("the matched route does not demand everything: " + req);
        }
        AuthzDecision decision = req.check(verified, now, SKEW_SECONDS);
        if (!decision.allowed()) {
            throw new IllegalStateException("the matched route refuses the token: " + decision);
        }
        // Each of the route's demands refuses a token that lacks it (so none is skipped as trivially true).
        for (Requirements stricter : List.of(
                with(req, Set.of("https://other.example"), req.audiences(), req.claims(), req.scopes(), req.acrValues()),
                with(req, req.issuers(), Set.of("billing-api"), req.claims(), req.scopes(), req.acrValues()),
                with(req, req.issuers(), req.audiences(), Map.of("groups", Set.of("billing")), req.scopes(), req.acrValues()),
                with(req, req.issuers(), req.audiences(), req.claims(), List.of("orders:delete"), req.acrValues()),
                with(req, req.issuers(), req.audiences(), req.claims(), req.scopes(), List.of("urn:example:acr:hwk")))) {
            if (stricter.check(verified, now, SKEW_SECONDS).allowed()) {
                throw new IllegalStateException("a requirement the token does not meet passed: " + stricter);
            }
        }
        if (new Requirements(Set.of(), Set.of(), Map.of(), List.of(), List.of(), Duration.ofSeconds(60))
                .check(verified, now, SKEW_SECONDS).allowed()) {
            throw new IllegalStateException("maxAge 60 s passed a token authenticated 10 minutes ago");
        }
        decider = new ForwardAuthDecider(policy, verifier::verify, issuer -> SKEW_SECONDS, clock);
        VerificationOutcome verifiedOutcome = VerificationOutcome.accepted(verified);
        policyOnlyDecider = new ForwardAuthDecider(policy, t -> verifiedOutcome, issuer -> SKEW_SECONDS, clock);
        for (ForwardAuthDecider.Result r : List.of(cachedVerifyAndPolicy(), policyOnly())) {
            if (!(r instanceof ForwardAuthDecider.Allowed) || !r.route().equals(MATCHED_ROUTE)) {
                throw new IllegalStateException("the decision is not allowed by " + MATCHED_ROUTE + ": " + r);
            }
        }
    }

    private static Requirements with(Requirements r, Set<String> issuers, Set<String> audiences,
                                     Map<String, Set<String>> claims, List<String> scopes, List<String> acr) {
        return new Requirements(issuers, audiences, claims, scopes, acr, r.maxAge());
    }

    /** An access token as an OIDC provider issues it after a multi-factor sign-in ten minutes ago (615 characters). */
    private static String mint(BenchSetup.Material m, long now) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", BenchSetup.ISSUER);
        claims.put("sub", "user-4f1c2a9e");
        claims.put("aud", List.of(BenchSetup.AUDIENCE, "inventory-api"));
        claims.put("client_id", "orders-web");
        claims.put("scope", "openid profile orders:read orders:write inventory:read");
        claims.put("groups", List.of("staff", "emea", "order-readers"));
        claims.put("tenant", "acme");
        claims.put("acr", "urn:example:acr:mfa");
        claims.put("auth_time", now - 600);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("iat", now - 5);
        claims.put("exp", now + BenchSetup.LIFETIME_SECONDS);
        return Jwts.builder().header().keyId(BenchSetup.KID).and().claims(claims)
                .signWith((PrivateKey) m.signingKey, Jwts.SIG.ES256).compact();
    }

    /**
     * Twenty routes of a small API gateway, in order. The request (GET api.example.com
     * /orders/42/items) passes the method check of most of the first ten and reaches the host or
     * path check of several, including a prefix /orders-admin, templates of other lengths under
     * /orders and a template of the same shape on other hosts, before the 11th covers it.
     */
    private static RoutePolicy policy() {
        Requirements orders = new Requirements(Set.of(BenchSetup.ISSUER), Set.of(BenchSetup.AUDIENCE), Map.of(),
                List.of("orders:write"), List.of(), null);
        Requirements staff = new Requirements(Set.of(BenchSetup.ISSUER), Set.of(), Map.of("groups", Set.of("staff")),
                List.of(), List.of("urn:example:acr:mfa"), Duration.ofMinutes(15));
        List<RouteRule> routes = new ArrayList<>();
        routes.add(route("health", List.of(), Set.of(), PathPattern.prefix("/healthz"), Requirements.none()));
        routes.add(route("docs", List.of("*.example.com"), Set.of("GET", "HEAD"), PathPattern.prefix("/docs"),
                Requirements.none()));
        routes.add(route("oauth2", List.of(), Set.of(), PathPattern.prefix("/oauth2"), Requirements.none()));
        routes.add(route("admin-console", List.of("admin.example.com"), Set.of(), PathPattern.prefix("/"), staff));
        routes.add(route("orders-admin", List.of("api.example.com"), Set.of(), PathPattern.prefix("/orders-admin"), staff));
        routes.add(route("create-order", List.of("api.example.com"), Set.of("POST"), PathPattern.template("/orders"),
                orders));
        routes.add(route("order-item-write", List.of("api.example.com"), Set.of("POST", "PUT", "DELETE"),
                PathPattern.template("/orders/{id}/items/{item}"), orders));
        routes.add(route("order-get", List.of("api.example.com", "api.example.net"), Set.of("GET", "HEAD"),
                PathPattern.template("/orders/{id}"), scopes("orders:read")));
        routes.add(route("order-items-internal", List.of("*.internal.example"), Set.of("GET"),
                PathPattern.template("/orders/{id}/items"), Requirements.none()));
        routes.add(route("order-history", List.of("api.example.com", "api.example.net"), Set.of("GET"),
                PathPattern.template("/orders/{id}/history"), scopes("orders:read")));
        routes.add(route(MATCHED_ROUTE, List.of("api.example.net", "api.example.com"), Set.of("GET", "HEAD"),
                PathPattern.template("/orders/{id}/items"),
                new Requirements(Set.of(BenchSetup.ISSUER, "https://partner.example"),
                        Set.of(BenchSetup.AUDIENCE, "orders-batch"),
                        Map.of("groups", Set.of("order-readers", "order-admins"), "tenant", Set.of("acme", "globex")),
                        List.of("orders:read", "inventory:read"),
                        List.of("urn:example:acr:hwk", "urn:example:acr:mfa"), Duration.ofHours(8))));
        routes.add(route("orders", List.of("api.example.com"), Set.of(), PathPattern.prefix("/orders"), orders));
        routes.add(route("invoice-get", List.of("api.example.com"), Set.of("GET"), PathPattern.template("/invoices/{id}"),
                scopes("invoices:read")));
        routes.add(route("invoices", List.of("api.example.com"), Set.of("POST", "PUT"), PathPattern.prefix("/invoices"),
                scopes("invoices:write")));
        routes.add(route("customers", List.of(), Set.of(), PathPattern.prefix("/customers"), scopes("customers:read")));
        routes.add(route("reports", List.of("*.example.com"), Set.of("GET"), PathPattern.template("/reports/**"), staff));
        routes.add(route("files", List.of(), Set.of("GET", "PUT"), PathPattern.template("/files/{bucket}/**"),
                scopes("files")));
        routes.add(route("graphql", List.of("api.example.com"), Set.of("POST"), PathPattern.template("/graphql"),
                scopes("graphql")));
        routes.add(route("webhooks", List.of("hooks.example.com"), Set.of("POST"), PathPattern.prefix("/webhooks"),
                Requirements.none()));
        routes.add(route("fallback", List.of(), Set.of(), PathPattern.prefix("/"), orders));
        if (routes.size() != ROUTES) {
            throw new IllegalStateException(routes.size() + " routes");
        }
        TokenLocation sessionCookie = TokenLocation.parse("cookie:session");
        return new RoutePolicy(routes, true, List.of(TokenLocation.HEADER),
                Map.of(BenchSetup.ISSUER, Set.of(TokenLocation.HEADER),
                        "https://partner.example", Set.of(TokenLocation.HEADER, sessionCookie)));
    }

    private static RouteRule route(String name, List<String> hosts, Set<String> methods, PathPattern path,
                                   Requirements requirements) {
        return new RouteRule(name, hosts.stream().map(HostPattern::of).toList(), methods, path, requirements, List.of());
    }

    private static Requirements scopes(String scope) {
        return new Requirements(Set.of(), Set.of(), Map.of(), List.of(scope), List.of(), null);
    }

    @Benchmark
    public VerificationOutcome cachedVerify() {
        return verifier.verify(token);
    }

    /**
     * The same cache hit for a copy of the token, as every request brings one (the text of its
     * Authorization header): the cache hashes and compares the whole text. The fair baseline for
     * what forward auth adds, since its verify gets such a copy too.
     */
    @Benchmark
    public VerificationOutcome cachedVerifyOfACopy() {
        return verifier.verify(new String(token));
    }

    /** The decision forward auth makes for the request, with the verify of the token it finds. */
    @Benchmark
    public ForwardAuthDecider.Result cachedVerifyAndPolicy() {
        return decider.decide(ForwardAuthHeaders.of(headers::forEach), "GET", "");
    }

    /** The same decision with a verifier that hands back the outcome verified at setup. */
    @Benchmark
    public ForwardAuthDecider.Result policyOnly() {
        return policyOnlyDecider.decide(ForwardAuthHeaders.of(headers::forEach), "GET", "");
    }
}
