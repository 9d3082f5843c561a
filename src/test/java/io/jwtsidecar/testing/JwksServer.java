package io.jwtsidecar.testing;

import com.sun.net.httpserver.HttpServer;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback that serves JWKS and discovery documents the test sets, and
 * counts requests per path. Answers 404 for paths with no document and 503 while "down".
 */
public final class JwksServer implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, String> documents = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private volatile boolean down;

    public JwksServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            String doc = documents.get(path);
            int status = down ? 503 : doc == null ? 404 : 200;
            byte[] body = (status == 200 ? doc : "{}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public void serve(String path, String document) {
        documents.put(path, document);
    }

    /** Serves a JWKS of these public keys under {@code path}; each entry is kid, alg, key. */
    public void serveKeys(String path, Object... kidAlgKey) {
        List<String> jwks = new ArrayList<>();
        for (int i = 0; i < kidAlgKey.length; i += 3) {
            PublicJwk<?> jwk = Jwks.builder().key((PublicKey) kidAlgKey[i + 2]).id((String) kidAlgKey[i])
                    .algorithm((String) kidAlgKey[i + 1]).build();
            jwks.add(Jwks.json(jwk));
        }
        serve(path, "{\"keys\":[" + String.join(",", jwks) + "]}");
    }

    public void setDown(boolean down) {
        this.down = down;
    }

    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    public int totalHits() {
        return hits.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
