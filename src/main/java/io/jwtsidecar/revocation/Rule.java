package io.jwtsidecar.revocation;

import org.jspecify.annotations.Nullable;

/**
 * A live revocation rule as stored.
 *
 * @param key       what it matches
 * @param at        rule time, epoch seconds
 * @param expiresAt epoch seconds after which no token it could block is still valid;
 *                  {@link #PERMANENT} for a rule that holds until restored (scope {@code kid})
 * @param eventId   the event that last changed it
 */
public record Rule(RuleKey key, long at, long expiresAt, String eventId) {
    /** The {@code expiresAt} of a rule that never expires by time: a key rule holds until restored. */
    public static final long PERMANENT = Long.MAX_VALUE;

    /** Whether a token with this {@code iat} (null when absent) is blocked by this rule. */
    public boolean blocks(@Nullable Long issuedAt, long clockSkewSeconds) {
        if (!key.scope().timeBased()) {
            return true;
        }
        // Fail closed: no iat, or an iat within the skew after the rule time, counts as "before".
        if (issuedAt == null) {
            return true;
        }
        // iat - skew <= at, as iat <= at + skew without wrapping: "iat - skew" wrapped for an iat
        // near Long.MIN_VALUE and let such a token escape every time-based rule. When at + skew
        // leaves the range of a long, every iat is below it (positive skew) or none is (negative).
        long bound = at + clockSkewSeconds;
        if (((at ^ bound) & (clockSkewSeconds ^ bound)) < 0) {
            return clockSkewSeconds > 0;
        }
        return issuedAt <= bound;
    }

    /** Whether this rule holds until restored, whatever the clock says. */
    public boolean permanent() {
        return expiresAt == PERMANENT;
    }
}
