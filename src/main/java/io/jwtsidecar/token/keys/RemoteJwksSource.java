package io.jwtsidecar.token.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
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
 *   <li>Each request (the discovery document, the JWKS) must be over, body and all, within
 *       {@code fetchTimeout}, or it is cancelled and counts as a failed fetch ("deadline of N
 *       exceeded"): a server that stalls after its headers, or drips, costs this issuer one
 *       deadline per attempt and no other issuer anything.</li>
 *   <li>At most one fetch per issuer is under way, and at most one more is queued: an unknown
 *       {@code kid} seen during a fetch queues one to start when it ends.</li>
 * </ul>
 *
 * <p>Threads (see {@link KeyFetching}): the {@code key-refresh} timer starts a fetch by handing
 * it to a {@code key-fetch} worker, which sends the request without waiting; the rest of the
 * fetch (discovery, parsing, installing the keys, the next timer) runs on whichever worker
 * completes each request. {@link #current()}, {@link #unknownKid} and {@link #describe()} are
 * safe from any thread and never block.
 */
public final class RemoteJwksSource implements KeySource {
    private static final Logger log = LoggerFactory.getLogger(RemoteJwksSource.class);
    static final int MAX_DOCUMENT_BYTES = 512 * 1024;
    private static final int MAX_REFETCH_WAITERS = 1024;
    private static final Duration SIGNAL_REFETCH_INTERVAL = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String issuer;
    private final @Nullable URI configuredJwksUri;
    private final boolean discovery;
    private final Set<JwsAlgorithm> algorithms;
    private final Duration refreshInterval;
    private final Duration minRefreshInterval;
    private final Duration fetchTimeout;
    private final LongSupplier nanoTime;
    private final Object scheduleLock = new Object();
    private @Nullable ScheduledFuture<?> pending; // guarded by scheduleLock: the timer of the queued fetch, null if none
    private @Nullable Object pendingTicket; // guarded by scheduleLock: only the fetch holding it may start
    private boolean inFlight; // guarded by scheduleLock
    /** Guarded by scheduleLock: who waits for the next fetch to end ({@link #refetched()}); bounded. */
    private final List<CompletableFuture<Void>> refetchWaiters = new ArrayList<>();
    /** Guarded by scheduleLock: who asked while a fetch was under way, which may predate their key: the one after. */
    private final List<CompletableFuture<Void>> laterWaiters = new ArrayList<>();
    private boolean fetchAgain; // guarded by scheduleLock: an early refetch asked for while in flight
    private volatile @Nullable KeyFetching fetching;
    private volatile @Nullable IssuerKeys keys;
    private long lastAttemptNanos; // guarded by scheduleLock
    private volatile int failures; // written only by the one fetch under way (its stages run one after another); read by refetched()
    private volatile String state = "not started";

    /**
     * @param jwksUri    the JWKS URL, or null to discover it from the issuer
     * @param algorithms   the issuer's allowed algorithms (bind JWKs without {@code alg})
     * @param fetchTimeout the deadline of each request, from connecting to the body's last byte
     * @param nanoTime     monotonic time source, for the refresh rate limit
     * @throws IllegalArgumentException for a URL that may not be fetched
     */
    public RemoteJwksSource(String issuer, @Nullable URI jwksUri, Set<JwsAlgorithm> algorithms, Duration refreshInterval,
                            Duration minRefreshInterval, Duration fetchTimeout, LongSupplier nanoTime) {
        this.issuer = issuer;
        this.configuredJwksUri = jwksUri;
        this.discovery = jwksUri == null;
        this.algorithms = Set.copyOf(algorithms);
        this.refreshInterval = refreshInterval;
        this.minRefreshInterval = minRefreshInterval;
        this.fetchTimeout = fetchTimeout;
        this.nanoTime = nanoTime;
        checkFetchable(jwksUri == null ? discoveryUri(issuer) : jwksUri);
    }

    /** The discovery document's URL for an issuer (OpenID Connect Discovery 1.0 §4). */
    public static URI discoveryUri(String issuer) {
        return FetchableUrl.discoveryUri(issuer);
    }

    private static void checkFetchable(URI uri) {
        FetchableUrl.check(uri);
    }

    /** Starts background fetching; the first fetch runs at once. */
    public void start(KeyFetching fetching) {
        this.fetching = fetching;
        state = "fetching";
        scheduleFetch(0);
    }

    @Override
    public @Nullable IssuerKeys current() {
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
    public CompletionStage<Void> refetched() {
        if (fetching == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (scheduleLock) {
            if (refetchWaiters.size() + laterWaiters.size() >= MAX_REFETCH_WAITERS) {
                // A flood: the caller answers "try again later", never "bad key" on a set it did not refresh.
                return CompletableFuture.failedFuture(new IllegalStateException("too many waiting for a key fetch"));
            }
            (inFlight ? laterWaiters : refetchWaiters).add(done);
            if (failures > 0) {
                return done; // the key server is failing: its backoff decides when it is asked again
            }
            // Not the access tokens' rate limit: a provider that just rotated sends its logout right after
            // the last fetch. One request a second at most still keeps a flood from amplifying.
            long sinceLast = nanoTime.getAsLong() - lastAttemptNanos;
            long minimum = Math.min(minRefreshInterval.toNanos(), SIGNAL_REFETCH_INTERVAL.toNanos());
            scheduleFetch(Math.max(0, TimeUnit.NANOSECONDS.toMillis(minimum - sinceLast)));
        }
        return done;
    }

    @Override
    public String describe() {
        return (discovery ? "discovery " + discoveryUri(issuer) : "jwks " + configuredJwksUri) + ": " + state;
    }

    /**
     * Queues a fetch in {@code delayMillis}, unless one is already queued to run sooner: at most
     * one fetch is ever queued, so a burst of unknown kids costs one request. While a fetch is
     * under way, nothing is queued; an early refetch then runs as soon as it ends.
     */
    private void scheduleFetch(long delayMillis) {
        synchronized (scheduleLock) {
            if (inFlight) {
                fetchAgain |= delayMillis == 0;
                return;
            }
            if (pending != null) {
                // Also when its timer has fired and the fetch waits for a worker: the delay is then <= 0.
                if (pending.getDelay(TimeUnit.MILLISECONDS) <= delayMillis) {
                    return;
                }
                pending.cancel(false);
            }
            Object ticket = new Object();
            try {
                pending = fetching().schedule(() -> fetch(ticket), delayMillis);
                pendingTicket = ticket;
            } catch (RejectedExecutionException e) {
                pending = null; // shutting down
                pendingTicket = null;
            }
        }
    }

    /** What fetches the documents; set by start(), before any fetch is scheduled. */
    private KeyFetching fetching() {
        return Objects.requireNonNull(fetching, "start() comes first");
    }

    /** Starts one fetch and returns at once; {@link #finish} runs when it is over. */
    private void fetch(Object ticket) {
        synchronized (scheduleLock) {
            if (ticket != pendingTicket) {
                return; // replaced by a sooner fetch after its timer had already fired
            }
            pending = null;
            pendingTicket = null;
            inFlight = true;
            lastAttemptNanos = nanoTime.getAsLong();
        }
        CompletableFuture<IssuerKeys> fetched;
        try {
            CompletableFuture<URI> jwksUri = discovery
                    ? fetching().get(discoveryUri(issuer), fetchTimeout, MAX_DOCUMENT_BYTES).thenApply(this::jwksUriOf)
                    : CompletableFuture.completedFuture(Objects.requireNonNull(configuredJwksUri));
            fetched = jwksUri.thenCompose(uri -> fetching().get(uri, fetchTimeout, MAX_DOCUMENT_BYTES)
                    .thenApply(body -> keysOf(body, uri)));
        } catch (RuntimeException e) {
            fetched = CompletableFuture.failedFuture(e);
        }
        fetched.whenComplete(this::finish);
    }

    private IssuerKeys keysOf(byte[] body, URI jwksUri) {
        List<VerificationKey> parsed = JwksDocument.parse(new String(body, StandardCharsets.UTF_8), algorithms,
                jwksUri.toString());
        IssuerKeys fresh = new IssuerKeys(parsed);
        IssuerKeys old = keys;
        if (old == null || !old.sameKeysAs(fresh)) {
            // A new instance tells caches the keys changed; an identical set keeps the old one.
            keys = fresh;
            log.info("keys of {} from {}: {}", issuer, jwksUri, fresh.all());
        }
        return fresh;
    }

    /** Records how the fetch went and arms the next one: the refresh interval, or a backoff. */
    private void finish(@Nullable IssuerKeys fresh, @Nullable Throwable error) {
        if (fetching().isClosed()) {
            return; // a request cut short by close() is no failure of the key server
        }
        long next = refreshInterval.toMillis();
        try {
            if (error == null && fresh != null) {
                failures = 0;
                state = "ok (" + fresh.all().size() + " keys)";
            } else {
                Throwable cause = error != null ? unwrap(error) : new IllegalStateException("the fetch returned no keys");
                failures++;
                next = Math.min(next, minRefreshInterval.toMillis() << Math.min(failures - 1, 20));
                state = (keys == null ? "no keys yet" : "keeping last good keys") + "; last fetch failed: "
                        + cause.getMessage();
                log.warn("fetching keys of {} failed ({} in a row), retrying in {} ms; {}: {}", issuer, failures, next,
                        keys == null ? "no keys yet" : "keeping the last good keys", cause.toString());
            }
        } finally {
            // Whatever happened above, the issuer must not be left without a next fetch.
            List<CompletableFuture<Void>> waiting;
            synchronized (scheduleLock) {
                inFlight = false;
                if (fetchAgain) {
                    fetchAgain = false;
                    next = 0;
                }
                waiting = List.copyOf(refetchWaiters);
                refetchWaiters.clear();
                refetchWaiters.addAll(laterWaiters);
                laterWaiters.clear();
                if (!refetchWaiters.isEmpty() && failures == 0) {
                    long sinceLast = nanoTime.getAsLong() - lastAttemptNanos;
                    next = Math.min(next, Math.max(0, TimeUnit.NANOSECONDS.toMillis(
                            Math.min(minRefreshInterval.toNanos(), SIGNAL_REFETCH_INTERVAL.toNanos()) - sinceLast)));
                }
            }
            scheduleFetch(next);
            waiting.forEach(w -> w.complete(null));
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof UncheckedIOException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private URI jwksUriOf(byte[] discoveryDocument) {
        JsonNode doc;
        try {
            doc = JSON.readTree(discoveryDocument);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
}
