package io.jwtsidecar.revocation;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-heap Bloom filter over the keys of every live rule, consulted before RocksDB so the
 * common case (a token nobody revoked) costs a few hashes and one memory access per scope instead
 * of a JNI call per scope.
 *
 * <p><b>Invariant: never a false negative.</b> The store adds a key before the write that stores
 * its rule, and keys are never removed (restores and expiries leave their bits set), so every
 * rule present in the store is in the filter. A false positive only costs one RocksDB lookup.
 *
 * <p><b>Sizing:</b> a {@link BlockedBloomFilter} (all of a key's bits in one 64-byte block) sized
 * so that its false-positive rate at the design size {@code n} is at most the configured
 * {@code p}: blocking costs about 10 % more memory than a classic filter for the same rate (19.7
 * MB for ten million keys at 0.1 %, against 18.0 MB), and makes a negative probe one memory
 * access. Past the design size the false-positive rate degrades but never yields a false
 * negative; the store then rebuilds a larger filter.
 *
 * <p><b>Hashing:</b> a key is one 64-bit {@link RuleKeyHash}; a token's check ({@link
 * #mightContainEach}) hashes its issuer once and each value once, and probes all its keys
 * together so their cache misses overlap.
 *
 * <p><b>Rebuilds:</b> expired and restored rules leave stale bits, so the store periodically
 * builds a fresh filter from its live rules and swaps it in (see
 * {@link RocksDbRevocationStore#rebuildIndex()}).
 *
 * <p>Thread-safe: concurrent adds and queries take no lock.
 */
final class RevocationIndex {
    private final BlockedBloomFilter filter;
    /**
     * One bit per scope that has ever had a key added. A token's check skips the scopes nobody
     * revokes by, and most deployments revoke by one or two scopes. Set before the key's bits, so
     * it never hides a key.
     */
    private final AtomicInteger scopesPresent;

    RevocationIndex(long designSize, double falsePositiveRate) {
        this(BlockedBloomFilter.create(designSize, falsePositiveRate), 0);
    }

    private RevocationIndex(BlockedBloomFilter filter, int scopesPresent) {
        this.filter = filter;
        this.scopesPresent = new AtomicInteger(scopesPresent);
    }

    void add(RuleKey key) {
        int bit = 1 << key.scope().ordinal();
        if ((scopesPresent.get() & bit) == 0) {
            scopesPresent.getAndUpdate(m -> m | bit);
        }
        filter.put(RuleKeyHash.of(key));
    }

    /** Whether any key of this scope was ever added: when not, no rule of it can be live. */
    boolean mayHaveScope(RevocationScope scope) {
        return (scopesPresent.get() & (1 << scope.ordinal())) != 0;
    }

    boolean mightContain(RuleKey key) {
        return mayHaveScope(key.scope()) && filter.mightContain(RuleKeyHash.of(key));
    }

    /**
     * Which of the probe's keys {@code from .. from + 63} might be held: bit {@code i} of the
     * result stands for key {@code from + i}. The probe holds only scopes this index has seen.
     */
    long mightContainEach(TokenProbe probe, int from) {
        return filter.mightContainEach(probe.hashes(), from, probe.count());
    }

    /** The filter's estimate of its current false-positive rate, from the bits set. */
    double expectedFalsePositiveRate() {
        return filter.expectedFalsePositiveRate();
    }

    long designSize() {
        return filter.designSize();
    }

    /** Bytes of the bit array (the filter's whole footprint, give or take a few objects). */
    long sizeInBytes() {
        return filter.sizeInBytes();
    }

    /** Streams the index out; never holds a second copy of the filter. */
    void writeTo(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(scopesPresent.get());
        filter.writeTo(data);
        data.flush();
    }

    /** @throws IOException when the stream ends early or does not hold an index */
    static RevocationIndex readFrom(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int scopes = data.readInt();
        return new RevocationIndex(BlockedBloomFilter.readFrom(data), scopes);
    }
}
