package io.jwtsidecar.revocation;

import java.util.List;
import java.util.Map;

/**
 * Everything one poll of the feed produced, applied atomically: valid events in topic order,
 * dead letters, and the next offset to read per partition.
 *
 * @param topic       the topic the offsets belong to
 * @param records     events to apply, in order, with their records' facts
 * @param deadLetters records that could not be applied
 * @param nextOffsets partition → next offset to read
 * @param nowSeconds  the wall clock when the batch is applied, epoch seconds: an event whose
 *                    expiry is already past changes nothing
 */
public record StoreBatch(String topic, List<EventRecord> records, List<DeadLetter> deadLetters,
                         Map<Integer, Long> nextOffsets, long nowSeconds) {
    public StoreBatch {
        records = List.copyOf(records);
        deadLetters = List.copyOf(deadLetters);
        nextOffsets = Map.copyOf(nextOffsets);
    }

    /** A batch of unsigned events without record timestamps, for tests and tools. */
    public static StoreBatch of(String topic, List<RevocationEvent> events, Map<Integer, Long> nextOffsets,
                                long nowSeconds) {
        return new StoreBatch(topic, events.stream().map(EventRecord::unsigned).toList(), List.of(), nextOffsets,
                nowSeconds);
    }
}
