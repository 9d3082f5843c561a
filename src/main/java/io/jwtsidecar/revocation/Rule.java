package io.jwtsidecar.revocation;

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
    public boolean blocks(Long issuedAt, long clockSkewSeconds) {
        if (!key.scope().timeBased()) {
            return true;
        }
        // Fail closed: no iat, or an iat within the skew after the rule time, counts as "before".
        return issuedAt == null || issuedAt - clockSkewSeconds <= at;
    }

    /** Whether this rule holds until restored, whatever the clock says. */
    public boolean permanent() {
        return expiresAt == PERMANENT;
    }
}
