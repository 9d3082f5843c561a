package io.jwtsidecar.revocation;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * A split-block Bloom filter over 64-bit key hashes: the bit array is cut into 64-byte blocks of
 * eight 64-bit words, the high half of a hash picks the block and its low half sets one bit in
 * each of the eight words (bit {@code (low * SALT[i]) >>> 26} of word i, multiplicative hashing
 * as in Apache Parquet's and Impala's filters). All of a key's bits are in one block, so a probe
 * costs one memory access (a 64-byte block may straddle two adjacent cache lines, fetched
 * together) where a classic filter of this size costs one cache miss per bit it reads.
 *
 * <p><b>Invariant: never a false negative.</b> Bits are only ever set, each with an atomic
 * {@code getAndBitwiseOr}, never a plain read-modify-write that could lose another thread's bit.
 * That is a volatile write, so whatever the adding thread does next (the store's RocksDB write)
 * happens after the bits are visible; readers read words with acquire loads and take no lock.
 *
 * <p><b>The price of blocking, and the sizing that pays it.</b> Keys do not spread evenly over
 * blocks: a block holds a Poisson-distributed number of keys around the mean {@code λ = n /
 * blocks}, and the crowded blocks answer yes more often. With k = 8 bits per key the false
 * positive rate is
 * <pre>  fpp(λ) = Σ_j Poisson(λ, j) · (1 − (63/64)^j)^8</pre>
 * which at the classic filter's optimum of {@code -ln p / (ln 2)^2} bits per key (14.4 bits, λ =
 * 35.6 at p = 0.1 %) is 0.16 %, 1.6 times the target. {@link #blocksFor} therefore adds blocks
 * until {@code fpp(n / blocks) <= p}: at p = 0.1 % that is 15.8 bits per key (0.098 %), 19.7 MB
 * for ten million keys where Guava's classic filter takes 18.0 MB. Past the design size the rate rises
 * ({@link #expectedFalsePositiveRate} estimates it from the bits actually set); answers stay
 * correct.
 *
 * <p>Thread-safe: any number of threads may add and query at once.
 */
final class BlockedBloomFilter {
    static final int WORDS_PER_BLOCK = 8;
    static final int BLOCK_BYTES = WORDS_PER_BLOCK * Long.BYTES;
    /** Java arrays hold at most about 2^31 elements. */
    static final long MAX_BLOCKS = (Integer.MAX_VALUE - 8) / WORDS_PER_BLOCK;
    /** Parquet's split-block salts: odd constants, one per word of a block. */
    private static final int SALT0 = 0x47b6137b;
    private static final int SALT1 = 0x44974d91;
    private static final int SALT2 = 0x8824ad5b;
    private static final int SALT3 = 0xa2b7289d;
    private static final int SALT4 = 0x705495c7;
    private static final int SALT5 = 0x2df1424b;
    private static final int SALT6 = 0x9efc4947;
    private static final int SALT7 = 0x5c6bfb31;
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int CHUNK_WORDS = 1024;

    private final long[] words;
    private final int blocks;
    private final long designSize;
    private final double designFalsePositiveRate;
    /** Bits set so far, counted by the thread that set each: the fill behind the rate estimate. */
    private final LongAdder bitsSet = new LongAdder();

    private BlockedBloomFilter(int blocks, long designSize, double designFalsePositiveRate) {
        this.words = new long[blocks * WORDS_PER_BLOCK];
        this.blocks = blocks;
        this.designSize = designSize;
        this.designFalsePositiveRate = designFalsePositiveRate;
    }

    /**
     * A filter holding {@code designSize} keys at a false-positive rate of at most
     * {@code falsePositiveRate}.
     *
     * @throws IllegalArgumentException when the size is not positive, the rate not in (0, 1), or
     *     the filter would not fit in one array
     */
    static BlockedBloomFilter create(long designSize, double falsePositiveRate) {
        return new BlockedBloomFilter(blocksFor(designSize, falsePositiveRate), designSize, falsePositiveRate);
    }

    /** The fewest blocks for which {@link #falsePositiveRate} at {@code n} keys is at most {@code p}. */
    static int blocksFor(long n, double p) {
        if (n <= 0) {
            throw new IllegalArgumentException("Bloom filter design size must be positive: " + n);
        }
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("Bloom filter false-positive rate must be in (0, 1): " + p);
        }
        // Start from the unblocked optimum, then grow in steps of about 1.5 %.
        double bitsPerKey = -Math.log(p) / (Math.log(2) * Math.log(2));
        long blocks = Math.max(1, (long) Math.ceil(n * bitsPerKey / (BLOCK_BYTES * 8)));
        while (falsePositiveRate((double) n / blocks) > p) {
            blocks += Math.max(1, blocks / 64);
            if (blocks > MAX_BLOCKS) {
                throw new IllegalArgumentException("a Bloom filter for " + n + " keys at a false-positive rate of " + p
                        + " would not fit in one array");
            }
        }
        return (int) blocks;
    }

    /** The false-positive rate with {@code keysPerBlock} keys per block on average (the formula above). */
    static double falsePositiveRate(double keysPerBlock) {
        double lambda = keysPerBlock;
        if (lambda <= 0) {
            return 0;
        }
        double wordMiss = Math.log(63.0 / 64.0);
        // Poisson terms in log space (no underflow for large λ), over λ ± 12 standard deviations.
        double spread = 12 * Math.sqrt(lambda) + 20;
        long from = (long) Math.max(0, Math.floor(lambda - spread));
        long to = (long) Math.ceil(lambda + spread);
        double logFactorial = 0;
        for (long j = 2; j <= from; j++) {
            logFactorial += Math.log(j);
        }
        double sum = 0;
        for (long j = from; j <= to; j++) {
            if (j > from) {
                logFactorial += Math.log(j);
            }
            double poisson = Math.exp(-lambda + j * Math.log(lambda) - logFactorial);
            sum += poisson * Math.pow(1 - Math.exp(j * wordMiss), WORDS_PER_BLOCK);
        }
        return Math.min(1, sum);
    }

    void put(long hash) {
        int base = blockBase(hash);
        int low = (int) hash;
        setBit(base, SALT0 * low);
        setBit(base + 1, SALT1 * low);
        setBit(base + 2, SALT2 * low);
        setBit(base + 3, SALT3 * low);
        setBit(base + 4, SALT4 * low);
        setBit(base + 5, SALT5 * low);
        setBit(base + 6, SALT6 * low);
        setBit(base + 7, SALT7 * low);
    }

    private void setBit(int index, int salted) {
        long bit = 1L << (salted >>> 26);
        // The read spares the atomic write (and its cache-line ownership) when the bit is already set.
        if (((long) WORD.getAcquire(words, index) & bit) == 0
                && ((long) WORD.getAndBitwiseOr(words, index, bit) & bit) == 0) {
            bitsSet.increment();
        }
    }

    boolean mightContain(long hash) {
        return test(blockBase(hash), (int) hash);
    }

    /**
     * Which of {@code hashes[from .. from + 64)} (up to {@code count}) might have been added: bit
     * {@code i} of the result stands for {@code hashes[from + i]}. All block addresses are computed
     * before the first word is read, so the probes' cache misses overlap instead of queueing.
     */
    long mightContainEach(long[] hashes, int from, int count) {
        int n = Math.min(count - from, Long.SIZE);
        int[] bases = new int[n];
        for (int i = 0; i < n; i++) {
            bases[i] = blockBase(hashes[from + i]);
        }
        long result = 0;
        for (int i = 0; i < n; i++) {
            if (test(bases[i], (int) hashes[from + i])) {
                result |= 1L << i;
            }
        }
        return result;
    }

    /** All eight words are read without an early exit: they share a block, so one miss brings them all. */
    private boolean test(int base, int low) {
        long missing = ~(long) WORD.getAcquire(words, base) & (1L << ((SALT0 * low) >>> 26));
        missing |= ~(long) WORD.getAcquire(words, base + 1) & (1L << ((SALT1 * low) >>> 26));
        missing |= ~(long) WORD.getAcquire(words, base + 2) & (1L << ((SALT2 * low) >>> 26));
        missing |= ~(long) WORD.getAcquire(words, base + 3) & (1L << ((SALT3 * low) >>> 26));
        missing |= ~(long) WORD.getAcquire(words, base + 4) & (1L << ((SALT4 * low) >>> 26));
        missing |= ~(long) WORD.getAcquire(words, base + 5) & (1L << ((SALT5 * low) >>> 26));
        missing |= ~(long) WORD.getAcquire(words, base + 6) & (1L << ((SALT6 * low) >>> 26));
        missing |= ~(long) WORD.getAcquire(words, base + 7) & (1L << ((SALT7 * low) >>> 26));
        return missing == 0;
    }

    /** The first word of the hash's block: the high 32 bits scaled to the block count (no modulo). */
    private int blockBase(long hash) {
        return (int) (((hash >>> 32) * blocks) >>> 32) * WORDS_PER_BLOCK;
    }

    long designSize() {
        return designSize;
    }

    double designFalsePositiveRate() {
        return designFalsePositiveRate;
    }

    int blocks() {
        return blocks;
    }

    long sizeInBytes() {
        return (long) blocks * BLOCK_BYTES;
    }

    /**
     * The false-positive rate now: the keys per block that would set the bits set so far
     * (duplicates set none), put through the formula above.
     */
    double expectedFalsePositiveRate() {
        double fill = bitsSet.sum() / ((double) words.length * Long.SIZE);
        if (fill >= 1) {
            return 1;
        }
        return falsePositiveRate(Math.log1p(-fill) / Math.log(63.0 / 64.0));
    }

    /** Streams the filter in chunks, so saving never holds a second copy of the bit array. */
    void writeTo(DataOutputStream out) throws IOException {
        out.writeLong(designSize);
        out.writeDouble(designFalsePositiveRate);
        out.writeInt(blocks);
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_WORDS * Long.BYTES);
        for (int i = 0; i < words.length; i += CHUNK_WORDS) {
            chunk.clear();
            int end = Math.min(words.length, i + CHUNK_WORDS);
            for (int w = i; w < end; w++) {
                chunk.putLong((long) WORD.getOpaque(words, w));
            }
            out.write(chunk.array(), 0, chunk.position());
        }
    }

    /**
     * @param in a stream that knows how many bytes it holds ({@link DataInputStream#available()}):
     *     the checkpoint is read into memory first
     * @throws IOException when the stream ends early or does not describe a filter
     */
    static BlockedBloomFilter readFrom(DataInputStream in) throws IOException {
        long designSize = in.readLong();
        double rate = in.readDouble();
        int blocks = in.readInt();
        if (designSize <= 0 || !(rate > 0 && rate < 1) || blocks <= 0 || blocks > MAX_BLOCKS) {
            throw new IOException("not a Bloom filter: design size " + designSize + ", rate " + rate + ", blocks "
                    + blocks);
        }
        // A damaged or forged count must not allocate (up to 16 GB) before the short read is noticed.
        if ((long) blocks * BLOCK_BYTES > in.available()) {
            throw new IOException("Bloom filter of " + blocks + " blocks, but only " + in.available() + " bytes follow");
        }
        BlockedBloomFilter filter = new BlockedBloomFilter(blocks, designSize, rate);
        byte[] chunk = new byte[CHUNK_WORDS * Long.BYTES];
        ByteBuffer view = ByteBuffer.wrap(chunk);
        long bits = 0;
        for (int i = 0; i < filter.words.length; i += CHUNK_WORDS) {
            int end = Math.min(filter.words.length, i + CHUNK_WORDS);
            in.readFully(chunk, 0, (end - i) * Long.BYTES);
            view.clear();
            for (int w = i; w < end; w++) {
                long word = view.getLong();
                filter.words[w] = word;
                bits += Long.bitCount(word);
            }
        }
        filter.bitsSet.add(bits);
        return filter;
    }
}
