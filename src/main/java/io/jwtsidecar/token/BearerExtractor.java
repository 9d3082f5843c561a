package io.jwtsidecar.token;

import java.util.List;

/**
 * Finds the bearer token in {@code Authorization} header values (RFC 6750 §2.1).
 *
 * <p>The scheme name is case-insensitive. No header, or only other schemes, is
 * {@link Verdict#MISSING_TOKEN}; two {@code Authorization} headers or an empty bearer value
 * is {@link Verdict#MALFORMED}: an ambiguous request is never guessed at. Stateless.
 */
public final class BearerExtractor {
    private static final String SCHEME = "bearer";

    private BearerExtractor() {
    }

    /** The outcome: a token, or the verdict explaining why there is none. */
    public record Extracted(String token, Verdict verdict) {
        public boolean found() {
            return token != null;
        }
    }

    public static Extracted fromAuthorization(List<String> headerValues) {
        if (headerValues == null || headerValues.isEmpty()) {
            return new Extracted(null, Verdict.MISSING_TOKEN);
        }
        if (headerValues.size() > 1) {
            return new Extracted(null, Verdict.MALFORMED);
        }
        String value = headerValues.get(0).strip();
        if (value.length() < SCHEME.length() || !value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return new Extracted(null, Verdict.MISSING_TOKEN);
        }
        if (value.length() == SCHEME.length()) {
            return new Extracted(null, Verdict.MALFORMED);
        }
        if (value.charAt(SCHEME.length()) != ' ') {
            // "Bearerxyz" is another scheme, not a bearer token.
            return new Extracted(null, Verdict.MISSING_TOKEN);
        }
        String token = value.substring(SCHEME.length() + 1).strip();
        if (token.isEmpty() || token.indexOf(' ') >= 0) {
            return new Extracted(null, Verdict.MALFORMED);
        }
        return new Extracted(token, null);
    }
}
