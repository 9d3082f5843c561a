package io.jwtsidecar.revocation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A live revocation rule as stored.
 *
 * @param key       what it matches
 * @param at        rule time, epoch seconds
 * @param expiresAt epoch seconds after which no token it could block is still valid
 * @param eventId   the event that created it
 */
public record Rule(RuleKey key, long at, long expiresAt, String eventId) {

    /** Whether a token with this {@code iat} (null when absent) is blocked by this rule. */
    public boolean blocks(Long issuedAt, long clockSkewSeconds) {
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

    byte[] valueBytes() {
        byte[] id = eventId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(16 + id.length).putLong(at).putLong(expiresAt).put(id).array();
    }

    /** Reads only {@code expiresAt} from a stored value (the sweep reads every rule). */
    static long expiresAt(byte[] value) {
        return ByteBuffer.wrap(value, 8, 8).getLong();
    }

    static Rule fromValueBytes(RuleKey key, byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        long at = b.getLong();
        long expiresAt = b.getLong();
        return new Rule(key, at, expiresAt, new String(value, 16, value.length - 16, StandardCharsets.UTF_8));
    }
}
