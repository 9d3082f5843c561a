package io.jwtsidecar.revocation;

import java.util.Objects;

/**
 * What this sidecar knows of the newest record of a rule key on the topic: the record that
 * compaction keeps, and therefore what a sidecar reading the topic from the start will see.
 *
 * @param recordMillis the record's Kafka timestamp (0 when unknown: stored by an older release)
 * @param signer       the {@code kid} of the publisher key that signed it, or "" when unsigned
 * @param current      whether that record, read alone, gives the state stored here; false when it
 *                     changed nothing (a weaker or replayed event) or only part of the state,
 *                     so the topic no longer says what this sidecar enforces
 */
public record Provenance(long recordMillis, String signer, boolean current) {
    public static final String UNSIGNED = "";

    public Provenance {
        Objects.requireNonNull(signer, "signer");
    }

    /** The provenance of state written by a release that did not record it. */
    static Provenance unknown() {
        return new Provenance(0, UNSIGNED, true);
    }
}
