package io.jwtsidecar.feed;

/**
 * Where an event sits in the revocation topic.
 *
 * @param partition topic partition
 * @param offset    offset in the partition
 * @param timestamp the record's Kafka timestamp, wall-clock millis
 */
public record EventPosition(int partition, long offset, long timestamp) {
}
