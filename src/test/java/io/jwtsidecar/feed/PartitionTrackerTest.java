package io.jwtsidecar.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Which partitions the feed reads against how many exist, on a fake monotonic clock. */
class PartitionTrackerTest {
    private static final long S = 1_000_000_000L;
    private final PartitionTracker tracker = new PartitionTracker(Duration.ofSeconds(5), Duration.ofSeconds(1));

    @Test
    void the_first_count_assigns_every_partition_and_confirms_it() {
        assertThat(tracker.checkDue(0)).isTrue();

        assertThat(tracker.learn(3 * S, 3)).containsExactly(0, 1, 2);

        assertThat(tracker.assigned()).containsExactly(0, 1, 2);
        assertThat(tracker.confirmedAtNanos()).isEqualTo(3 * S);
        assertThat(tracker.view()).isEqualTo(new PartitionTracker.View(3, 3, 3 * S));
    }

    @Test
    void a_grown_topic_gives_only_the_new_partitions_and_confirms_the_count_at_once() {
        tracker.learn(0, 3);

        assertThat(tracker.learn(5 * S, 6)).containsExactly(3, 4, 5);
        assertThat(tracker.assigned()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(tracker.confirmedAtNanos()).isEqualTo(5 * S);
        assertThat(tracker.learn(10 * S, 6)).isEmpty();
        assertThat(tracker.confirmedAtNanos()).isEqualTo(10 * S);
    }

    @Test
    void a_missing_topic_confirms_nothing_and_is_asked_for_again_soon() {
        assertThat(tracker.learn(0, 0)).isEmpty();

        assertThat(tracker.confirmedAtNanos()).isEqualTo(PartitionTracker.NEVER);
        assertThat(tracker.checkDue(S - 1)).isFalse();
        assertThat(tracker.checkDue(S)).isTrue();
    }

    @Test
    void a_count_below_the_assigned_partitions_is_never_confirmed() {
        tracker.learn(0, 6);

        assertThat(tracker.learn(5 * S, 3)).isEmpty();

        assertThat(tracker.confirmedAtNanos()).as("the topic was deleted and created again: go stale").isZero();
        assertThat(tracker.view().existing()).isEqualTo(3);
        assertThat(tracker.view().assigned()).isEqualTo(6);
    }

    @Test
    void a_failed_count_keeps_the_last_confirmation_and_retries_soon() {
        tracker.learn(0, 3);

        tracker.failed(5 * S);

        assertThat(tracker.confirmedAtNanos()).isZero();
        assertThat(tracker.checkDue(6 * S - 1)).isFalse();
        assertThat(tracker.checkDue(6 * S)).isTrue();
    }

    @Test
    void counts_follow_the_interval() {
        tracker.learn(0, 3);

        assertThat(tracker.checkDue(5 * S - 1)).isFalse();
        assertThat(tracker.checkDue(5 * S)).isTrue();
    }
}
