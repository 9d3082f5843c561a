package io.jwtsidecar.http;

import io.jwtsidecar.inject.AdmissionWebhook;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS server of {@code jwt-sidecar inject-webhook}: {@link WebhookRoutes} on one event
 * loop, with TLS from a PEM certificate chain and private key (PKCS#8, or PKCS#1 RSA).
 *
 * <p>The files are read again every {@code reloadInterval} and, when they changed, swapped in
 * for new connections: cert-manager renews the certificate in the mounted Secret without
 * restarting the pod. A pair that does not load (say, caught half-written) is logged and the
 * previous one stays in use until the next attempt.
 *
 * <p>Owns its Vert.x instance; {@link #close()} is idempotent.
 */
public final class WebhookServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookServer.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    /**
     * @param host           the address to listen on
     * @param port           the port (0 picks a free one)
     * @param certFile       PEM certificate chain, server certificate first
     * @param keyFile        PEM private key of that certificate
     * @param reloadInterval how often the files are checked for a renewed certificate
     */
    public record Options(String host, int port, Path certFile, Path keyFile, Duration reloadInterval) {
    }

    private final Vertx vertx;
    private final HttpServer server;
    /** The pair in use; read and written only on the server's event loop after start. */
    private TlsFiles loaded;
    private boolean closed;

    private WebhookServer(Vertx vertx, HttpServer server, TlsFiles loaded) {
        this.vertx = vertx;
        this.server = server;
        this.loaded = loaded;
    }

    /**
     * Starts the server; returns once it listens.
     *
     * @throws UncheckedIOException when the certificate or key cannot be read
     * @throws IllegalStateException when the TLS material does not load or the port cannot be bound
     */
    public static WebhookServer start(Options options, AdmissionWebhook webhook) {
        TlsFiles tls = TlsFiles.read(options.certFile(), options.keyFile());
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        try {
            HttpServerOptions serverOptions = new HttpServerOptions()
                    .setHost(options.host())
                    .setPort(options.port())
                    .setSsl(true)
                    .setKeyCertOptions(tls.keyCert());
            HttpServer server = await(vertx.createHttpServer(serverOptions)
                    .requestHandler(new WebhookRoutes(webhook).router(vertx))
                    .invalidRequestHandler(UnreadableRequests::answer) // as the other listeners: 431/414 say they close
                    .listen(), "binding " + options.host() + ":" + options.port() + " with TLS from " + options.certFile());
            WebhookServer started = new WebhookServer(vertx, server, tls);
            started.watch(options);
            log.info("injection webhook listening on https://{}:{}/mutate", options.host(), server.actualPort());
            return started;
        } catch (RuntimeException e) {
            vertx.close();
            throw e;
        }
    }

    /** The bound port. */
    public int port() {
        return server.actualPort();
    }

    private void watch(Options options) {
        vertx.setPeriodic(options.reloadInterval().toMillis(), id -> vertx.<TlsFiles>executeBlocking(() ->
                        TlsFiles.read(options.certFile(), options.keyFile()))
                .compose(read -> {
                    if (read.equals(loaded)) {
                        return Future.succeededFuture(false);
                    }
                    return server.updateSSLOptions(new ServerSSLOptions().setKeyCertOptions(read.keyCert()))
                            .onSuccess(updated -> {
                                loaded = read;
                                log.info("injection webhook: loaded the renewed certificate from {}", options.certFile());
                            });
                })
                .onFailure(e -> log.warn("injection webhook: cannot load the certificate from {} and {}; keeping the previous one: {}",
                        options.certFile(), options.keyFile(), e.toString())));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            await(vertx.close(), "closing the webhook server");
        } catch (RuntimeException e) {
            log.warn("closing the webhook server failed", e);
        }
    }

    private static <T> T await(Future<T> future, String what) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Error " + what + ": " + e.getMessage(), e);
        }
    }

    /** The bytes of one certificate and key pair; equal when the files have not changed. */
    private static final class TlsFiles {
        private final byte[] cert;
        private final byte[] key;

        private TlsFiles(byte[] cert, byte[] key) {
            this.cert = cert;
            this.key = key;
        }

        static TlsFiles read(Path certFile, Path keyFile) {
            try {
                return new TlsFiles(Files.readAllBytes(certFile), Files.readAllBytes(keyFile));
            } catch (IOException e) {
                throw new UncheckedIOException("Error reading TLS certificate " + certFile + " or key " + keyFile, e);
            }
        }

        PemKeyCertOptions keyCert() {
            return new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TlsFiles && Arrays.equals(cert, ((TlsFiles) o).cert) && Arrays.equals(key, ((TlsFiles) o).key);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(cert) + Arrays.hashCode(key);
        }
    }
}
