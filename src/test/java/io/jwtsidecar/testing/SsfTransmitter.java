package io.jwtsidecar.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Shared Signals Framework 1.0 transmitter for tests, on a real HTTP server on loopback, built
 * with nimbus-jose-jwt (independent of the sidecar's JOSE code). It serves:
 * <ul>
 *   <li>{@code /.well-known/ssf-configuration}: transmitter metadata (SSF 1.0 §7.1) naming the
 *       push (RFC 8935) and poll (RFC 8936) delivery methods;</li>
 *   <li>{@code /jwks}: its EC P-256 public key;</li>
 *   <li>{@code /ssf/stream}: stream configuration (SSF 1.0 §8.1.1): GET lists the streams (or
 *       one, with {@code stream_id}), POST creates one; a poll stream's {@code endpoint_url} is
 *       {@code /ssf/poll};</li>
 *   <li>{@code /ssf/poll}: RFC 8936 polling. Every SET {@link #enqueue queued} and not yet
 *       acknowledged (or refused through {@code setErrs}) is delivered again on the next poll,
 *       oldest first, up to {@code maxEvents}; without {@code returnImmediately} an empty poll
 *       waits up to {@link #longPollWait} for a SET.</li>
 * </ul>
 * With {@link #requireBearer} the stream and poll endpoints want that bearer credential (401
 * otherwise). {@link #push} delivers one SET the RFC 8935 way. {@link #stop} and {@link #start}
 * take it off the network and back on the same port (queued SETs survive, as in a real
 * transmitter); {@link #setDown} makes every path answer 503 instead.
 *
 * <p>Thread-safe: the server runs each request on its own thread.
 */
public final class SsfTransmitter implements AutoCloseable {
    public static final String PUSH_METHOD = "urn:ietf:rfc:8935";
    public static final String POLL_METHOD = "urn:ietf:rfc:8936";
    public static final String SET_TYPE = "secevent+jwt";
    public static final String CAEP = "https://schemas.openid.net/secevent/caep/event-type/";
    public static final String SESSION_REVOKED = CAEP + "session-revoked";
    public static final String CREDENTIAL_CHANGE = CAEP + "credential-change";
    public static final String TOKEN_CLAIMS_CHANGE = CAEP + "token-claims-change";
    public static final String ASSURANCE_LEVEL_CHANGE = CAEP + "assurance-level-change";
    public static final String KID = "ssf-1";

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The key it signs with now; every key it ever signed with stays in its JWKS. */
    private volatile ECKey key;
    private final List<ECKey> served = new CopyOnWriteArrayList<>();
    private final String audience;
    private final ExecutorService handlers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ssf-transmitter");
        t.setDaemon(true);
        return t;
    });
    private final int port;
    private HttpServer server;
    private final Object queueLock = new Object();
    private final LinkedHashMap<String, String> queue = new LinkedHashMap<>();
    private final List<String> acknowledged = new CopyOnWriteArrayList<>();
    private final Map<String, Map<String, Object>> setErrors = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final List<Map<String, Object>> streams = new CopyOnWriteArrayList<>();
    private volatile String bearer;
    private volatile boolean down;
    private volatile Duration longPollWait = Duration.ofMillis(500);
    /** Poll answers carrying SETs still to give before going down by itself; negative: never. */
    private int batchesBeforeDown = -1;

    /** Starts a transmitter whose SETs are addressed to {@code audience}. */
    public SsfTransmitter(String audience) throws IOException {
        this.audience = audience;
        this.key = newKey(KID);
        served.add(key);
        this.server = bind(0);
        this.port = server.getAddress().getPort();
        Map<String, Object> poll = new LinkedHashMap<>();
        poll.put("stream_id", "poll-1");
        poll.put("iss", issuer());
        poll.put("aud", audience);
        poll.put("delivery", Map.of("method", POLL_METHOD, "endpoint_url", url("/ssf/poll")));
        poll.put("events_supported", List.of(SESSION_REVOKED, CREDENTIAL_CHANGE, TOKEN_CLAIMS_CHANGE,
                ASSURANCE_LEVEL_CHANGE));
        poll.put("events_requested", poll.get("events_supported"));
        poll.put("events_delivered", poll.get("events_supported"));
        streams.add(poll);
    }

    /** A fresh EC P-256 key for ES256 (e.g. to sign a SET with a key the receiver does not trust). */
    public static ECKey newKey(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).algorithm(JWSAlgorithm.ES256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The issuer: this server's base URL, where its metadata lives under {@code /.well-known}. */
    public String issuer() {
        return "http://127.0.0.1:" + port;
    }

    public String url(String path) {
        return issuer() + path;
    }

    public String configurationUrl() {
        return url("/.well-known/ssf-configuration");
    }

    /** The public JWKS it serves. */
    public String jwksJson() {
        return new JWKSet(served.stream().map(k -> (JWK) k.toPublicJWK()).toList()).toString();
    }

    /** Signs from now on with a fresh key named {@code kid}, published beside the old ones. */
    public void rotateKey(String kid) {
        ECKey fresh = newKey(kid);
        served.add(fresh);
        key = fresh;
    }

    public String audience() {
        return audience;
    }

    /** A SET of this transmitter with one event of {@code type}, issued now. */
    public SetBuilder set(String type, Map<String, ?> payload) {
        return new SetBuilder(key, issuer(), audience, System.currentTimeMillis() / 1000).event(type, payload);
    }

    /** A SET with no event yet (add them, or leave it empty). */
    public SetBuilder emptySet() {
        return new SetBuilder(key, issuer(), audience, System.currentTimeMillis() / 1000);
    }

    /** The stream and poll endpoints want {@code Authorization: Bearer <token>} (null: nothing). */
    public void requireBearer(String token) {
        this.bearer = token;
    }

    public void longPollWait(Duration wait) {
        this.longPollWait = wait;
    }

    /** Queues {@code set} for poll delivery. */
    public void enqueue(String set) {
        String jti = jtiOf(set);
        synchronized (queueLock) {
            queue.put(jti, set);
            queueLock.notifyAll();
        }
    }

    /** The jti of SETs acknowledged so far, in the order the receiver acknowledged them (repeats kept). */
    public List<String> acknowledged() {
        return List.copyOf(acknowledged);
    }

    /** The {@code setErrs} the receiver reported, by jti: {@code {err, description}}. */
    public Map<String, Map<String, Object>> setErrors() {
        return Map.copyOf(setErrors);
    }

    /** How many SETs wait for acknowledgement. */
    public int pending() {
        synchronized (queueLock) {
            return queue.size();
        }
    }

    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    /**
     * After {@code batches} more poll answers that carry SETs, every path answers 503 (as
     * {@link #setDown}): the receiver has SETs it cannot acknowledge.
     */
    public void goDownAfterDelivering(int batches) {
        synchronized (queueLock) {
            batchesBeforeDown = batches;
        }
    }

    public void setDown(boolean down) {
        this.down = down;
    }

    /** Takes the server off the network: connections are refused. */
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** Puts the server back on its port after {@link #stop}. */
    public synchronized void start() throws IOException {
        if (server == null) {
            server = bind(port);
        }
    }

    /** POSTs {@code set} to {@code pushUrl} as RFC 8935 does; {@code bearer} may be null. */
    public static HttpResponse<String> push(String pushUrl, String set, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pushUrl))
                .header("Content-Type", "application/secevent+jwt")
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(set));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("push failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The jti claim of a SET (unverified). */
    public static String jtiOf(String set) {
        try {
            String payload = set.split("\\.", -1)[1];
            return (String) JSONObjectUtils.parse(new String(Base64.getUrlDecoder().decode(payload),
                    StandardCharsets.UTF_8)).get("jti");
        } catch (ParseException | RuntimeException e) {
            throw new IllegalArgumentException("not a SET with a jti: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        stop();
        synchronized (queueLock) {
            queueLock.notifyAll();
        }
        handlers.shutdownNow();
    }

    private HttpServer bind(int onPort) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 0);
        s.setExecutor(handlers);
        s.createContext("/", this::handle);
        s.start();
        return s;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            route(exchange);
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            if (down) {
                send(exchange, 503, "{}");
                return;
            }
            switch (path) {
                case "/.well-known/ssf-configuration" -> send(exchange, 200, JSONObjectUtils.toJSONString(metadata()));
                case "/jwks" -> send(exchange, 200, jwksJson());
                case "/ssf/stream" -> {
                    if (authorized(exchange)) {
                        stream(exchange);
                    }
                }
                case "/ssf/poll" -> {
                    if (authorized(exchange)) {
                        poll(exchange);
                    }
                }
                default -> send(exchange, 404, "{}");
            }
        } catch (ParseException | RuntimeException e) {
            send(exchange, 400, "{\"err\":\"invalid_request\",\"description\":\"" + e.getClass().getSimpleName() + "\"}");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Map<String, Object> metadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("spec_version", "1_0");
        m.put("issuer", issuer());
        m.put("jwks_uri", url("/jwks"));
        m.put("delivery_methods_supported", List.of(PUSH_METHOD, POLL_METHOD));
        m.put("configuration_endpoint", url("/ssf/stream"));
        m.put("status_endpoint", url("/ssf/status"));
        m.put("verification_endpoint", url("/ssf/verify"));
        m.put("authorization_schemes", List.of(Map.of("spec_urn", "urn:ietf:rfc:6749")));
        m.put("default_subjects", "ALL");
        return m;
    }

    private boolean authorized(HttpExchange exchange) throws IOException {
        String want = bearer;
        if (want == null || ("Bearer " + want).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            return true;
        }
        exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer");
        send(exchange, 401, "{}");
        return false;
    }

    private void stream(HttpExchange exchange) throws IOException, ParseException {
        if ("POST".equals(exchange.getRequestMethod())) {
            Map<String, Object> req = JSONObjectUtils.parse(body(exchange));
            Map<String, Object> delivery = new LinkedHashMap<>(JSONObjectUtils.getJSONObject(req, "delivery"));
            if (POLL_METHOD.equals(delivery.get("method"))) {
                delivery.put("endpoint_url", url("/ssf/poll"));
            }
            Map<String, Object> created = new LinkedHashMap<>(streams.get(0));
            created.put("stream_id", "stream-" + (streams.size() + 1));
            created.put("delivery", delivery);
            streams.add(created);
            send(exchange, 201, JSONObjectUtils.toJSONString(created));
            return;
        }
        String query = exchange.getRequestURI().getQuery();
        if (query != null && query.startsWith("stream_id=")) {
            String id = query.substring("stream_id=".length());
            for (Map<String, Object> s : streams) {
                if (id.equals(s.get("stream_id"))) {
                    send(exchange, 200, JSONObjectUtils.toJSONString(s));
                    return;
                }
            }
            send(exchange, 404, "{}");
            return;
        }
        StringBuilder all = new StringBuilder("[");
        for (Map<String, Object> s : streams) {
            all.append(all.length() > 1 ? "," : "").append(JSONObjectUtils.toJSONString(s));
        }
        send(exchange, 200, all.append(']').toString());
    }

    private void poll(HttpExchange exchange) throws IOException, ParseException, InterruptedException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            send(exchange, 405, "{}");
            return;
        }
        Map<String, Object> req = JSONObjectUtils.parse(body(exchange));
        List<String> acks = req.containsKey("ack") ? JSONObjectUtils.getStringList(req, "ack") : List.of();
        Map<String, Object> errs = req.containsKey("setErrs") ? JSONObjectUtils.getJSONObject(req, "setErrs") : Map.of();
        int max = req.containsKey("maxEvents") ? JSONObjectUtils.getInt(req, "maxEvents") : Integer.MAX_VALUE;
        boolean immediately = req.containsKey("returnImmediately") && JSONObjectUtils.getBoolean(req, "returnImmediately");
        Map<String, Object> sets = new LinkedHashMap<>();
        boolean more;
        synchronized (queueLock) {
            for (String jti : acks) {
                queue.remove(jti);
                acknowledged.add(jti);
            }
            errs.forEach((jti, err) -> {
                queue.remove(jti);
                @SuppressWarnings("unchecked")
                Map<String, Object> e = (Map<String, Object>) err;
                setErrors.put(jti, e);
            });
            long deadline = System.nanoTime() + longPollWait.toNanos();
            while (max > 0 && !immediately && queue.isEmpty() && server != null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(queueLock, left);
            }
            for (Map.Entry<String, String> e : queue.entrySet()) {
                if (sets.size() >= max) {
                    break;
                }
                sets.put(e.getKey(), e.getValue());
            }
            more = queue.size() > sets.size();
            if (!sets.isEmpty() && batchesBeforeDown > 0 && --batchesBeforeDown == 0) {
                down = true;
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("sets", sets);
        answer.put("moreAvailable", more);
        send(exchange, 200, JSONObjectUtils.toJSONString(answer));
    }

    private static String body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
