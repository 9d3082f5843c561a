package io.jwtsidecar.feed;

import io.jwtsidecar.revocation.DeadLetter;
import io.jwtsidecar.revocation.EventCodec.MalformedEventException;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.EventRecord;
import io.jwtsidecar.revocation.EventSignatureCheck;
import io.jwtsidecar.revocation.EventSigner;
import io.jwtsidecar.revocation.PublisherKey;
import io.jwtsidecar.revocation.RevocationEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;

/**
 * Turns one record of the revocation topic into an event to apply, or a dead letter saying why
 * not: the value must decode as an event ({@link EventCodec}), the record key must be the
 * event's rule key (else compaction could drop a live rule), and the signature must verify
 * ({@link EventSignatureCheck}); a restore signed by a key marked compromised does not count; and
 * the event must not be dated further after the record's timestamp than
 * {@link EventRecord#maxAheadSeconds} allows (600 s for a revoke, 300 s for a restore).
 * Stateless; thread-safe.
 */
final class RecordReader {
    private final String topic;
    private final EventCodec codec;
    private final EventSignatureCheck signatures;

    /** Exactly one of the two is set. */
    record Read(@Nullable EventRecord event, @Nullable DeadLetter deadLetter) {
    }

    RecordReader(String topic, EventCodec codec, EventSignatureCheck signatures) {
        this.topic = topic;
        this.codec = codec;
        this.signatures = signatures;
    }

    Read read(ConsumerRecord<byte[], byte[]> r) {
        try {
            RevocationEvent event = codec.decode(r.value());
            if (r.key() == null || !Arrays.equals(r.key(), event.key().toBytes())) {
                throw new MalformedEventException("record key is not the rule key " + event.key());
            }
            String signer = signatures.check(topic, r.key(), r.value(), signatureHeaders(r));
            if (event.type() == RevocationEvent.Type.RESTORE
                    && signatures.trustOf(signer) == PublisherKey.Trust.COMPROMISED) {
                throw new MalformedEventException("signature: publisher key '" + signer + "' is marked compromised: its "
                        + "revokes still count, its restores do not");
            }
            long recordSecond = Math.floorDiv(r.timestamp(), 1000L);
            long maxAhead = EventRecord.maxAheadSeconds(event.type());
            if (event.at() - recordSecond > maxAhead) {
                throw new MalformedEventException("at: " + event.at() + " is more than " + maxAhead + " s after the "
                        + "record's timestamp (" + r.timestamp() + " ms): a " + event.type().name().toLowerCase(
                        Locale.ROOT) + " may not be dated that far ahead");
            }
            return new Read(new EventRecord(event, r.timestamp(), signer), null);
        } catch (MalformedEventException e) {
            return new Read(null, new DeadLetter(r.partition(), r.offset(), r.timestamp(), r.key(), r.value(),
                    e.reason()));
        }
    }

    private static List<byte[]> signatureHeaders(ConsumerRecord<byte[], byte[]> r) {
        List<byte[]> values = new ArrayList<>(1);
        for (Header h : r.headers().headers(EventSigner.HEADER)) {
            values.add(h.value());
        }
        return values;
    }
}
