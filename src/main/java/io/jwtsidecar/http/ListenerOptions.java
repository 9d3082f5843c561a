package io.jwtsidecar.http;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** The HTTP server settings every listener of the sidecar uses. */
public final class ListenerOptions {
    private static final int HEADER_ROOM = 4096;
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private ListenerOptions() {
    }

    /**
     * HTTPS with a PEM certificate and key, and client certificates as {@code clientAuth} says.
     * With a client CA, a certificate must chain to it, or the handshake fails; without one (and
     * a {@code clientAuth} other than {@link ClientAuth#NONE}) any certificate is taken, which
     * proves only that the client holds its private key ({@link AnyClientCertificate}).
     */
    public static HttpServerOptions withTls(HttpServerOptions options, Path certFile, Path keyFile, ClientAuth clientAuth,
                                            @Nullable Path clientCaFile) {
        options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(certFile.toString()).setKeyPath(keyFile.toString()));
        if (clientAuth == ClientAuth.NONE) {
            return options;
        }
        options.setClientAuth(clientAuth).setTrustOptions(clientCaFile == null
                ? TrustOptions.wrap(new AnyClientCertificate())
                : new PemTrustOptions().addCertPath(clientCaFile.toString()));
        return options;
    }

    /**
     * Leaves room for a maximal token in the {@code Authorization} header, so an oversized token
     * gets a {@code too_large} verdict rather than a bare 431 from the codec (the HTTP/2 limit
     * too, for TLS listeners that negotiate it).
     */
    public static HttpServerOptions forListener(String host, int port, int maxTokenBytes) {
        return forListener(host, port, maxTokenBytes, IDLE_TIMEOUT);
    }

    /** As {@link #forListener(String, int, int)} with another idle timeout: tests wait a second, not thirty. */
    static HttpServerOptions forListener(String host, int port, int maxTokenBytes, Duration idleTimeout) {
        int maxHeaders = Math.max(8192, maxTokenBytes + HEADER_ROOM);
        return new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                // Connections that send nothing for this long are closed: slow or stuck clients cannot pile up.
                .setIdleTimeout((int) idleTimeout.toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxHeaderSize(maxHeaders)
                // No h2c upgrade: callers are local services and proxies speaking HTTP/1.1, and the JDK
                // client's upgrade path ended in an EOF on larger answers now and then.
                .setHttp2ClearTextEnabled(false)
                .setInitialSettings(new Http2Settings().setMaxHeaderListSize(maxHeaders));
    }
}
