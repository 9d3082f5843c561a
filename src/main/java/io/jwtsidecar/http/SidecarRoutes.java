package io.jwtsidecar.http;

import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.token.BearerExtractor;
import io.jwtsidecar.token.CertificateBinding;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.Verdict;
import io.jwtsidecar.token.VerificationOutcome;
import io.jwtsidecar.authz.DpopTarget;
import io.jwtsidecar.authz.ForwardAuthDecider;
import io.jwtsidecar.authz.ForwardAuthException;
import io.jwtsidecar.authz.ForwardedRequest;
import io.jwtsidecar.token.DpopProofCheck;
import io.jwtsidecar.authz.RoutePolicy;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.jspecify.annotations.Nullable;

/**
 * The sidecar API: what the service beside it calls.
 *
 * <ul>
 *   <li>{@code GET /v1/verify}: the token from {@code Authorization: Bearer …}; or, for a
 *       DPoP-bound token (RFC 9449), {@code Authorization: DPoP …} with the client's {@code DPoP}
 *       proof header and the original request described as for forward auth
 *       ({@code X-Forwarded-Method}, {@code X-Forwarded-Proto}, {@code X-Forwarded-Host},
 *       {@code X-Forwarded-Uri}; {@link DpopTarget}).</li>
 *   <li>{@code POST /v1/verify}: the same header, or a JSON body {@code {"token":"…"}}.</li>
 *   <li>{@code /v1/authz} (any method, any sub-path): forward auth for nginx
 *       {@code auth_request}, Traefik ForwardAuth, Envoy {@code ext_authz} and Caddy
 *       {@code forward_auth} ({@link ForwardAuthHandler}): 200 with the identity headers and no
 *       body, the same 401/503 as verify, 403 when a route's policy refuses, 400 for a request
 *       it cannot judge. Claimed by raw path before routing, so it never normalises onto
 *       another route.</li>
 *   <li>{@code POST /oauth2/introspect}: RFC 7662 introspection of a form-encoded
 *       {@code token}.</li>
 *   <li>{@code GET /metrics}: Prometheus text format (docs/METRICS.md), as on the metrics
 *       listener ({@link MetricsRoutes}).</li>
 *   <li>{@code GET /noop}, only with {@code api.noopRoute: true}: 200 with no body and no
 *       verification, the ceiling of the HTTP stack for load tests.</li>
 *   <li>{@code GET /health/live}: 200 unless the store has refused every write for a while
 *       (then a restart is the cure). {@code GET /health/ready}: 200 once the
 *       revocation feed has caught up, else 503.</li>
 * </ul>
 * Handlers run on event loops and never block: verification is in-process and the revocation
 * lookup is an in-heap Bloom check, with a local RocksDB read only on a hit.
 */
public final class SidecarRoutes {
    private final TokenVerifier verifier;
    private final ForwardAuthHandler forwardAuth;
    private final Readiness readiness;
    private final Readiness liveness;
    private final int maxTokenBytes;
    private final IdentityHeaders identity;
    private final SidecarMetrics metrics;
    private final boolean noopRoute;
    private final RequestSpans spans;
    private final ClientCertificates certificates;
    static final String VERIFY_ROUTE = "/v1/verify";

    public SidecarRoutes(TokenVerifier verifier, Readiness readiness, int maxTokenBytes, IdentityHeaders identity,
                         SidecarMetrics metrics) {
        this(verifier, readiness, maxTokenBytes, identity, metrics, false);
    }

    public SidecarRoutes(TokenVerifier verifier, Readiness readiness, int maxTokenBytes, IdentityHeaders identity,
                         SidecarMetrics metrics, boolean noopRoute) {
        this(verifier, readiness, () -> new Readiness.Report(true, Map.of()), maxTokenBytes, identity, metrics,
                noopRoute, ForwardAuth.open(Clock.systemUTC()));
    }

