package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SeenIdsTest {
    private final MutableClock clock = MutableClock.atNow();

    @Test
    void an_id_is_taken_once_per_signer_until_it_is_forgotten() {
        SeenIds seen = new SeenIds(10, clock);
        long until = clock.epochSecond() + 60;

        assertThat(seen.claim("https://a", "j1", until)).isPresent();
        assertThat(seen.claim("https://a", "j1", until)).as("a replay").isEmpty();
        assertThat(seen.claim("https://b", "j1", until)).as("another signer's id").isPresent();

        clock.advance(Duration.ofSeconds(61));
        assertThat(seen.claim("https://a", "j1", until + 120)).as("forgotten after its time").isPresent();
    }

    @Test
    void a_released_claim_lets_the_same_signal_come_again() {
        SeenIds seen = new SeenIds(10, clock);
        long until = clock.epochSecond() + 60;

        seen.claim("https://a", "j1", until).orElseThrow().release();

        assertThat(seen.claim("https://a", "j1", until)).isPresent();
    }

    @Test
    void a_flood_of_distinct_ids_stays_within_the_bound_and_the_dropped_ones_are_counted() {
        SeenIds seen = new SeenIds(1000, clock);
        long until = clock.epochSecond() + 300;

        for (int i = 0; i < 50_000; i++) {
            assertThat(seen.claim("https://a", "j" + i, until)).isPresent();
        }

        assertThat(seen.size()).isEqualTo(1000);
        assertThat(seen.evictions()).isEqualTo(49_000);
        assertThat(seen.claim("https://a", "j49999", until)).as("the newest are still held").isEmpty();
    }

    @Test
    void releasing_a_claim_that_was_dropped_leaves_a_later_claim_of_the_same_id_alone() {
        SeenIds seen = new SeenIds(1, clock);
        long until = clock.epochSecond() + 60;
        SeenIds.Claim first = seen.claim("https://a", "j1", until).orElseThrow();
        seen.claim("https://a", "j2", until); // drops j1: the cache holds one
        seen.claim("https://a", "j1", until).orElseThrow(); // j1 again, held by a second request

        first.release(); // the first request failed late

        assertThat(seen.claim("https://a", "j1", until)).as("the second claim still holds j1").isEmpty();
    }
}
