package io.jwtsidecar.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;

/** A question to the brokers, looked at between polls on a fake monotonic clock: it never blocks the feed. */
class PendingQueryTest {
    private static final long MS = 1_000_000L;

    @Test
    void while_unanswered_there_is_no_outcome_and_looking_does_not_wait() {
        KafkaFutureImpl<Integer> answer = new KafkaFutureImpl<>();
        PendingQuery<Integer> q = PendingQuery.asked(answer, 100 * MS, Duration.ofSeconds(2));

        long start = System.nanoTime();
        assertThat(q.outcome(100 * MS)).isNull();
        assertThat(q.outcome(2_099 * MS)).isNull();
        // Looking is a check, not a wait: far below the two seconds the brokers are given.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
        assertThat(answer.isCancelled()).isFalse();
    }

    @Test
    void an_answer_is_given_as_of_the_moment_it_was_asked() {
        PendingQuery<Integer> q = PendingQuery.asked(KafkaFuture.completedFuture(3), 100 * MS, Duration.ofSeconds(2));

        PendingQuery.Outcome<Integer> outcome = q.outcome(900 * MS);

        assertThat(outcome).isNotNull();
        assertThat(outcome.succeeded()).isTrue();
        assertThat(outcome.value()).isEqualTo(3);
        assertThat(q.askedAtNanos()).isEqualTo(100 * MS);
    }

    @Test
    void a_failure_carries_the_brokers_reason_not_the_futures_wrapper() {
        KafkaFutureImpl<Integer> answer = new KafkaFutureImpl<>();
        answer.completeExceptionally(new UnknownTopicOrPartitionException("no such topic"));
        PendingQuery<Integer> q = PendingQuery.asked(answer, 0, Duration.ofSeconds(2));

        PendingQuery.Outcome<Integer> outcome = q.outcome(MS);

        assertThat(outcome).isNotNull();
        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.failure()).isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void past_the_deadline_the_question_fails_and_is_cancelled() {
        KafkaFutureImpl<Integer> answer = new KafkaFutureImpl<>();
        PendingQuery<Integer> q = PendingQuery.asked(answer, 100 * MS, Duration.ofSeconds(2));

        PendingQuery.Outcome<Integer> outcome = q.outcome(2_100 * MS);

        assertThat(outcome).isNotNull();
        assertThat(outcome.failure()).isInstanceOf(TimeoutException.class);
        assertThat(answer.isCancelled()).isTrue();
    }
}
