package io.jwtsidecar.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Freshness on a fake monotonic clock (nanoseconds passed in): when data is confirmed current, and as of when. */
class FreshnessTest {
    private static final long S = 1_000_000_000L;
    /** The feed's defaults: a third of the default maxStaleness (30 s), and its one-second retry. */
    private final Freshness freshness = new Freshness(Duration.ofSeconds(10), Duration.ofSeconds(1));

    @Test
    void before_the_first_confirmation_the_data_is_infinitely_stale_and_not_caught_up() {
        assertThat(freshness.staleness(5 * S)).isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(freshness.caughtUp()).isNotDone();
        assertThat(freshness.checkDue(0)).isTrue();
    }

    @Test
    void positions_at_the_ends_confirm_the_moment_of_the_check() {
        freshness.ended(10 * S, Map.of(0, 5L, 1, 0L), Map.of(0, 5L, 1, 0L), 10 * S);

        assertThat(freshness.caughtUp()).isDone();
        assertThat(freshness.staleness(12 * S)).isEqualTo(Duration.ofSeconds(2));
        assertThat(freshness.lag()).isZero();
    }

    @Test
    void a_check_stays_open_until_the_positions_reach_its_ends_and_then_speaks_for_its_own_moment() {
        freshness.ended(10 * S, Map.of(0, 100L), Map.of(0, 40L), 10 * S);
        assertThat(freshness.caughtUp()).isNotDone();
        assertThat(freshness.lag()).isEqualTo(60);
        assertThat(freshness.checkDue(20 * S)).as("no new check while one is open").isFalse();

        freshness.positions(Map.of(0, 99L));
        assertThat(freshness.checkOpen()).isTrue();
        freshness.positions(Map.of(0, 130L));

        assertThat(freshness.checkOpen()).isFalse();
        assertThat(freshness.staleness(13 * S)).as("as of the check, not of when it closed").isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void a_confirmation_never_speaks_for_a_moment_after_the_last_partition_count() {
        // The partitions were last counted at 7 s; the end offsets were read at 10 s.
        freshness.ended(10 * S, Map.of(0, 5L), Map.of(0, 5L), 7 * S);

        assertThat(freshness.staleness(10 * S)).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void without_any_partition_count_nothing_is_confirmed() {
        freshness.ended(10 * S, Map.of(0, 5L), Map.of(0, 5L), PartitionTracker.NEVER);

        assertThat(freshness.caughtUp()).isNotDone();
    }

    @Test
    void a_partition_whose_position_is_unknown_counts_as_unread() {
        freshness.ended(10 * S, Map.of(0, 5L, 3, 0L), Map.of(0, 5L), 10 * S);

        assertThat(freshness.caughtUp()).isNotDone();
        freshness.positions(Map.of(0, 5L, 3, 0L));
        assertThat(freshness.caughtUp()).isDone();
    }

    @Test
    void a_failed_check_is_asked_again_after_the_retry_not_a_whole_interval_and_a_later_one_never_moves_the_data_back() {
        freshness.ended(10 * S, Map.of(0, 5L), Map.of(0, 5L), 10 * S);
        freshness.failed(11 * S);
        assertThat(freshness.checkDue(11 * S)).isFalse();
        assertThat(freshness.checkDue(12 * S)).isTrue();
        assertThat(freshness.staleness(15 * S)).isEqualTo(Duration.ofSeconds(5));

        // A late-closing check for an older moment does not make the data look older than it is.
        freshness.ended(16 * S, Map.of(0, 9L), Map.of(0, 5L), 9 * S);
        freshness.positions(Map.of(0, 9L));
        assertThat(freshness.staleness(16 * S)).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void checks_follow_the_interval() {
        freshness.ended(10 * S, Map.of(0, 5L), Map.of(0, 5L), 10 * S);

        assertThat(freshness.checkDue(11 * S)).as("one check per interval, not per second").isFalse();
        assertThat(freshness.checkDue(20 * S - 1)).isFalse();
        assertThat(freshness.checkDue(20 * S)).isTrue();
        // A quiet topic is confirmed again at each check: the data never ages past the interval and the answer's trip.
        freshness.ended(20 * S, Map.of(0, 5L), Map.of(0, 5L), 20 * S);
        assertThat(freshness.staleness(30 * S - 1)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void a_retry_shorter_than_the_interval_is_never_longer_than_it() {
        Freshness often = new Freshness(Duration.ofMillis(500), Duration.ofSeconds(1));
        often.failed(10 * S);

        assertThat(often.checkDue(10 * S + S / 2)).isTrue();
    }

    @Test
    void between_checks_the_lag_follows_the_partitions_the_consumer_received_records_of() {
        freshness.lags(Map.of(0, 3L));
        assertThat(freshness.lag()).as("nothing before the first check, which names every partition").isEqualTo(-1);

        freshness.ended(10 * S, Map.of(0, 5L, 1, 7L), Map.of(0, 5L, 1, 5L), 10 * S);
        assertThat(freshness.lag()).isEqualTo(2);

        freshness.lags(Map.of(0, 4L));
        assertThat(freshness.lag()).as("partition 0 from the consumer, partition 1 from the check").isEqualTo(6);
        freshness.lags(Map.of(0, 0L, 1, 0L));
        assertThat(freshness.lag()).isZero();
    }
}
