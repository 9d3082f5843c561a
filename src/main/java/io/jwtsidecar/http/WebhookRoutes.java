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
 *
 * <p>Bodies are held in memory until answered, so their bytes in flight are bounded
 * ({@value #MAX_BYTES_IN_FLIGHT} bytes: two reviews of the largest size): a review that would
 * go over is answered 429 with {@code Retry-After} before any of it is read, and the API server
 * retries or applies the webhook's {@code failurePolicy}. Two dozen parallel 8 MiB reviews used
 * to take a webhook with a 96 MiB heap down (WebhookFloodIT).
 */
public final class WebhookRoutes {
    /** Pods are at most about 1.5 MiB in etcd; a review carries the object and, on updates, the old one. */
    private static final long MAX_REVIEW_BYTES = 8L << 20;
    /** Each body is held twice at most (buffered, then copied for parsing): with parsing, well within a small heap. */
    static final long MAX_BYTES_IN_FLIGHT = 2 * MAX_REVIEW_BYTES;

    private final AdmissionWebhook webhook;
    // Touched only on the server's one event loop.
    private long bytesInFlight;

    public WebhookRoutes(AdmissionWebhook webhook) {
        this.webhook = webhook;
    }

    public Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        router.errorHandler(413, HttpResponses::bodyTooLarge);
        // A route of its own: Vert.x Web wants a body handler before any other handler of a route.
        router.post("/mutate").handler(this::reserve);
        router.post("/mutate").handler(BodyHandler.create(false).setBodyLimit(MAX_REVIEW_BYTES)).handler(this::mutate);
        router.get("/healthz").handler(ctx -> HttpResponses.json(ctx.response(), 200, "{\"status\":\"UP\"}"));
        return router;
    }

    /** Reserves the body's size (its Content-Length, else the largest) until the answer is sent, or refuses it. */
    private void reserve(RoutingContext ctx) {
        String length = ctx.request().getHeader("Content-Length");
        long size;
        try {
            size = length == null ? MAX_REVIEW_BYTES : Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            HttpResponses.badRequest(ctx.response(), "Content-Length", "not a number");
            return;
        }
        if (size < 0 || size > MAX_REVIEW_BYTES) {
            ctx.response().putHeader("Connection", "close");
            HttpResponses.bodyTooLarge(ctx.response(), MAX_REVIEW_BYTES);
            return;
        }
        long reserved = Math.max(size, 1);
        if (bytesInFlight + reserved > MAX_BYTES_IN_FLIGHT) {
            ctx.response().putHeader("Retry-After", "1").putHeader("Connection", "close");
            HttpResponses.json(ctx.response(), 429, "{\"error\":\"busy\",\"message\":\"too many reviews in flight\"}");
            return;
        }
        bytesInFlight += reserved;
        ctx.addEndHandler(done -> bytesInFlight -= reserved);
        ctx.next();
    }

    private void mutate(RoutingContext ctx) {
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        AdmissionWebhook.Reply reply = webhook.review(body);
        HttpResponses.json(ctx.response(), reply.status(), reply.body());
    }
}