    /**
     * How {@code /v1/authz} decides.
     *
     * @param policy       the routes and token locations
     * @param refuseCopies true: a request carrying a client copy of a sidecar-owned header gets a 400
     *                     ({@code authz.clientIdentityHeaders: refuse}); false: it is judged, and
     *                     the copies are named for Envoy to remove ({@code strip})
     * @param clock        for {@code maxAge}
     * @param certificates where the client certificate of a request comes from, for tokens bound
     *                     to one (RFC 8705 §3), on {@code /v1/verify} and {@code /v1/authz} alike
     */
    public record ForwardAuth(RoutePolicy policy, boolean refuseCopies, Clock clock, ClientCertificates certificates) {
        /** No client certificate header (bound tokens then need the request's own TLS). */
        public ForwardAuth(RoutePolicy policy, boolean refuseCopies, Clock clock) {
            this(policy, refuseCopies, clock, ClientCertificates.withoutHeader());
        }

        /** No routes, header tokens, client copies refused. */
        public static ForwardAuth open(Clock clock) {
            return new ForwardAuth(RoutePolicy.open(), true, clock);
        }
    }

    /** @param liveness what {@code /health/live} reports (same shape as readiness) */
    public SidecarRoutes(TokenVerifier verifier, Readiness readiness, Readiness liveness, int maxTokenBytes,
                         IdentityHeaders identity, SidecarMetrics metrics, boolean noopRoute, ForwardAuth forwardAuth) {
        this(verifier, readiness, liveness, maxTokenBytes, identity, metrics, noopRoute, forwardAuth, RequestSpans.off());
    }

    /** @param spans a SERVER span for each verify and forward-auth request ({@link RequestSpans#off()}: none) */
    public SidecarRoutes(TokenVerifier verifier, Readiness readiness, Readiness liveness, int maxTokenBytes,
                         IdentityHeaders identity, SidecarMetrics metrics, boolean noopRoute, ForwardAuth forwardAuth,
                         RequestSpans spans) {
        this.spans = spans;
        ForwardAuthDecider decider = new ForwardAuthDecider(forwardAuth.policy(), this::verify,
                issuer -> verifier.policy(issuer).map(p -> p.clockSkew().toSeconds()).orElse(0L), forwardAuth.clock());
        this.certificates = forwardAuth.certificates();
        this.forwardAuth = new ForwardAuthHandler(decider, identity,
                forwardAuth.refuseCopies() ? ForwardAuthHandler.ClientCopies.REFUSE : ForwardAuthHandler.ClientCopies.STRIP,
                metrics, spans, this::verify,
                (token, proof, request) -> counted(token, t -> certificateBound(verifier.verifyDpop(t, proof), request)));
        this.liveness = liveness;
        this.verifier = verifier;
        this.readiness = readiness;
        this.maxTokenBytes = maxTokenBytes;
        this.identity = identity;
        this.metrics = metrics;
        this.noopRoute = noopRoute;
    }

    /** Every verification goes through here, so every outcome is counted and timed once. */
    private VerificationOutcome verify(String token) {
        return verify(token, null);
    }

    /**
     * With the request the token came in, whose client certificate a bound token must match
     * (RFC 8705 §3); null for a token handed over without one.
     */
    private VerificationOutcome verify(String token, @Nullable HttpServerRequest request) {
        return counted(token, t -> {
            VerificationOutcome checked = verifier.verify(t);
            return request == null ? checked : certificateBound(checked, request);
        });
    }

    /**
     * RFC 8705 §3, whatever the scheme: a token bound to a certificate needs it, and one bound to a
     * DPoP key as well needs both, so a good proof is not enough without the certificate. A
     * refusal keeps the DPoP hints (the nonce to use next) the proof check gave.
     */
    private VerificationOutcome certificateBound(VerificationOutcome outcome, HttpServerRequest request) {
        VerificationOutcome checked = CertificateBinding.check(outcome, () -> certificates.sha256(request));
        return checked == outcome || outcome.dpopHints() == null ? checked : checked.withDpopHints(outcome.dpopHints());
    }

