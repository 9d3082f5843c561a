package io.jwtsidecar.token.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys fetched from a JWKS URL, or from the {@code jwks_uri} of the issuer's OpenID Connect
 * discovery document ({@code {issuer}/.well-known/openid-configuration}), in the background.
 *
 * <ul>
 *   <li>Fetched at start, then every {@code refreshInterval}; early when a token names an
 *       unknown {@code kid}, but never more often than every {@code minRefreshInterval}.</li>
 *   <li>A failed or garbage fetch keeps the last good set and is retried with exponential
 *       backoff from {@code minRefreshInterval} up to {@code refreshInterval}.</li>
 *   <li>Until a first usable set arrives, {@link #current()} is null: the verifier answers
 *       {@code keys_unavailable} (503) and the sidecar is not ready.</li>
 *   <li>Only {@code https} URLs are fetched, except on loopback hosts; redirects are not
 *       followed; documents over {@value #MAX_DOCUMENT_BYTES} bytes are refused. The discovery
 *       document's {@code issuer} must equal the configured issuer exactly.</li>
 * </ul>
 *
 * <p>All fetching runs on the {@link KeyFetching} scheduler thread; {@link #current()} and
 * {@link #unknownKid} are safe from any thread and never block.
 */
public final class RemoteJwksSource implements KeySource {
    private static final Logger log = LoggerFactory.getLogger(RemoteJwksSource.class);
    static final int MAX_DOCUMENT_BYTES = 512 * 1024;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String issuer;
    private final URI configuredJwksUri;
    private final boolean discovery;
    private final Set<JwsAlgorithm> algorithms;
    private final Duration refreshInterval;
    private final Duration minRefreshInterval;
    private final LongSupplier nanoTime;
    private final Object scheduleLock = new Object();
    private ScheduledFuture<?> pending; // guarded by scheduleLock
    private volatile KeyFetching fetching;
    private volatile IssuerKeys keys;
    private long lastAttemptNanos; // guarded by scheduleLock
    private volatile int failures;
    private volatile String state = "not started";

    /**
     * @param jwksUri    the JWKS URL, or null to discover it from the issuer
     * @param algorithms the issuer's allowed algorithms (bind JWKs without {@code alg})
     * @param nanoTime   monotonic time source, for the refresh rate limit
     * @throws IllegalArgumentException for a URL that may not be fetched
     */
    public RemoteJwksSource(String issuer, URI jwksUri, Set<JwsAlgorithm> algorithms, Duration refreshInterval,
                            Duration minRefreshInterval, LongSupplier nanoTime) {
        this.issuer = issuer;
        this.configuredJwksUri = jwksUri;
        this.discovery = jwksUri == null;
        this.algorithms = Set.copyOf(algorithms);
        this.refreshInterval = refreshInterval;
        this.minRefreshInterval = minRefreshInterval;
        this.nanoTime = nanoTime;
        checkFetchable(discovery ? discoveryUri(issuer) : jwksUri);
    }

    /** The discovery document's URL for an issuer (OpenID Connect Discovery 1.0 §4). */
    public static URI discoveryUri(String issuer) {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        return URI.create(base + "/.well-known/openid-configuration");
    }

    /** https anywhere; plain http only to loopback (a local IdP, a test). */
    static void checkFetchable(URI uri) {
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (host == null || scheme == null) {
            throw new IllegalArgumentException("'" + uri + "' is not an absolute URL");
        }
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
        if (!scheme.equals("https") && !(scheme.equals("http") && loopback)) {
            throw new IllegalArgumentException("'" + uri + "' must be https (plain http only for loopback hosts)");
        }
    }

    /** Starts background fetching; the first fetch runs at once. */
    public void start(KeyFetching fetching) {
        this.fetching = fetching;
        state = "fetching";
        scheduleFetch(0);
    }

    @Override
    public IssuerKeys current() {
        return keys;
    }

    @Override
    public void unknownKid(String kid) {
        if (fetching == null) {
            return;
        }
        // Under the lock that a starting fetch takes to record its start: otherwise a call between
        // the fetch clearing `pending` and recording the attempt queued a second fetch.
        synchronized (scheduleLock) {
            if (nanoTime.getAsLong() - lastAttemptNanos >= minRefreshInterval.toNanos()) {
                scheduleFetch(0);
            }
        }
    }

    @Override
    public String describe() {
        return (discovery ? "discovery " + discoveryUri(issuer) : "jwks " + configuredJwksUri) + ": " + state;
    }

    /**
     * Queues a fetch in {@code delayMillis}, unless one is already queued to run sooner: at most
     * one fetch is ever queued, so a burst of unknown kids costs one request.
     */
    private void scheduleFetch(long delayMillis) {
        synchronized (scheduleLock) {
            if (pending != null && !pending.isDone()) {
                if (pending.getDelay(TimeUnit.MILLISECONDS) <= delayMillis) {
                    return;
                }
                pending.cancel(false);
            }
            try {
                pending = fetching.scheduler().schedule(this::fetchAndReschedule, delayMillis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                pending = null; // shutting down
            }
        }
    }

    private void fetchAndReschedule() {
        synchronized (scheduleLock) {
            pending = null;
            lastAttemptNanos = nanoTime.getAsLong();
        }
        long next;
        try {
            URI jwksUri = discovery ? discoverJwksUri() : configuredJwksUri;
            List<VerificationKey> fetched = JwksDocument.parse(get(jwksUri), algorithms, jwksUri.toString());
            IssuerKeys fresh = new IssuerKeys(fetched);
            IssuerKeys old = keys;
            if (old == null || !old.sameKeysAs(fresh)) {
                // A new instance tells caches the keys changed; an identical set keeps the old one.
                keys = fresh;
                log.info("keys of {} from {}: {}", issuer, jwksUri, fresh.all());
            }
            failures = 0;
            state = "ok (" + fresh.all().size() + " keys)";
            next = refreshInterval.toMillis();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (IOException | RuntimeException e) {
            failures++;
            next = Math.min(refreshInterval.toMillis(), minRefreshInterval.toMillis() << Math.min(failures - 1, 20));
            state = (keys == null ? "no keys yet" : "keeping last good keys") + "; last fetch failed: " + e.getMessage();
            log.warn("fetching keys of {} failed ({} in a row), retrying in {} ms; {}: {}", issuer, failures, next,
                    keys == null ? "no keys yet" : "keeping the last good keys", e.toString());
        }
        if (!fetching.scheduler().isShutdown()) {
            scheduleFetch(next);
        }
    }

    private URI discoverJwksUri() throws IOException, InterruptedException {
        JsonNode doc = JSON.readTree(get(discoveryUri(issuer)));
        JsonNode docIssuer = doc == null ? null : doc.get("issuer");
        if (docIssuer == null || !issuer.equals(docIssuer.asText())) {
            throw new IllegalArgumentException("discovery document names issuer '"
                    + (docIssuer == null ? null : docIssuer.asText()) + "', expected '" + issuer + "'");
        }
        JsonNode jwks = doc.get("jwks_uri");
        if (jwks == null || !jwks.isTextual()) {
            throw new IllegalArgumentException("discovery document has no jwks_uri");
        }
        URI uri = URI.create(jwks.textValue());
        checkFetchable(uri);
        return uri;
    }

    private String get(URI uri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json").GET().build();
        HttpResponse<InputStream> response = fetching.http().send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("GET " + uri + " answered " + response.statusCode());
            }
            byte[] bytes = body.readNBytes(MAX_DOCUMENT_BYTES + 1);
            if (bytes.length > MAX_DOCUMENT_BYTES) {
                throw new IOException("GET " + uri + " returned more than " + MAX_DOCUMENT_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
