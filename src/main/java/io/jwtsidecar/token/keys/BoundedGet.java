package io.jwtsidecar.token.keys;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One GET of a small document (a JWKS or a discovery document) that holds no thread while it
 * waits, ends by its deadline whatever the server does, and never buffers more than a cap.
 *
 * <ul>
 *   <li>The request is sent with {@link HttpClient#sendAsync}; the body is pushed to a
 *       subscriber that counts the bytes and cancels the exchange at the first byte over
 *       {@code maxBytes} (a body that never ends), and that refuses any status but 200 before
 *       reading its body.</li>
 *   <li>The deadline covers the whole exchange: connecting, the status line and headers, and the
 *       last byte of the body. When it passes, {@link #abort} cancels the exchange (which closes
 *       its connection, so a server that stalls or drips holds nothing afterwards) and the
 *       result fails with "deadline of N exceeded". The caller arms the deadline with a timer.</li>
 *   <li>{@link #result()} fails with an {@link IOException} whose message names the URL; the
 *       first of success, failure, the deadline or an abort decides it.</li>
 * </ul>
 *
 * <p>Thread-safe: the HTTP client's threads deliver the body while a worker may call
 * {@link #deadlinePassed()} or {@link #abort}; an abort cancels the subscription whether it comes
 * before or after the body subscriber is subscribed.
 */
final class BoundedGet implements HttpResponse.BodyHandler<byte[]> {
    private final URI uri;
    private final Duration deadline;
    private final int maxBytes;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    private volatile @Nullable CompletableFuture<HttpResponse<byte[]>> exchange;

    private BoundedGet(URI uri, Duration deadline, int maxBytes) {
        this.uri = uri;
        this.deadline = deadline;
        this.maxBytes = maxBytes;
    }

    /**
     * Sends the request and returns at once. The caller arms the deadline: it calls
     * {@link #deadlinePassed()} once {@code deadline} has elapsed (a no-op if the GET has ended).
     */
    static BoundedGet send(HttpClient http, URI uri, Duration deadline, int maxBytes) {
        BoundedGet get = new BoundedGet(uri, deadline, maxBytes);
        // No HttpRequest.timeout: it covers the headers only; the deadline covers everything.
        HttpRequest request = HttpRequest.newBuilder(uri).header("Accept", "application/json").GET().build();
        get.exchange = http.sendAsync(request, get);
        get.exchange.whenComplete((response, error) -> {
            if (error == null) {
                get.result.complete(response.body());
            } else {
                get.result.completeExceptionally(get.describe(error));
            }
        });
        return get;
    }

    /** The body, or an {@link IOException} naming the URL. */
    CompletableFuture<byte[]> result() {
        return result;
    }

    /** The deadline has passed: fail with "deadline of N exceeded" unless already finished. */
    void deadlinePassed() {
        abort(new IOException("GET " + uri + ": deadline of " + show(deadline)
                + " exceeded (connect, headers and body)"));
    }

    /** Ends the GET with {@code cause} unless it has finished, and hangs up on the server. */
    void abort(IOException cause) {
        if (!result.completeExceptionally(cause)) {
            return;
        }
        CompletableFuture<?> e = exchange;
        if (e != null) {
            // The future sendAsync returned: cancelling it aborts the exchange and closes the connection.
            e.cancel(true);
        }
        Flow.Subscription s = subscription.get();
        if (s != null) {
            s.cancel();
        }
    }

    /** Called by the HTTP client once the status line and headers are in. */
    @Override
    public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
        IOException refusal = info.statusCode() == 200 ? null
                : new IOException("GET " + uri + " answered " + info.statusCode());
        return new CappedBody(refusal);
    }

    /** A failure from the HTTP client (ours end the GET through {@link #abort} first, so never get here). */
    private IOException describe(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return new IOException("GET " + uri + " failed: " + cause, cause);
    }

    /** A duration as the configuration writes it: {@code 500ms}, {@code 10s}. */
    static String show(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /**
     * Collects the body up to the cap, one buffer list at a time (demand 1, so the client reads
     * no faster than this keeps up). Flow calls it serially; {@link #abort} may run at any time.
     */
    private final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final @Nullable IOException refusal;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        CappedBody(@Nullable IOException refusal) {
            this.refusal = refusal;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            if (!subscription.compareAndSet(null, s)) {
                // Never expected (no redirects, no authenticator): refuse rather than mix two bodies.
                s.cancel();
                fail(new IOException("GET " + uri + " got a second response"));
                return;
            }
            if (refusal != null) {
                fail(refusal);
            } else if (result.isDone()) {
                s.cancel(); // aborted before the body began, perhaps before abort() could see s
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return; // aborted: the subscription is cancelled already
            }
            for (ByteBuffer b : buffers) {
                if (bytes.size() + (long) b.remaining() > maxBytes) {
                    fail(new IOException("GET " + uri + " returned more than " + maxBytes + " bytes"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.writeBytes(chunk);
            }
            Objects.requireNonNull(subscription.get(), "data arrives only after onSubscribe").request(1);
        }

        private void fail(IOException cause) {
            abort(cause);
            body.completeExceptionally(cause);
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }
    }
}
