package io.jwtsidecar.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.EventCodec.MalformedEventException;
import io.jwtsidecar.revocation.EventRecord;
import io.jwtsidecar.revocation.EventSignatureCheck;
import io.jwtsidecar.revocation.EventSigner;
import io.jwtsidecar.revocation.PublisherKey;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.testing.PublisherKeys;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeyLoader;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * Records of the revocation topic, which anyone with write access to it can fill: the codec
 * either decodes an event that re-encodes to itself or refuses with MalformedEventException, and
 * the reader turns every record into exactly one of an event or a dead letter, never an
 * exception (which would stop the feed on a poison pill), and only into an event the codec
 * accepted, under its own rule key, dated no further ahead of its record than allowed.
 */
class RevocationRecordFuzzTest {
    private static final String TOPIC = "jwt-revocations";

    private final EventCodec codec = new EventCodec();
    private final RecordReader unsigned = new RecordReader(TOPIC, codec, EventSignatureCheck.none());
    private final RecordReader signed;

    RevocationRecordFuzzTest() {
        PublisherKeys ops = PublisherKeys.ed25519("ops-ed");
        PublisherKey trusted = new PublisherKey(ops.kid(),
                StaticKeyLoader.pem(ops.kid(), JwsAlgorithm.valueOf(ops.alg()), ops.publicPem()), PublisherKey.Trust.CURRENT);
        signed = new RecordReader(TOPIC, codec, new EventSignatureCheck(List.of(trusted), true));
    }

    @FuzzTest(maxDuration = "2s")
    void everyRecordIsAnEventOrADeadLetter(FuzzedDataProvider data) {
        boolean signatures = data.consumeBoolean();
        boolean keyFromEvent = data.consumeBoolean();
        long timestamp = data.consumeLong();
        RecordHeaders headers = new RecordHeaders();
        int signatureHeaders = data.consumeInt(0, 2);
        for (int i = 0; i < signatureHeaders; i++) {
            headers.add(EventSigner.HEADER, data.consumeBytes(256));
        }
        byte[] key = keyFromEvent ? null : data.consumeBytes(128);
        byte[] value = data.consumeRemainingAsBytes();

        RevocationEvent decoded = decodeChecked(value);
        if (keyFromEvent && decoded != null) {
            key = decoded.key().toBytes();
        }
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(TOPIC, 0, 42, timestamp,
                TimestampType.CREATE_TIME, -1, -1, key, value, headers, Optional.empty());

        RecordReader.Read read = (signatures ? signed : unsigned).read(record);

        assertThat(read.event() == null).as("exactly one of event and dead letter").isNotEqualTo(read.deadLetter() == null);
        if (read.event() != null) {
            RevocationEvent e = read.event().event();
            assertThat(e).isEqualTo(decoded);
            assertThat(key).isNotNull();
            assertThat(Arrays.equals(key, e.key().toBytes())).isTrue();
            assertThat(e.at() - Math.floorDiv(timestamp, 1000L)).isLessThanOrEqualTo(EventRecord.maxAheadSeconds(e.type()));
        } else {
            assertThat(read.deadLetter().reason()).isNotNull();
            assertThat(read.deadLetter().value()).isEqualTo(value);
        }
    }

    /** The codec's contract: an event that survives its own encoding, or MalformedEventException. */
    private RevocationEvent decodeChecked(byte[] value) {
        RevocationEvent decoded;
        try {
            decoded = codec.decode(value);
        } catch (MalformedEventException refused) {
            assertThat(refused.getMessage()).isNotNull();
            return null;
        }
        try {
            assertThat(codec.decode(codec.encode(decoded))).isEqualTo(decoded);
        } catch (MalformedEventException e) {
            throw new AssertionError("an accepted event does not read back after encoding: " + decoded, e);
        }
        assertThat(decoded.expiresAt()).isGreaterThanOrEqualTo(decoded.at());
        return decoded;
    }
}
