package io.jwtsidecar.token.keys;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The shared means of fetching remote keys: one HTTP client and one scheduler thread for all
 * issuers. Owned by the composition root; {@link #close()} stops the scheduler.
 */
public final class KeyFetching implements AutoCloseable {
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;

    public KeyFetching() {
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                // Redirects could take a key fetch to another host than the one configured.
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "key-refresh");
            t.setDaemon(true);
            return t;
        });
    }

    HttpClient http() {
        return http;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
