package io.jwtsidecar.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The claims of a verified token, parsed once and kept with it in the verified-token cache, so
 * route policies and claim headers read values without parsing JSON per request. The scopes are
 * worked out on first use: most tokens never meet a route that asks. Safe to share between
 * threads: nothing here is modified after construction, and the lazy scope set is idempotent.
 */
public final class ClaimValues {
    private final ObjectNode claims;
    // Two threads may both compute it the first time: the same set, so the race is harmless.
    private volatile @Nullable Optional<Set<String>> scopes;

    /** @param claims the verified claims set; never modified afterwards */
    public ClaimValues(ObjectNode claims) {
        this.claims = claims;
    }

    /** A claim's value, or null when absent. Callers must not modify it. */
    public @Nullable JsonNode get(String name) {
        return claims.get(name);
    }

    /** The scopes of {@code scope} and {@code scp}; empty when either claim is malformed (see {@link TokenScopes}). */
    public Optional<Set<String>> scopes() {
        Optional<Set<String>> s = scopes;
        if (s == null) {
            s = TokenScopes.of(claims);
            scopes = s;
        }
        return s;
    }

    /** A string claim, or null when absent or not a string. */
    public @Nullable String text(String name) {
        JsonNode n = claims.get(name);
        return n != null && n.isTextual() ? n.textValue() : null;
    }

    /**
     * A NumericDate claim (such as {@code auth_time}) in epoch seconds, held to the range the
     * verifier holds {@code exp}, {@code nbf} and {@code iat} to (1970 to the end of 9999); null
     * when absent, not a number or out of that range, so no huge or negative value ever reads as
     * a time.
     */
    public @Nullable Double numericDate(String name) {
        JsonNode n = claims.get(name);
        if (n == null || !n.isNumber()) {
            return null;
        }
        double v = n.asDouble();
        return v >= 0 && v <= ClaimsCheck.MAX_NUMERIC_DATE ? v : null;
    }
}