    private VerificationOutcome counted(String token, Function<String, VerificationOutcome> verification) {
        long start = System.nanoTime();
        VerificationOutcome outcome = verification.apply(token);
        metrics.verified(outcome.isAccepted() ? "accepted" : Objects.requireNonNull(outcome.verdict(), "a refusal has a verdict").code(), System.nanoTime() - start,
                outcome.revocationStale());
        return outcome;
    }

    /** A request refused before any token reached the verifier; returns the verdict code. */
    private String refuse(RoutingContext ctx, Verdict verdict) {
        metrics.verified(verdict.code(), 0, false);
        HttpResponses.refused(ctx.response(), verdict);
        return verdict.code();
    }

    /** The verdict code of an outcome, as {@link #verify} counts it. */
    private static String code(VerificationOutcome outcome) {
        return outcome.isAccepted() ? "accepted" : Objects.requireNonNull(outcome.verdict(), "a refusal has a verdict").code();
    }

    /**
     * The API listener's request handler: the forward-auth family by its raw path, everything else
     * through the router (which normalises paths, and so must never see {@code /v1/authz/…}).
     */
    public Handler<HttpServerRequest> handler(Vertx vertx) {
        Router router = router(vertx);
        return request -> {
            if (ForwardAuthHandler.claims(request.path())) {
                forwardAuth.handle(request);
            } else {
                router.handle(request);
            }
        };
    }

