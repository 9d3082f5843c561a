package io.jwtsidecar.idp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The claim rules logout tokens and security event tokens share, in one place so that the two
 * receivers cannot read {@code aud} or a date differently.
 */
final class SignalClaims {
    private SignalClaims() {
    }

    /** {@code aud} is a string or an array of strings (RFC 7519 §4.1.3) naming one of {@code accepted}. */
    static boolean audienceNames(@Nullable JsonNode aud, Set<String> accepted) {
        if (aud == null) {
            return false;
        }
        if (aud.isTextual()) {
            return accepted.contains(aud.textValue());
        }
        if (!aud.isArray()) {
            return false;
        }
        boolean named = false;
        for (JsonNode a : aud) {
            if (!a.isTextual()) {
                return false;
            }
            named |= accepted.contains(a.textValue());
        }
        return named;
    }

    /** A NumericDate as signals must send it: whole, non-negative seconds (no fractions, no strings). */
    static boolean isEpochSeconds(@Nullable JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0;
    }
}
