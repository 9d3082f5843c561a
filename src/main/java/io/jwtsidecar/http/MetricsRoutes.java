package io.jwtsidecar.http;

import io.jwtsidecar.metrics.SidecarMetrics;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics}: the registry in Prometheus text format (docs/METRICS.md). Served on the
 * sidecar API, and alone on the metrics listener ({@code metrics.port}), which binds where
 * Prometheus can reach it. That listener's router has this one route, so a scraper there never
 * reaches verification, forward auth, health or the admin API: every other path is a 404 (and
 * another method on {@code /metrics} a 405). Handlers run on an event loop; a scrape reads
 * gauges that never block.
 */
public final class MetricsRoutes {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final SidecarMetrics metrics;

    public MetricsRoutes(SidecarMetrics metrics) {
        this.metrics = metrics;
    }

    /** The metrics listener's router: {@code GET /metrics} and nothing else. */
    public Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        router.get("/metrics").handler(this::scrape);
        return router;
    }

    /** Answers one scrape; also mounted on the sidecar API by {@link SidecarRoutes}. */
    void scrape(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", CONTENT_TYPE).end(metrics.scrape());
    }
}
