package io.jwtsidecar.revocation;

import org.jspecify.annotations.Nullable;

/**
 * A dead letter as the store keeps it: bounded. A poison pill of any size costs at most
 * {@link DeadLetterBudget#PREFIX_BYTES} of its key and of its value, plus its SHA-256, so a flood
 * of large records cannot fill the disk or an admin's answer.
 *
 * @param id           position in the order the store received dead letters (the paging cursor)
 * @param partition    topic partition
 * @param offset       record offset
 * @param recordMillis the record's Kafka timestamp
 * @param reason       what was wrong with it
 * @param keySize      the full key's size in bytes, -1 for a null key
 * @param valueSize    the full value's size in bytes, -1 for a null value
 * @param sha256       SHA-256 over the key length, key, value length and value as received
 * @param keyPrefix    at most the first {@link DeadLetterBudget#PREFIX_BYTES} bytes of the key, null for none
 * @param valuePrefix  at most the first {@link DeadLetterBudget#PREFIX_BYTES} bytes of the value, null for none
 */
public record KeptDeadLetter(long id, int partition, long offset, long recordMillis, String reason, int keySize,
                             int valueSize, byte[] sha256, byte @Nullable [] keyPrefix,
                             byte @Nullable [] valuePrefix) {

    /** Whether the key or value was cut to its prefix. */
    public boolean truncated() {
        return (keyPrefix != null && keyPrefix.length < keySize) || (valuePrefix != null && valuePrefix.length < valueSize);
    }
}
