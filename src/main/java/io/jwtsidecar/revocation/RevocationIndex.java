package io.jwtsidecar.revocation;

import com.google.common.hash.BloomFilter;

/**
 * An in-heap Bloom filter over the keys of every live rule, consulted before RocksDB so the
 * common case (a token nobody revoked) costs a few hashes instead of a JNI call per scope.
 *
 * <p><b>Invariant: never a false negative.</b> A key is added before the write that stores its
 * rule, and keys are never removed (restores and expiries leave their bits set), so every rule
 * present in the store is in the filter. A false positive only costs one RocksDB lookup.
 *
 * <p><b>Sizing:</b> Guava's {@link BloomFilter} picks the bit count and hash count for the
 * configured expected insertions and false-positive probability (about 1.8 MB for a million
 * keys at 0.1 %). Past the expected count the false-positive rate degrades gracefully but never
 * yields a false negative. The filter is built from the store when the store opens.
 *
 * <p>Thread-safe: Guava's filter supports concurrent {@code put} and {@code mightContain}
 * without locks.
 */
final class RevocationIndex {
    private final BloomFilter<RuleKey> filter;

    RevocationIndex(long expectedRules, double falsePositiveRate) {
        this.filter = BloomFilter.create(RuleKey.FUNNEL, expectedRules, falsePositiveRate);
    }

    void add(RuleKey key) {
        filter.put(key);
    }

    boolean mightContain(RuleKey key) {
        return filter.mightContain(key);
    }

    /** Guava's estimate of the current false-positive probability. */
    double expectedFalsePositiveRate() {
        return filter.expectedFpp();
    }

    long approximateKeyCount() {
        return filter.approximateElementCount();
    }
}