    /** The routes other than forward auth; see {@link #handler}. */
    public Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        router.errorHandler(413, HttpResponses::bodyTooLarge);
        Function<RoutingContext, String> fromHeader = this::verifyFromHeader;
        Function<RoutingContext, String> fromHeaderOrBody = this::verifyFromHeaderOrBody;
        router.get(VERIFY_ROUTE).handler(ctx -> traced(ctx, fromHeader));
        router.post(VERIFY_ROUTE)
                .handler(BodyHandler.create(false).setBodyLimit(maxTokenBytes + 1024L))
                .handler(ctx -> traced(ctx, fromHeaderOrBody));
        router.post("/oauth2/introspect")
                .handler(BodyHandler.create(false).setBodyLimit(maxTokenBytes + 1024L))
                .handler(this::introspect);
        router.get("/metrics").handler(new MetricsRoutes(metrics)::scrape);
        router.get("/health/live").handler(this::live);
        router.get("/health/ready").handler(this::ready);
        if (noopRoute) {
            router.get("/noop").handler(ctx -> ctx.response().end());
        }
        return router;
    }

    /** Answers a verify request inside its span; the answer's verdict code goes on the span. */
    private void traced(RoutingContext ctx, Function<RoutingContext, String> answer) {
        if (!spans.enabled()) {
            String unusedCode = answer.apply(ctx); // the code matters only to a span
            return;
        }
        Span span = spans.start(ctx.request(), VERIFY_ROUTE);
        String code = "error";
        try {
            code = answer.apply(ctx);
        } finally {
            RequestSpans.end(span, code, ctx.response().getStatusCode());
        }
    }

    /** Returns the verdict code. */
    private String verifyFromHeader(RoutingContext ctx) {
        List<String> authorization = ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION);
        BearerExtractor.Reading dpop = BearerExtractor.read(authorization, BearerExtractor.DPOP_SCHEME);
        BearerExtractor.Problem problem = dpop.problem();
        if (problem == null || problem == BearerExtractor.Problem.EMPTY_TOKEN
                || problem == BearerExtractor.Problem.SPACE_IN_TOKEN) {
            return verifyDpop(ctx, dpop);
        }
        BearerExtractor.Extracted ex = BearerExtractor.fromAuthorization(authorization);
        String token = ex.token();
        if (token == null) {
            return refuse(ctx, Objects.requireNonNull(ex.verdict(), "no token comes with a verdict"));
        }
        VerificationOutcome outcome = verify(token, ctx.request());
        HttpResponses.outcome(ctx.response(), outcome, identity);
        return code(outcome);
    }

    /** RFC 9449 §7.1: {@code Authorization: DPoP <token>} and its proof. Returns the verdict code. */
    private String verifyDpop(RoutingContext ctx, BearerExtractor.Reading reading) {
        String token = reading.token();
        if (token == null) {
            BearerExtractor.Problem problem = Objects.requireNonNull(reading.problem(), "no token comes with a problem");
            metrics.verified(problem.verdict().code(), 0, false);
            HttpResponses.refused(ctx.response(), problem.verdict(), true);
            return problem.verdict().code();
        }
        MultiMap headers = ctx.request().headers();
        DpopProofCheck.Request request;
        try {
            ForwardedRequest original = ForwardedRequest.from(headers::getAll, ctx.request().method().name(), "");
            request = DpopTarget.of(headers::getAll, original, "");
        } catch (ForwardAuthException e) {
            metrics.verified(Verdict.INVALID_REQUEST.code(), 0, false);
            HttpResponses.invalidRequest(ctx.response(), e.field(), e.reason());
            return Verdict.INVALID_REQUEST.code();
        }
        VerificationOutcome outcome = counted(token, t -> certificateBound(verifier.verifyDpop(t, request), ctx.request()));
        HttpResponses.outcome(ctx.response(), outcome, identity, true);
        return code(outcome);
    }

    /** RFC 7662: {@code token} as a form parameter. */
    private void introspect(RoutingContext ctx) {
        String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT)
                .startsWith("application/x-www-form-urlencoded")) {
            HttpResponses.badRequest(ctx.response(), "Content-Type", "must be application/x-www-form-urlencoded");
            return;
        }
        List<String> tokens = ctx.request().formAttributes().getAll("token");
        if (tokens.size() != 1 || tokens.get(0).isEmpty()) {
            HttpResponses.badRequest(ctx.response(), "token", "exactly one non-empty token parameter is required");
            return;
        }
        // The caller holds the token without presenting it for a request: no DPoP proof to check.
        HttpResponses.introspection(ctx.response(), counted(tokens.get(0), verifier::verifyIgnoringBinding));
    }

    /** Returns the verdict code. */
    private String verifyFromHeaderOrBody(RoutingContext ctx) {
        if (ctx.request().headers().contains(HttpHeaders.AUTHORIZATION) || ctx.body().length() == 0) {
            return verifyFromHeader(ctx);
        }
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            HttpResponses.badRequest(ctx.response(), "body", "must be a JSON object {\"token\":\"…\"}");
            return Verdict.INVALID_REQUEST.code();
        }
        Object token = body == null ? null : body.getValue("token");
        if (!(token instanceof String)) {
            return refuse(ctx, token == null ? Verdict.MISSING_TOKEN : Verdict.MALFORMED);
        }
        VerificationOutcome outcome = verify((String) token, ctx.request());
        HttpResponses.outcome(ctx.response(), outcome, identity);
        return code(outcome);
    }

    /** Down only for trouble a restart cures (a store that refuses every write); otherwise up. */
    private void live(RoutingContext ctx) {
        Readiness.Report report = liveness.report();
        JsonObject body = new JsonObject().put("status", report.ready() ? "UP" : "DOWN")
                .put("checks", new JsonObject(report.checks()));
        HttpResponses.json(ctx.response(), report.ready() ? 200 : 503, body.encode());
    }

    private void ready(RoutingContext ctx) {
        Readiness.Report report = readiness.report();
        JsonObject body = new JsonObject().put("status", report.ready() ? "UP" : "DOWN")
                .put("checks", new JsonObject(report.checks()));
        HttpResponses.json(ctx.response(), report.ready() ? 200 : 503, body.encode());
    }
}
