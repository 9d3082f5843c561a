package io.jwtsidecar.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.EventRecord;
import io.jwtsidecar.revocation.EventSignatureCheck;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RuleKey;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * What the feed makes of one record: a revoke dated more than ten minutes after its record, or a
 * restore more than five, is dead-lettered, judged against the record's timestamp so that every
 * sidecar decides alike (found by an outside review: a rule dated years ahead froze its key, since
 * no restore could be as late).
 */
class RecordReaderTest {
    private static final String TOPIC = "jwt-revocations";
    private static final long RECORD_MILLIS = 1_800_000_000_123L;
    private static final long RECORD_SECOND = RECORD_MILLIS / 1000;
    private final EventCodec codec = new EventCodec();
    private final RecordReader reader = new RecordReader(TOPIC, codec, EventSignatureCheck.none());

    private ConsumerRecord<byte[], byte[]> record(RevocationEvent.Type type, long at, long timestampMillis) {
        RevocationEvent e = new RevocationEvent(UUID.randomUUID().toString(), type,
                new RuleKey(RevocationScope.SUB, "https://idp.example", "eve"), at, at + 3600, null, null);
        return new ConsumerRecord<>(TOPIC, 0, 7, timestampMillis, TimestampType.LOG_APPEND_TIME, -1, -1,
                e.key().toBytes(), codec.encode(e), new RecordHeaders(), Optional.empty());
    }

    @Test
    void a_revoke_dated_up_to_ten_minutes_and_a_restore_up_to_five_after_its_record_is_read() {
        for (RevocationEvent.Type type : RevocationEvent.Type.values()) {
            for (long at : new long[] {0, RECORD_SECOND, RECORD_SECOND + EventRecord.maxAheadSeconds(type)}) {
                RecordReader.Read read = reader.read(record(type, at, RECORD_MILLIS));
                assertThat(read.deadLetter()).as("%s at %d", type, at).isNull();
                assertThat(read.event().recordMillis()).isEqualTo(RECORD_MILLIS);
            }
        }
        assertThat(EventRecord.maxAheadSeconds(RevocationEvent.Type.REVOKE)).isEqualTo(600);
        assertThat(EventRecord.maxAheadSeconds(RevocationEvent.Type.RESTORE)).isEqualTo(300);
    }

    @Test
    void an_event_dated_later_is_dead_lettered_with_the_reason() {
        for (RevocationEvent.Type type : RevocationEvent.Type.values()) {
            long limit = EventRecord.maxAheadSeconds(type);
            for (long at : new long[] {RECORD_SECOND + limit + 1, EventCodec.MAX_EPOCH_SECONDS - 3600}) {
                RecordReader.Read read = reader.read(record(type, at, RECORD_MILLIS));
                assertThat(read.event()).as("%s at %d", type, at).isNull();
                assertThat(read.deadLetter().reason()).startsWith("at: " + at + " is more than " + limit + " s after the "
                        + "record's timestamp (" + RECORD_MILLIS + " ms)");
                assertThat(read.deadLetter().offset()).isEqualTo(7);
            }
        }
    }

    @Test
    void a_record_without_a_timestamp_dates_nothing_ahead() {
        RecordReader.Read read = reader.read(record(RevocationEvent.Type.REVOKE, RECORD_SECOND, -1));

        assertThat(read.deadLetter()).isNotNull();
        assertThat(reader.read(record(RevocationEvent.Type.REVOKE, 0, -1)).deadLetter()).isNull();
    }
}
