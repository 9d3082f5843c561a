package io.jwtsidecar.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.Test;

/** How a Kafka client thread runs, restarts after an unexpected error, and stops. */
class KafkaLoopTest {

    @Test
    void a_body_that_fails_unexpectedly_runs_again_after_the_delay() {
        AtomicInteger runs = new AtomicInteger();
        try (KafkaLoop loop = new KafkaLoop("test-loop", Duration.ofMillis(50), Duration.ofSeconds(5), () -> {
            if (runs.incrementAndGet() < 3) {
                throw new IllegalStateException("broken client");
            }
        })) {
            loop.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 3);
        }
    }

    @Test
    void close_wakes_a_blocked_body_through_its_wake_up_and_joins_it() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch woken = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        KafkaLoop[] self = new KafkaLoop[1];
        self[0] = new KafkaLoop("test-loop", Duration.ofMillis(10), Duration.ofSeconds(5), () -> {
            runs.incrementAndGet();
            self[0].onStop(woken::countDown);
            blocked.countDown();
            // Stands for a consumer's poll: returns only when woken, by throwing as Kafka's clients do.
            if (woken.await(30, TimeUnit.SECONDS)) {
                throw new WakeupException();
            }
        });
        self[0].start();
        assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();

        long started = System.nanoTime();
        self[0].close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(runs.get()).as("a wake-up at stop is no reason to run again").isEqualTo(1);
    }

    @Test
    void pause_returns_early_when_the_loop_is_closed() throws Exception {
        CountDownLatch paused = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        KafkaLoop[] self = new KafkaLoop[1];
        self[0] = new KafkaLoop("test-loop", Duration.ofMillis(10), Duration.ofSeconds(5), () -> {
            paused.countDown();
            if (self[0].pause(Duration.ofSeconds(30))) {
                interrupted.incrementAndGet();
            }
        });
        self[0].start();
        assertThat(paused.await(5, TimeUnit.SECONDS)).isTrue();

        self[0].close();

        assertThat(interrupted.get()).isEqualTo(1);
        assertThat(self[0].running()).isFalse();
    }
}
