package io.jwtsidecar.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP server instance serving a request handler (a router, or a router behind a
 * dispatcher) on one event loop. Deploying several instances on
 * the same host and port spreads connections over event loops (Vert.x shares the listening
 * socket between them). Undeployed, it drains: no new connections, and the requests in flight
 * get up to the grace period to complete.
 */
public final class RouterVerticle extends VerticleBase {
    private final HttpServerOptions options;
    private final Function<Vertx, ? extends Handler<HttpServerRequest>> routes;
    private final Duration shutdownGrace;
    private final @Nullable SocketAddress address;
    private volatile @Nullable HttpServer server;

    /** Serving on the options' host and port. */
    public RouterVerticle(HttpServerOptions options, Function<Vertx, ? extends Handler<HttpServerRequest>> routes,
                          Duration shutdownGrace) {
        this(options, routes, shutdownGrace, null);
    }

    /** @param address where to listen instead of the options' host and port (a unix domain socket), or null */
    public RouterVerticle(HttpServerOptions options, Function<Vertx, ? extends Handler<HttpServerRequest>> routes,
                          Duration shutdownGrace, @Nullable SocketAddress address) {
        this.options = options;
        this.routes = routes;
        this.shutdownGrace = shutdownGrace;
        this.address = address;
    }

    @Override
    public Future<?> start() {
        HttpServer created = vertx.createHttpServer(options).requestHandler(routes.apply(vertx))
                .invalidRequestHandler(UnreadableRequests::answer);
        return (address == null ? created.listen() : created.listen(address)).onSuccess(s -> server = s);
    }

    /** Stops accepting, lets the requests in flight complete within the grace period, then closes. */
    @Override
    public Future<?> stop() {
        HttpServer s = server;
        return s == null ? Future.succeededFuture() : s.shutdown(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The bound port; valid after deployment. */
    public int actualPort() {
        return Objects.requireNonNull(server, "the port is known once deployed").actualPort();
    }
}
