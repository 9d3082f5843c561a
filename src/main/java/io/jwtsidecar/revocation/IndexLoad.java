package io.jwtsidecar.revocation;

/**
 * How an open filled the Bloom index: from a checkpoint plus the write-ahead log after it, or by
 * scanning every rule, and why.
 *
 * @param fromCheckpoint whether a checkpoint was used (else every rule was scanned)
 * @param checkpointSequence the sequence number the checkpoint covered; -1 when scanned
 * @param tailKeys rule keys added from the write-ahead log after the checkpoint
 * @param reason why the checkpoint was not used; empty when it was
 * @param millis how long filling the index took
 */
public record IndexLoad(boolean fromCheckpoint, long checkpointSequence, long tailKeys, String reason, long millis) {
}
