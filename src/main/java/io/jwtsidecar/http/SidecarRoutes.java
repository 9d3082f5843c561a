package io.jwtsidecar.http;

import io.jwtsidecar.token.BearerExtractor;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.Verdict;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The sidecar API: what the service beside it calls.
 *
 * <ul>
 *   <li>{@code GET /v1/verify}: the token from {@code Authorization: Bearer …}.</li>
 *   <li>{@code POST /v1/verify}: the same header, or a JSON body {@code {"token":"…"}}.</li>
 *   <li>{@code GET /health/live}: the process answers. {@code GET /health/ready}: 200 once the
 *       revocation feed has caught up, else 503.</li>
 * </ul>
 * Handlers run on event loops and never block: verification is in-process and the revocation
 * lookup is an in-heap Bloom check, with a local RocksDB read only on a hit.
 */
public final class SidecarRoutes {
    private final TokenVerifier verifier;
    private final Readiness readiness;
    private final int maxTokenBytes;

    public SidecarRoutes(TokenVerifier verifier, Readiness readiness, int maxTokenBytes) {
        this.verifier = verifier;
        this.readiness = readiness;
        this.maxTokenBytes = maxTokenBytes;
    }

    public Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        router.get("/v1/verify").handler(this::verifyFromHeader);
        router.post("/v1/verify")
                .handler(BodyHandler.create(false).setBodyLimit(maxTokenBytes + 1024L))
                .handler(this::verifyFromHeaderOrBody);
        router.get("/health/live").handler(ctx -> HttpResponses.json(ctx.response(), 200, "{\"status\":\"UP\"}"));
        router.get("/health/ready").handler(this::ready);
        return router;
    }

    private void verifyFromHeader(RoutingContext ctx) {
        BearerExtractor.Extracted ex =
                BearerExtractor.fromAuthorization(ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION));
        if (!ex.found()) {
            HttpResponses.refused(ctx.response(), ex.verdict());
            return;
        }
        HttpResponses.outcome(ctx.response(), verifier.verify(ex.token()));
    }

    private void verifyFromHeaderOrBody(RoutingContext ctx) {
        if (ctx.request().headers().contains(HttpHeaders.AUTHORIZATION) || ctx.body().length() == 0) {
            verifyFromHeader(ctx);
            return;
        }
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            HttpResponses.badRequest(ctx.response(), "body", "must be a JSON object {\"token\":\"…\"}");
            return;
        }
        Object token = body == null ? null : body.getValue("token");
        if (!(token instanceof String)) {
            HttpResponses.refused(ctx.response(), token == null ? Verdict.MISSING_TOKEN : Verdict.MALFORMED);
            return;
        }
        HttpResponses.outcome(ctx.response(), verifier.verify((String) token));
    }

    private void ready(RoutingContext ctx) {
        Readiness.Report report = readiness.report();
        JsonObject body = new JsonObject().put("status", report.ready() ? "UP" : "DOWN")
                .put("checks", new JsonObject(report.checks()));
        HttpResponses.json(ctx.response(), report.ready() ? 200 : 503, body.encode());
    }
}
