package io.jwtsidecar.revocation;

import java.util.Objects;

/**
 * A decoded event together with the facts of the record that carried it.
 *
 * @param event        the event
 * @param recordMillis the record's Kafka timestamp
 * @param signer       the {@code kid} of the publisher key whose signature was verified, or
 *                     {@link Provenance#UNSIGNED}
 */
public record EventRecord(RevocationEvent event, long recordMillis, String signer) {
    /**
     * How far an event's {@code at} may lie after its record's timestamp; the feed dead-letters an
     * event dated later. A token issued further ahead is refused as issued in the future anyway (no
     * issuer's skew may exceed ten minutes), and an event dated far ahead would otherwise freeze its
     * key: no restore could be later than it. Judged against the record, not the reader's clock, so
     * every sidecar, reading now or replaying next year, decides the same.
     */
    public static final long MAX_AHEAD_SECONDS = 600;

    public EventRecord {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(signer, "signer");
    }

    /** An unsigned event, for tests and tools. */
    public static EventRecord unsigned(RevocationEvent event) {
        return new EventRecord(event, 0, Provenance.UNSIGNED);
    }
}
