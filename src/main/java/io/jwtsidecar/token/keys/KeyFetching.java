package io.jwtsidecar.token.keys;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared means of fetching remote keys for every issuer: one HTTP client, one timer thread,
 * a pool of workers. Owned by the composition root; {@link #close()} stops it.
 *
 * <p>No issuer's key server can delay another issuer's fetch, because no thread here ever waits
 * for the network:
 * <ul>
 *   <li>{@code key-refresh} (one thread) only keeps time: it fires each issuer's refresh timer and
 *       each request's deadline, and hands the work to a worker at once. It never calls into the
 *       HTTP client, so no endpoint can hold it.</li>
 *   <li>{@code key-fetch-N} (a cached pool, also the HTTP client's executor) starts requests
 *       ({@code sendAsync}, which returns at once), runs the client's asynchronous tasks, and runs
 *       what follows a finished request: parsing, installing the keys, arming the next timer. A
 *       pool rather than one thread so that whatever may still block inside the client (a slow
 *       name lookup, say) holds one worker, never another issuer's work. Threads exist only while
 *       there is work; a hung request holds none.</li>
 *   <li>The HTTP client's own selector thread does the socket I/O.</li>
 * </ul>
 *
 * <p>Every request has a deadline over its whole exchange (connect, headers, body: see
 * {@link BoundedGet}); a request past it is cancelled and its connection closed.
 *
 * <p>Thread-safe.
 */
public final class KeyFetching implements AutoCloseable {
    private final ExecutorService workers;
    private final ScheduledExecutorService timers;
    private final HttpClient http;
    private final Set<BoundedGet> inFlight = ConcurrentHashMap.newKeySet();

    public KeyFetching() {
        this.workers = Executors.newCachedThreadPool(daemonThreads("key-fetch-"));
        this.timers = Executors.newSingleThreadScheduledExecutor(daemonThreads("key-refresh"));
        this.http = HttpClient.newBuilder()
                .executor(workers)
                .connectTimeout(Duration.ofSeconds(5))
                // Redirects could take a key fetch to another host than the one configured.
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name.endsWith("-") ? name + n.getAndIncrement() : name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Runs {@code task} on a worker after {@code delayMillis}.
     *
     * @throws RejectedExecutionException once closed
     */
    ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        return timers.schedule(() -> onWorker(task), delayMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * GETs {@code uri}: the body, at most {@code maxBytes}, or an {@link IOException} naming the URL,
     * by {@code deadline} at the latest. Returns at once; the future completes on a worker, so
     * stages added without an executor run there too.
     */
    CompletableFuture<byte[]> get(URI uri, Duration deadline, int maxBytes) {
        BoundedGet get = BoundedGet.send(http, uri, deadline, maxBytes);
        inFlight.add(get);
        ScheduledFuture<?> timer;
        try {
            timer = schedule(get::deadlinePassed, deadline.toMillis());
        } catch (RejectedExecutionException e) {
            get.abort(new IOException("GET " + uri + ": key fetching is closed"));
            timer = null;
        }
        ScheduledFuture<?> armed = timer;
        // Hop to a worker: the result may be completed on the client's selector thread.
        return get.result().whenCompleteAsync((body, error) -> {
            inFlight.remove(get);
            if (armed != null) {
                armed.cancel(false);
            }
        }, this::onWorker);
    }

    boolean isClosed() {
        return timers.isShutdown();
    }

    private void onWorker(Runnable task) {
        try {
            workers.execute(task);
        } catch (RejectedExecutionException e) {
            // Closed: the work is dropped, as the timers' is.
        }
    }

    /** Stops the timers, hangs up on every request under way, and stops the workers. Idempotent. */
    @Override
    public void close() {
        // Timers first, so no refresh starts and no deadline fires while the requests are cancelled.
        timers.shutdownNow();
        IOException closed = new IOException("key fetching is closed");
        inFlight.forEach(get -> get.abort(closed));
        workers.shutdownNow();
        try {
            timers.awaitTermination(5, TimeUnit.SECONDS);
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
