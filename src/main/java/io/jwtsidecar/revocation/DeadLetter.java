package io.jwtsidecar.revocation;

import org.jspecify.annotations.Nullable;

/**
 * A topic record that could not be applied, as the feed hands it to the store: where it came
 * from, why it failed, and its raw bytes (the store keeps only a bounded prefix of them).
 *
 * @param partition    topic partition
 * @param offset       record offset
 * @param recordMillis the record's Kafka timestamp
 * @param key          raw record key, may be null
 * @param value        raw record value, may be null
 * @param reason       what was wrong with it
 */
public record DeadLetter(int partition, long offset, long recordMillis, byte @Nullable [] key, byte @Nullable [] value,
                         String reason) {
}
