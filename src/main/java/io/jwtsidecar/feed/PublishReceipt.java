package io.jwtsidecar.feed;

/**
 * Where an acknowledged revocation event landed.
 *
 * @param eventId   the event's id
 * @param partition topic partition
 * @param offset    offset within the partition
 */
public record PublishReceipt(String eventId, int partition, long offset) {
}
