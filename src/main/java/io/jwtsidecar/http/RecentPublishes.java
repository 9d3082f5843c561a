package io.jwtsidecar.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Idempotency by event id: remembers, for a while, which request each event id was published
 * for and the answer it got, so a client that repeats a request (a retry after a lost answer)
 * gets the same answer without a second event, and a client that reuses an event id for a
 * different request is told so.
 *
 * <p>Bounded: at most {@code maxEntries} event ids (Caffeine's size eviction), each for
 * {@code retention} after it was first claimed, measured with the injected clock. Past either
 * bound a repeat is published again; that is harmless, since the event carries the same id and
 * rule and applying an event twice leaves the same rule.
 *
 * <p>Only successful answers stay: when publishing fails the claim is {@link Claim#fail released},
 * so a retry publishes afresh. Requests that arrive while the first is still publishing wait for
 * its answer. Thread-safe.
 */
final class RecentPublishes {

    /** What a request should do with its event id. */
    enum Outcome {
        /** First use: publish, then {@link Claim#succeed} or {@link Claim#fail}. */
        FIRST,
        /** The same request again: answer with {@link Claim#answer()}. */
        REPEAT,
        /** The id was used for a different request: refuse. */
        CONFLICT
    }

    /** An answer given to a request: a receipt (202) or an error; exactly one is set. */
    record Answer(@Nullable RevocationReceipt receipt, @Nullable AdminError error) {
        Answer {
            if ((receipt == null) == (error == null)) {
                throw new IllegalArgumentException("an answer is a receipt or an error");
            }
        }

        static Answer accepted(RevocationReceipt receipt) {
            return new Answer(receipt, null);
        }

        static Answer of(AdminError error) {
            return new Answer(null, error);
        }

        boolean isAccepted() {
            return receipt != null;
        }

        /** The receipt of an accepted answer; only ask when {@link #isAccepted()}. */
        @Override
        public RevocationReceipt receipt() {
            return Objects.requireNonNull(receipt, "only an accepted answer has a receipt");
        }

        /** The error of a refused answer; only ask unless {@link #isAccepted()}. */
        @Override
        public AdminError error() {
            return Objects.requireNonNull(error, "only a refused answer has an error");
        }
    }

    /** One request's claim on an event id. */
    final class Claim {
        private final Outcome outcome;
        private final String eventId;
        private final Entry entry;

        private Claim(Outcome outcome, String eventId, Entry entry) {
            this.outcome = outcome;
            this.eventId = eventId;
            this.entry = entry;
        }

        Outcome outcome() {
            return outcome;
        }

        /** The first request's answer; for {@link Outcome#REPEAT} (and FIRST, once completed). */
        Future<Answer> answer() {
            return entry.answer.future();
        }

        /** The first request's answer, kept for repeats. */
        void succeed(Answer answer) {
            entry.answer.tryComplete(answer);
        }

        /** Publishing failed: forget the id, and give waiting repeats the same failure answer. */
        void fail(Answer answer) {
            cache.asMap().remove(eventId, entry);
            entry.answer.tryComplete(answer);
        }
    }

    private record Entry(String fingerprint, Promise<Answer> answer) {
    }

    private final Cache<String, Entry> cache;

    /**
     * @param retention  how long an event id is remembered after its first use
     * @param maxEntries at most this many event ids are remembered
     * @param clock      the time source (wall clock; tests move it)
     */
    RecentPublishes(Duration retention, long maxEntries, Clock clock) {
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(retention)
                .maximumSize(maxEntries)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run)
                .build();
    }

    /**
     * Claims {@code eventId} for the request described by {@code fingerprint} (a canonical form
     * of everything the request asked for, apart from the event id itself).
     */
    Claim claim(String eventId, String fingerprint) {
        Objects.requireNonNull(fingerprint, "fingerprint");
        Entry fresh = new Entry(fingerprint, Promise.promise());
        Entry existing = cache.asMap().putIfAbsent(eventId, fresh);
        if (existing == null) {
            return new Claim(Outcome.FIRST, eventId, fresh);
        }
        return new Claim(existing.fingerprint().equals(fingerprint) ? Outcome.REPEAT : Outcome.CONFLICT, eventId, existing);
    }
}
