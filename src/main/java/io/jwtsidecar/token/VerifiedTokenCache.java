package io.jwtsidecar.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.jwtsidecar.token.keys.IssuerKeys;
import java.time.Clock;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Tokens whose signature and clock-independent claims already passed, so a token seen again
 * skips parsing and the signature check. It never skips the rest: on every hit the time claims
 * are checked against the clock and the revocation check runs.
 *
 * <ul>
 *   <li><b>Keyed by the whole token text</b>, compared for equality: no hash collision can
 *       make one token pass for another ({@link TokenKey}).</li>
 *   <li><b>Invalidated by key changes:</b> an entry remembers the {@link IssuerKeys} instance it
 *       was verified with, and counts only while that is still the issuer's current set.</li>
 *   <li><b>Bounded</b> by an approximate byte budget (Caffeine's size-based eviction); entries
 *       also leave at the token's expiry.</li>
 * </ul>
 * Thread-safe (Caffeine).
 */
final class VerifiedTokenCache {
    /** Rough per-entry overhead besides the token characters, in bytes. */
    private static final int ENTRY_OVERHEAD = 400;

    /**
     * What a hit needs to finish verification.
     *
     * @param keys the key set the signature was checked with
     */
    record Entry(IssuerPolicy policy, IssuerKeys keys, VerifiedToken token, TimeClaims times) {
    }

    private final Cache<TokenKey, Entry> cache;

    /**
     * The cache key: equal only to the very same token text, but hashed over its last
     * {@value #HASHED_CHARS} characters (the end of the signature) instead of all of them.
     * String.hashCode over a whole token was a third of the cost of a hit. Only verified tokens
     * are inserted, so no one can fill a bucket with tokens crafted to share an ending.
     */
    static final class TokenKey {
        static final int HASHED_CHARS = 64;
        private final String token;
        private final int hash;

        TokenKey(String token) {
            this.token = token;
            int h = 1;
            for (int i = Math.max(0, token.length() - HASHED_CHARS); i < token.length(); i++) {
                h = 31 * h + token.charAt(i);
            }
            this.hash = h;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TokenKey && ((TokenKey) o).hash == hash && ((TokenKey) o).token.equals(token);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    VerifiedTokenCache(long maxBytes, Clock clock) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                // Eviction work on the calling thread: cheap, and no hidden ForkJoinPool tasks.
                .executor(Runnable::run)
                // The parsed claims (ClaimValues) take about four times their JSON: nodes, map entries, strings.
                .weigher((TokenKey key, Entry e) -> 2 * key.token.length() + 5 * e.token().claimsJson().length
                        + e.token().identity().estimatedSize() + ENTRY_OVERHEAD)
                .expireAfter(Expiry.creating((TokenKey key, Entry e) -> {
                    double secondsLeft = e.times().exp() + e.policy().clockSkew().toSeconds() - clock.millis() / 1000.0;
                    return Duration.ofMillis((long) Math.max(0, secondsLeft * 1000));
                }))
                .build();
    }

    /** The entry for this exact token, if its keys are still the issuer's current ones. */
    @Nullable Entry get(String token) {
        Entry e = cache.getIfPresent(new TokenKey(token));
        if (e == null || e.keys() != e.policy().keys().current()) {
            return null;
        }
        return e;
    }

    void put(String token, Entry entry) {
        cache.put(new TokenKey(token), entry);
    }

    /** Approximate number of cached tokens. */
    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
