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
 * @param unreadable  rule keys whose newest record in this batch was dead-lettered, with that
 *                    record's timestamp: the topic's newest record of each no longer says what
 *                    is stored (compaction would keep it and drop the good one), so the stored
 *                    state's provenance is marked not current and the admin plane re-publishes it
 */
public record StoreBatch(String topic, List<EventRecord> records, List<DeadLetter> deadLetters,
                         Map<Integer, Long> nextOffsets, long nowSeconds, Map<RuleKey, Long> unreadable) {
    public StoreBatch {
        records = List.copyOf(records);
        deadLetters = List.copyOf(deadLetters);
        nextOffsets = Map.copyOf(nextOffsets);
        unreadable = Map.copyOf(unreadable);
    }

    /** A batch in which no dead letter was the newest record of a rule key. */
    public StoreBatch(String topic, List<EventRecord> records, List<DeadLetter> deadLetters,
                      Map<Integer, Long> nextOffsets, long nowSeconds) {
        this(topic, records, deadLetters, nextOffsets, nowSeconds, Map.of());
    }

    /** A batch of unsigned events without record timestamps, for tests and tools. */
    public static StoreBatch of(String topic, List<RevocationEvent> events, Map<Integer, Long> nextOffsets,
                                long nowSeconds) {
        return new StoreBatch(topic, events.stream().map(EventRecord::unsigned).toList(), List.of(), nextOffsets,
                nowSeconds);
    }
}
