package io.jwtsidecar.http;

import io.jwtsidecar.feed.ServedClients;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Function;

/**
 * Notes the client each request names ({@value ServedClients#HEADER}) before the API answers it,
 * so a node-level sidecar can say in its fleet status which pods it serves. The name plays no
 * part in the answer.
 */
public final class ClientNaming {
    private ClientNaming() {
    }

    /** {@code routes}, with every request's client name noted in {@code clients} first. */
    public static Function<Vertx, Handler<HttpServerRequest>> noting(ServedClients clients,
                                                                     Function<Vertx, Handler<HttpServerRequest>> routes) {
        return vertx -> {
            Handler<HttpServerRequest> answer = routes.apply(vertx);
            return request -> {
                clients.seen(request.getHeader(ServedClients.HEADER));
                answer.handle(request);
            };
        };
    }
}
