package io.jwtsidecar.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback that serves JWKS and discovery documents the test sets, and
 * counts requests per path. Answers 404 for paths with no document and 503 while "down".
 *
 * <p>A path can also be made to misbehave the ways a hung or hostile key server does: answer its
 * headers and then stall ({@link #stallAfterHeaders}), drip its document a byte at a time
 * ({@link #drip}), or send a body that never ends ({@link #endlessBody}), until
 * {@link #answerNormally} is called for it. Each request runs on its own thread, so a stalled
 * answer holds back no other request; stalled answers are released by {@link #close()}.
 */
public final class JwksServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "jwks-server");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Map<String, String> documents = new ConcurrentHashMap<>();
    private final Map<String, Answer> misbehaviours = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> dropped = new ConcurrentHashMap<>();
    private volatile boolean down;

    /** How a misbehaving path answers, given the document it would have served. */
    @FunctionalInterface
    private interface Answer {
        void send(HttpExchange exchange, byte[] document) throws IOException, InterruptedException;
    }

    public JwksServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(handlers);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            String doc = documents.get(path);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            Answer misbehaviour = misbehaviours.get(path);
            if (misbehaviour != null && !down) {
                try {
                    misbehaviour.send(exchange, (doc == null ? "{}" : doc).getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // The client gave up and closed the connection: what a deadline should do.
                    dropped.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    exchange.close();
                }
                return;
            }
            int status = down ? 503 : doc == null ? 404 : 200;
            byte[] body = (status == 200 ? doc : "{}").getBytes(StandardCharsets.UTF_8);
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

    /**
     * From now on {@code path} answers 200 with its headers (announcing its document's length) and
     * then sends nothing more, until {@link #close()}.
     */
    public void stallAfterHeaders(String path) {
        misbehaviours.put(path, (exchange, document) -> {
            exchange.sendResponseHeaders(200, document.length); // flushed: the client has the headers
            closed.await();
        });
    }

    /** From now on {@code path} answers 200 and sends its document one byte every {@code interval}. */
    public void drip(String path, Duration interval) {
        misbehaviours.put(path, (exchange, document) -> {
            exchange.sendResponseHeaders(200, document.length);
            OutputStream out = exchange.getResponseBody();
            for (byte b : document) {
                out.write(b);
                out.flush();
                if (closed.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        });
    }

    /** From now on {@code path} answers 200 and a chunked body of spaces that never ends. */
    public void endlessBody(String path) {
        misbehaviours.put(path, (exchange, document) -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            byte[] chunk = new byte[8192];
            Arrays.fill(chunk, (byte) ' ');
            while (closed.getCount() > 0) {
                out.write(chunk);
                out.flush();
            }
        });
    }

    /** {@code path} serves its document again (new requests; an answer already stalled stays so). */
    public void answerNormally(String path) {
        misbehaviours.remove(path);
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

    /**
     * How many misbehaving answers on {@code path} ended because the client closed the connection
     * (seen when the server next writes, so never for a stall).
     */
    public int droppedByClient(String path) {
        AtomicInteger n = dropped.get(path);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        handlers.shutdownNow();
    }
}
