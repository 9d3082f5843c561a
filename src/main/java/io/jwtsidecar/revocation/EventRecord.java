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
    public EventRecord {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(signer, "signer");
    }

    /** An unsigned event, for tests and tools. */
    public static EventRecord unsigned(RevocationEvent event) {
        return new EventRecord(event, 0, Provenance.UNSIGNED);
    }
}
