package io.jwtsidecar.feed;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaFuture;
import org.jspecify.annotations.Nullable;

/**
 * A question the feed put to the brokers through its admin client, answered on the admin
 * client's own thread so the feed thread never waits for it: between polls the feed looks at
 * {@link #outcome} and goes on reading while there is none. A record that arrives while the
 * brokers take their time is applied at once instead of after the answer (or the timeout).
 *
 * <p>The answer speaks for the moment it was asked ({@link #askedAtNanos()}), not the moment it
 * was read: the brokers read their state after that, so it is never an overstatement.
 *
 * <p>Used by the feed thread only.
 */
final class PendingQuery<T> {
    private final KafkaFuture<T> answer;
    private final long askedAtNanos;
    private final long deadlineNanos;

    private PendingQuery(KafkaFuture<T> answer, long askedAtNanos, long deadlineNanos) {
        this.answer = answer;
        this.askedAtNanos = askedAtNanos;
        this.deadlineNanos = deadlineNanos;
    }

    /** @param timeout how long the answer may take before the question counts as failed */
    static <T> PendingQuery<T> asked(KafkaFuture<T> answer, long nowNanos, Duration timeout) {
        return new PendingQuery<>(answer, nowNanos, nowNanos + timeout.toNanos());
    }

    long askedAtNanos() {
        return askedAtNanos;
    }

    /** How a question ended; {@code value} is set when it succeeded, {@code failure} when not. */
    record Outcome<T>(@Nullable T value, @Nullable Throwable failure) {
        boolean succeeded() {
            return failure == null;
        }
    }

    /**
     * The answer, the failure, or a timeout once {@code nowNanos} is past the deadline; null while
     * the brokers may still answer. Never blocks.
     */
    @Nullable Outcome<T> outcome(long nowNanos) {
        if (answer.isDone()) {
            try {
                return new Outcome<>(answer.getNow(null), null);
            } catch (ExecutionException e) {
                return new Outcome<>(null, e.getCause() == null ? e : e.getCause());
            } catch (InterruptedException e) {
                // getNow on a completed future does not wait, so this is only the signature's.
                Thread.currentThread().interrupt();
                return new Outcome<>(null, e);
            } catch (RuntimeException e) {
                return new Outcome<>(null, e);
            }
        }
        if (nowNanos - deadlineNanos >= 0) {
            answer.cancel(true);
            return new Outcome<>(null, new TimeoutException("no answer from the brokers within "
                    + Duration.ofNanos(deadlineNanos - askedAtNanos)));
        }
        return null;
    }
}
