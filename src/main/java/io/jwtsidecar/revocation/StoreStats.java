package io.jwtsidecar.revocation;

/**
 * A point-in-time view of the store, for readiness and metrics.
 *
 * @param liveRules          RocksDB's estimate of stored rules
 * @param indexDesignSize    the Bloom index's design size
 * @param indexBytes         the Bloom index's bit array, in bytes
 * @param indexFalsePositiveRate Guava's estimate of the index's current false-positive rate
 * @param deadLetters        dead letters kept
 */
public record StoreStats(long liveRules, long indexDesignSize, long indexBytes, double indexFalsePositiveRate,
                         long deadLetters) {
}
