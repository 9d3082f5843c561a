package io.jwtsidecar.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * The sidecar API's routes on a loopback port of their own, with the listener settings the
 * sidecar uses: for tests that send real HTTP to {@link SidecarRoutes} without a whole sidecar.
 */
final class RoutesServer implements AutoCloseable {
    private final Vertx vertx;
    private final int port;

    private RoutesServer(Vertx vertx, int port) {
        this.vertx = vertx;
        this.port = port;
    }

    static RoutesServer start(SidecarRoutes routes) throws Exception {
        Vertx vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer(ListenerOptions.forListener("127.0.0.1", 0, 8192))
                .requestHandler(routes.handler(vertx)).listen().toCompletionStage().toCompletableFuture().get();
        return new RoutesServer(vertx, server.actualPort());
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }
}
