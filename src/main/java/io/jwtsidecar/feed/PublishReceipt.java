package io.jwtsidecar.feed;

/**
 * Where an acknowledged revocation event landed.
 *
 * @param eventId   the event's id
 * @param partition topic partition
 * @param offset    offset within the partition
 * @param timestamp the record's Kafka timestamp, wall-clock millis
 */
public record PublishReceipt(String eventId, int partition, long offset, long timestamp) {

    public EventPosition position() {
        return new EventPosition(partition, offset, timestamp);
    }
}
