package io.jwtsidecar.revocation;

import com.google.common.hash.BloomFilter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-heap Bloom filter over the keys of every live rule, consulted before RocksDB so the
 * common case (a token nobody revoked) costs a few hashes instead of a JNI call per scope.
 *
 * <p><b>Invariant: never a false negative.</b> The store adds a key before the write that stores
 * its rule, and keys are never removed (restores and expiries leave their bits set), so every
 * rule present in the store is in the filter. A false positive only costs one RocksDB lookup.
 *
 * <p><b>Sizing:</b> Guava's {@link BloomFilter} picks the bit count
 * {@code m = -n ln p / (ln 2)^2} and {@code k = m/n ln 2} hash functions for the design size
 * {@code n} and false-positive probability {@code p}: about 1.8 MB per million keys at 0.1 %
 * (18 MB for ten million). Past the design size the false-positive rate degrades but never
 * yields a false negative; the store then rebuilds a larger filter.
 *
 * <p><b>Rebuilds:</b> expired and restored rules leave stale bits, so the store periodically
 * builds a fresh filter from its live rules and swaps it in (see
 * {@link RocksDbRevocationStore#rebuildIndex()}).
 *
 * <p>Thread-safe: Guava's filter supports concurrent {@code put} and {@code mightContain}
 * without locks.
 */
final class RevocationIndex {
    private final BloomFilter<RuleKey> filter;
    private final long designSize;
    private final double designFalsePositiveRate;
    /**
     * One bit per scope that has ever had a key added. A token's check skips the scopes nobody
     * revokes by: each probe of a filter this size is a cache miss or two, and most deployments
     * revoke by one or two scopes. Set before the key's bits, so it never hides a key.
     */
    private final AtomicInteger scopesPresent = new AtomicInteger();

    RevocationIndex(long designSize, double falsePositiveRate) {
        this(BloomFilter.create(RuleKey.FUNNEL, designSize, falsePositiveRate), designSize, falsePositiveRate);
    }

    private RevocationIndex(BloomFilter<RuleKey> filter, long designSize, double falsePositiveRate) {
        this.filter = filter;
        this.designSize = designSize;
        this.designFalsePositiveRate = falsePositiveRate;
    }

    void add(RuleKey key) {
        int bit = 1 << key.scope().ordinal();
        if ((scopesPresent.get() & bit) == 0) {
            scopesPresent.getAndUpdate(m -> m | bit);
        }
        filter.put(key);
    }

    /** Whether any key of this scope was ever added: when not, no rule of it can be live. */
    boolean mayHaveScope(RevocationScope scope) {
        return (scopesPresent.get() & (1 << scope.ordinal())) != 0;
    }

    boolean mightContain(RuleKey key) {
        return mayHaveScope(key.scope()) && filter.mightContain(key);
    }

    /** Guava's estimate of the current false-positive probability. */
    double expectedFalsePositiveRate() {
        return filter.expectedFpp();
    }

    long designSize() {
        return designSize;
    }

    /** Bytes of the bit array (the filter's whole footprint, give or take a few objects). */
    long sizeInBytes() {
        double bits = -designSize * Math.log(designFalsePositiveRate) / (Math.log(2) * Math.log(2));
        return (long) Math.ceil(bits / 8);
    }

    void writeTo(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeLong(designSize);
        data.writeDouble(designFalsePositiveRate);
        data.writeInt(scopesPresent.get());
        data.flush();
        filter.writeTo(out);
    }

    static RevocationIndex readFrom(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        long designSize = data.readLong();
        double fpp = data.readDouble();
        int scopes = data.readInt();
        RevocationIndex index = new RevocationIndex(BloomFilter.readFrom(in, RuleKey.FUNNEL), designSize, fpp);
        index.scopesPresent.set(scopes);
        return index;
    }
}
