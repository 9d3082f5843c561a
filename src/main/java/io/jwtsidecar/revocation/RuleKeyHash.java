package io.jwtsidecar.revocation;

/**
 * The 64-bit hash of a {@link RuleKey} the Bloom index works with, built from three parts so a
 * revocation check hashes the token's issuer once and each claim value once, however many scopes
 * it probes: {@code key(scope, text(issuer), text(value))}.
 *
 * <p>{@link #text} reads the characters four at a time into 64-bit words and folds two words per
 * step with a 64×64→128-bit multiply (the "mum" step of wyhash), so a 36-character jti costs five
 * multiplies instead of a multiply per character; nothing is allocated. The hashes are not
 * collision-resistant: a collision, chosen or not, only makes a false positive of the filter,
 * which costs one RocksDB read and never hides a rule.
 *
 * <p>Pure functions, safe from any thread.
 */
final class RuleKeyHash {
    private static final long SEED = 0xa0761d6478bd642fL;
    private static final long P1 = 0xe7037ed1a0b428dbL;
    private static final long P2 = 0x8ebc6af09c88c6e3L;
    private static final long P3 = 0x589965cc75374cc3L;

    private RuleKeyHash() {
    }

    /** The hash of a whole key: what {@link RevocationIndex#add} stores. */
    static long of(RuleKey key) {
        return key(key.scope(), text(key.issuer()), text(key.value()));
    }

    /** Combines a scope with the {@link #text} hashes of an issuer and a value. */
    static long key(RevocationScope scope, long issuerHash, long valueHash) {
        return avalanche(mum(issuerHash ^ (P3 * (scope.ordinal() + 1)), valueHash ^ P1));
    }

    /** A 64-bit hash of the characters of {@code s}. */
    static long text(String s) {
        int n = s.length();
        long h = SEED ^ n;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            h = mum(fourChars(s, i) ^ P1 ^ h, fourChars(s, i + 4) ^ P2);
        }
        long a = 0;
        long b = 0;
        for (int j = 0; i + j < n; j++) {
            long c = s.charAt(i + j);
            if (j < 4) {
                a |= c << (16 * j);
            } else {
                b |= c << (16 * (j - 4));
            }
        }
        return mum(a ^ P1 ^ h, b ^ P2 ^ n);
    }

    private static long fourChars(String s, int i) {
        return s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32 | (long) s.charAt(i + 3) << 48;
    }

    /** Both halves of the 128-bit product folded together: every input bit reaches the middle bits. */
    private static long mum(long a, long b) {
        return a * b ^ Math.multiplyHigh(a, b);
    }

    /** Murmur3's fmix64: every input bit affects every output bit. */
    private static long avalanche(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
