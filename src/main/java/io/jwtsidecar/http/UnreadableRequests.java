package io.jwtsidecar.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers a request the HTTP codec could not read: 414 for an over-long request line, 431 for
 * headers past the header limit, 400 otherwise; then closes the connection, as Vert.x does.
 * Unlike Vert.x's own handler it says so with {@code Connection: close}: without that, a client
 * that keeps connections (the JDK's, for one) puts this one back in its pool and its next
 * request dies on it with a broken pipe instead of getting an answer.
 */
final class UnreadableRequests {
    private UnreadableRequests() {
    }

    static void answer(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status = cause instanceof TooLongHttpLineException ? 414
                : cause instanceof TooLongHttpHeaderException ? 431 : 400;
        request.response().setStatusCode(status).putHeader(HttpHeaders.CONNECTION, "close").end()
                .onComplete(done -> request.connection().close());
    }
}
