package io.jwtsidecar.revocation;

import java.util.List;
import java.util.Map;

/**
 * Everything one poll of the feed produced, applied atomically: valid events in topic order,
 * dead letters, and the next offset to read per partition.
 *
 * @param topic       the topic the offsets belong to
 * @param events      events to apply, in order
 * @param deadLetters records that could not be applied
 * @param nextOffsets partition → next offset to read
 */
public record StoreBatch(String topic, List<RevocationEvent> events, List<DeadLetter> deadLetters,
                         Map<Integer, Long> nextOffsets) {
    public StoreBatch {
        events = List.copyOf(events);
        deadLetters = List.copyOf(deadLetters);
        nextOffsets = Map.copyOf(nextOffsets);
    }
}
