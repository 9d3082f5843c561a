package io.jwtsidecar.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.feed.FleetView.Refusal;
import io.jwtsidecar.feed.FleetView.Standing;
import io.jwtsidecar.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * The step from a status topic record to the fleet view, without a broker: records are built as
 * the consumer would hand them over (the consumer thread is never started).
 */
class FleetStatusTest {
    private static final long START = 1_700_000_000_000L;
    private static final EventPosition EVENT = new EventPosition(0, 7, START - 1_000);

    private final MutableClock clock = new MutableClock(Instant.ofEpochMilli(START));
    private final FleetStatus fleet = new FleetStatus(Map.of(), "status", clock, Duration.ofSeconds(3),
            Duration.ofSeconds(60), "test");

    private static ConsumerRecord<byte[], byte[]> record(String key, byte[] value, TimestampType type, long timestamp) {
        return new ConsumerRecord<>("status", 0, 0, timestamp, type, -1, -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, new RecordHeaders(), Optional.empty());
    }

    private static byte[] report(String id, long reportedAt) {
        return new SidecarStatus(id, reportedAt, Map.of(0, 8L), Map.of(0, reportedAt), 0).toJson();
    }

    private Optional<Standing> standingOf(String id) {
        return fleet.receipt(EVENT).sidecars().stream().filter(s -> s.sidecarId().equals(id)).findFirst();
    }

    @Test
    void a_record_stamped_by_the_broker_is_heard_at_its_append_time() {
        // Written by a producer whose clock is two seconds ahead of the broker's: within the skew.
        fleet.deliver(record("b", report("b", START), TimestampType.LOG_APPEND_TIME, START - 2_000));

        assertThat(standingOf("b")).map(Standing::silentMillis).contains(2_000L);
    }

    @Test
    void a_record_stamped_by_its_producer_is_judged_by_its_reported_time_whatever_its_timestamp_says() {
        fleet.deliver(record("b", report("b", START - 2_000), TimestampType.CREATE_TIME, START + 3_600_000));

        assertThat(standingOf("b")).map(Standing::silentMillis).contains(2_000L);
    }

    @Test
    void a_report_from_an_hour_ahead_of_the_broker_is_refused() {
        fleet.deliver(record("b", report("b", START + 3_600_000), TimestampType.LOG_APPEND_TIME, START));

        assertThat(standingOf("b")).isEmpty();
        assertThat(fleet.refused(Refusal.FROM_THE_FUTURE)).isEqualTo(1);
    }

    @Test
    void a_record_that_is_not_a_status_report_or_has_no_key_is_refused_as_malformed() {
        fleet.deliver(record("b", "{\"v\":1}".getBytes(StandardCharsets.UTF_8), TimestampType.CREATE_TIME, START));
        fleet.deliver(record(null, report("b", START), TimestampType.CREATE_TIME, START));

        assertThat(fleet.refused(Refusal.MALFORMED)).isEqualTo(2);
        assertThat(fleet.trackedSidecars()).isZero();
    }

    @Test
    void a_tombstone_forgets_the_sidecar_of_its_key() {
        fleet.deliver(record("b", report("b", START), TimestampType.CREATE_TIME, START));
        fleet.deliver(record("b", null, TimestampType.CREATE_TIME, START));

        assertThat(fleet.trackedSidecars()).isZero();
    }
}
