package io.jwtsidecar.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Function;

/**
 * One HTTP server instance serving a request handler (a router, or a router behind a
 * dispatcher) on one event loop. Deploying several instances on
 * the same host and port spreads connections over event loops (Vert.x shares the listening
 * socket between them).
 */
public final class RouterVerticle extends VerticleBase {
    private final HttpServerOptions options;
    private final Function<io.vertx.core.Vertx, ? extends Handler<HttpServerRequest>> routes;
    private volatile HttpServer server;

    public RouterVerticle(HttpServerOptions options, Function<io.vertx.core.Vertx, ? extends Handler<HttpServerRequest>> routes) {
        this.options = options;
        this.routes = routes;
    }

    @Override
    public Future<?> start() {
        return vertx.createHttpServer(options).requestHandler(routes.apply(vertx)).listen()
                .onSuccess(s -> server = s);
    }

    /** The bound port; valid after deployment. */
    public int actualPort() {
        return server.actualPort();
    }
}
