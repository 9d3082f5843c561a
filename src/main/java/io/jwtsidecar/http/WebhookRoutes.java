package io.jwtsidecar.http;

import io.jwtsidecar.inject.AdmissionWebhook;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The injection webhook's API, served over HTTPS by {@link WebhookServer}.
 *
 * <ul>
 *   <li>{@code POST /mutate}: an {@code AdmissionReview} (admission.k8s.io/v1), answered by
 *       {@link AdmissionWebhook} (200 with the review's response, or 400 for a review that
 *       cannot be answered).</li>
 *   <li>{@code GET /healthz}: 200 while the server runs (the webhook's own probes).</li>
 * </ul>
 * Handlers run on the event loop: a review is parsed and answered in memory, nothing blocks.
 */
public final class WebhookRoutes {
    /** Pods are at most about 1.5 MiB in etcd; a review carries the object and, on updates, the old one. */
    private static final long MAX_REVIEW_BYTES = 8L << 20;

    private final AdmissionWebhook webhook;

    public WebhookRoutes(AdmissionWebhook webhook) {
        this.webhook = webhook;
    }

    public Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        router.post("/mutate").handler(BodyHandler.create(false).setBodyLimit(MAX_REVIEW_BYTES)).handler(this::mutate);
        router.get("/healthz").handler(ctx -> HttpResponses.json(ctx.response(), 200, "{\"status\":\"UP\"}"));
        return router;
    }

    private void mutate(RoutingContext ctx) {
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        AdmissionWebhook.Reply reply = webhook.review(body);
        HttpResponses.json(ctx.response(), reply.status(), reply.body());
    }
}
