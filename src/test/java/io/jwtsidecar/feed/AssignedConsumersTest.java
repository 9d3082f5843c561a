package io.jwtsidecar.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

/**
 * The settings both consumers (the feed's and the fleet status reader's) are made with: a quiet
 * topic must cost the brokers one held fetch per hold, and a record must end the hold at once.
 */
class AssignedConsumersTest {

    @Test
    void a_fetch_is_held_10_seconds_and_answered_at_the_first_byte() {
        Map<String, Object> config = AssignedConsumers.config(Map.of("bootstrap.servers", "b:9092"), "feed");

        assertThat(config).containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10_000)
                .containsEntry(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        assertThat(new ConsumerConfig(config).getInt(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG))
                .as("the request timeout a held fetch must stay below").isLessThan(
                        new ConsumerConfig(config).getInt(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG));
    }

    @Test
    void the_users_hold_wins_and_fetch_min_bytes_stays_one() {
        Map<String, Object> config = AssignedConsumers.config(Map.of("bootstrap.servers", "b:9092",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "500", ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1024"), "feed");

        assertThat(config).containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "500")
                .as("the loader refuses another value; the consumer never takes one")
                .containsEntry(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
    }
}
