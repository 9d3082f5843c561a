package io.jwtsidecar.feed;

import io.opentelemetry.api.trace.SpanContext;

/**
 * Where an acknowledged revocation event landed.
 *
 * @param eventId     the event's id
 * @param partition   topic partition
 * @param offset      offset within the partition
 * @param timestamp   the record's Kafka timestamp, wall-clock millis
 * @param publishSpan the publish span, for the log lines about this publish; invalid with tracing off
 */
public record PublishReceipt(String eventId, int partition, long offset, long timestamp, SpanContext publishSpan) {

    /** A receipt of an untraced publish. */
    public PublishReceipt(String eventId, int partition, long offset, long timestamp) {
        this(eventId, partition, offset, timestamp, SpanContext.getInvalid());
    }

    public EventPosition position() {
        return new EventPosition(partition, offset, timestamp);
    }
}
