package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.testing.LogCapture;
import io.jwtsidecar.testing.RawHttp;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The limits every listener enforces, each answered with its own status: 431 for headers past
 * the header limit, 414 for an over-long request target, 413 for a body past the body limit of
 * {@code POST /v1/verify}; and an idle keep-alive connection closed by the server.
 */
class ListenerLimitsTest {
    private static final int MAX_TOKEN_BYTES = 8192;
    // Short, so the test waits a second rather than the thirty the listeners use.
    private static final Duration IDLE = Duration.ofSeconds(1);
    private static Vertx vertx;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        TokenVerifier verifier = new TokenVerifier(List.of(), MAX_TOKEN_BYTES, Clock.systemUTC(), RevocationCheck.NONE);
        SidecarRoutes routes = new SidecarRoutes(verifier, () -> new Readiness.Report(true, Map.of()), MAX_TOKEN_BYTES,
                new IdentityHeaders(Map.of()), new SidecarMetrics());
        vertx = Vertx.vertx();
        // The listener exactly as the sidecar runs it, but for the idle timeout.
        RouterVerticle listener = new RouterVerticle(ListenerOptions.forListener("127.0.0.1", 0, MAX_TOKEN_BYTES, IDLE),
                routes::handler, Duration.ZERO);
        vertx.deployVerticle(listener).toCompletionStage().toCompletableFuture().get();
        port = listener.actualPort();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void a_token_just_past_the_token_limit_still_gets_a_verdict_not_a_431() throws Exception {
        RawHttp.Response r = RawHttp.send(port, "GET", "/v1/verify", "Authorization: Bearer " + "a".repeat(MAX_TOKEN_BYTES + 1));

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains("too_large");
    }

    @Test
    void headers_past_the_header_limit_get_431() throws Exception {
        assertThat(RawHttp.send(port, "GET", "/v1/verify", "Authorization: Bearer " + "a".repeat(64 * 1024)).status())
                .isEqualTo(431);
        assertThat(RawHttp.send(port, "GET", "/v1/verify", "Authorization: Bearer x", "X-Pad: " + "a".repeat(64 * 1024))
                .status()).isEqualTo(431);
    }

    @Test
    void a_client_that_keeps_its_connections_is_told_when_a_refusal_closes_one() throws Exception {
        // A pooling client must learn from the answer that the connection is gone, or its next request dies on it.
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI verify = URI.create("http://127.0.0.1:" + port + "/v1/verify");
        String huge = "a".repeat(64 * 1024);
        for (int i = 0; i < 50; i++) {
            assertThat(status(client, HttpRequest.newBuilder(verify).header("Authorization", "Bearer " + huge)))
                    .isEqualTo(431);
            assertThat(status(client, HttpRequest.newBuilder(URI.create(verify + "?" + huge)))).isEqualTo(414);
            assertThat(status(client, HttpRequest.newBuilder(verify).POST(HttpRequest.BodyPublishers.ofString(huge))))
                    .isEqualTo(413);
        }
    }

    private static int status(HttpClient client, HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void an_over_long_request_target_gets_414() throws Exception {
        assertThat(RawHttp.send(port, "GET", "/v1/verify?" + "a".repeat(64 * 1024)).status()).isEqualTo(414);
    }

    @Test
    void a_verify_body_past_the_body_limit_gets_413() throws Exception {
        int limit = MAX_TOKEN_BYTES + 1024;
        String atLimit = "{\"token\":\"" + "a".repeat(limit - 12) + "\"}";
        assertThat(atLimit).hasSize(limit);

        assertThat(RawHttp.sendWithBody(port, "POST", "/v1/verify", atLimit, "Content-Type: application/json")
                .status()).as("a body at the limit is read").isEqualTo(401);
        try (LogCapture vertxLog = LogCapture.warn("io.vertx")) {
            assertThat(RawHttp.sendWithBody(port, "POST", "/v1/verify", atLimit + " ", "Content-Type: application/json")
                    .status()).isEqualTo(413);
            assertThat(RawHttp.sendWithBody(port, "POST", "/v1/verify", "a".repeat(4 * 1024 * 1024),
                    "Content-Type: application/json").status()).as("read to the end, then refused").isEqualTo(413);
            assertThat(vertxLog.messages()).as("an oversized body is no error of the sidecar's to log").isEmpty();
        }
    }

    @Test
    void an_idle_keep_alive_connection_is_closed_by_the_server() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) IDLE.multipliedBy(10).toMillis());
            socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            assertThat(RawHttp.readResponse(in).status()).isEqualTo(200);
            long answered = System.nanoTime();

            // Blocks until the server closes (end of stream) or the socket timeout fails the test.
            assertThat(in.read()).as("end of stream").isEqualTo(-1);

            Duration open = Duration.ofNanos(System.nanoTime() - answered);
            assertThat(open).as("kept open while not idle for long").isGreaterThan(IDLE.multipliedBy(8).dividedBy(10));
        }
    }

    @Test
    void the_listeners_close_connections_idle_for_thirty_seconds() {
        HttpServerOptions options = ListenerOptions.forListener("127.0.0.1", 0, MAX_TOKEN_BYTES);

        assertThat(options.getIdleTimeoutUnit().toSeconds(options.getIdleTimeout())).isEqualTo(30);
    }
}
