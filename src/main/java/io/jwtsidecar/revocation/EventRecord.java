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
     * How far a revoke's {@code at} may lie after its record's timestamp; the feed dead-letters one
     * dated later. A token issued further ahead is refused as issued in the future anyway (no
     * issuer's skew may exceed ten minutes), and a rule dated far ahead would freeze its key: no
     * restore could be as late. Judged against the record, not the reader's clock, so every
     * sidecar, reading now or replaying next year, decides alike.
     */
    public static final long MAX_REVOKE_AHEAD_SECONDS = 600;
    /**
     * The same for a restore, half as far: a revoke can always be dated after any restore (and
     * a restore dated ahead cannot keep an admin from revoking again), while a restore of a rule
     * dated further ahead waits until it may be dated at that rule's time.
     */
    public static final long MAX_RESTORE_AHEAD_SECONDS = 300;

    /** How far an event of this type may be dated after its record's timestamp. */
    public static long maxAheadSeconds(RevocationEvent.Type type) {
        return type == RevocationEvent.Type.REVOKE ? MAX_REVOKE_AHEAD_SECONDS : MAX_RESTORE_AHEAD_SECONDS;
    }

    public EventRecord {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(signer, "signer");
    }

    /** An unsigned event, for tests and tools. */
    public static EventRecord unsigned(RevocationEvent event) {
        return new EventRecord(event, 0, Provenance.UNSIGNED);
    }
}
