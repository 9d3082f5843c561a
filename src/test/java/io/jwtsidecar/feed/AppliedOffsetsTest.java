package io.jwtsidecar.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The feed's applied positions: what fleet receipts and the admin API's wait read. */
class AppliedOffsetsTest {
    private final AppliedOffsets applied = new AppliedOffsets();

    @Test
    void every_advance_of_a_partition_moves_its_time_of_last_advance() {
        // Offsets past 127 are not cached Long instances: a reference comparison misses these advances.
        applied.advance(Map.of(0, 200L), 1_000);
        applied.advance(Map.of(0, 300L), 2_000);
        applied.advance(Map.of(0, 70_000L), 3_000);

        assertThat(applied.nextOffsets()).containsExactly(Map.entry(0, 70_000L));
        assertThat(applied.advancedAtMillis()).containsExactly(Map.entry(0, 3_000L));
    }

    @Test
    void a_partition_that_does_not_move_keeps_its_offset_and_time() {
        applied.advance(Map.of(0, 500L, 1, 10L), 1_000);
        applied.advance(Map.of(0, 400L, 1, 10L), 2_000);

        assertThat(applied.nextOffsets()).containsOnly(Map.entry(0, 500L), Map.entry(1, 10L));
        assertThat(applied.advancedAtMillis()).containsOnly(Map.entry(0, 1_000L), Map.entry(1, 1_000L));
    }

    @Test
    void a_waiter_completes_once_its_offset_is_applied_and_not_before() {
        CompletableFuture<Void> waiting = applied.whenApplied(2, 1_000);
        applied.advance(Map.of(2, 1_000L), 1);
        assertThat(waiting).as("next offset 1000 means 999 is applied, not 1000").isNotDone();

        applied.advance(Map.of(2, 1_001L), 2);
        assertThat(waiting).isCompleted();
        assertThat(applied.whenApplied(2, 1_000)).as("already applied: at once").isCompleted();
        assertThat(applied.whenApplied(3, 0)).as("another partition waits for its own").isNotDone();
    }
}
