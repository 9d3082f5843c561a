package io.jwtsidecar.token;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Finds the bearer token in {@code Authorization} header values (RFC 6750 §2.1), for
 * {@code /v1/verify}, forward auth and the admin API alike.
 *
 * <p>The scheme name is case-insensitive and may be followed by one or more spaces
 * ({@code "Bearer" 1*SP b64token}); spaces around the whole value are ignored. No header, or only
 * other schemes, is {@link Verdict#MISSING_TOKEN}; two {@code Authorization} headers, an empty
 * bearer value or one with a space inside is {@link Verdict#MALFORMED}: an ambiguous request is
 * never guessed at. Stateless.
 */
public final class BearerExtractor {
    private static final String SCHEME = "bearer";
    /** RFC 9449 §7.1: a DPoP-bound token is presented with this scheme, in the same syntax. */
    public static final String DPOP_SCHEME = "DPoP";

    private BearerExtractor() {
    }

    /** Why header values hold no bearer token, each with the verdict it earns. */
    public enum Problem {
        /** No {@code Authorization} header at all. */
        NO_HEADER(Verdict.MISSING_TOKEN),
        /** One header, of another scheme ({@code Basic …}, or {@code Bearerxyz}). */
        OTHER_SCHEME(Verdict.MISSING_TOKEN),
        /** More than one {@code Authorization} header, whatever they hold. */
        SEVERAL_HEADERS(Verdict.MALFORMED),
        /** The bearer scheme with nothing after it. */
        EMPTY_TOKEN(Verdict.MALFORMED),
        /** A bearer value with a space inside: a b64token has none (RFC 6750 §2.1). */
        SPACE_IN_TOKEN(Verdict.MALFORMED);

        private final Verdict verdict;

        Problem(Verdict verdict) {
            this.verdict = verdict;
        }

        public Verdict verdict() {
            return verdict;
        }
    }

    /** The outcome: a token, or the verdict explaining why there is none. */
    public record Extracted(@Nullable String token, @Nullable Verdict verdict) {
        public boolean found() {
            return token != null;
        }
    }

    /**
     * The outcome with the reason kept: a token, or the {@link Problem} with the header values;
     * for callers that answer each problem in their own terms (the admin API's refusals).
     */
    public record Reading(@Nullable String token, @Nullable Problem problem) {
        public boolean found() {
            return token != null;
        }
    }

    public static Extracted fromAuthorization(@Nullable List<String> headerValues) {
        Reading r = read(headerValues);
        Problem problem = r.problem();
        return problem == null ? new Extracted(r.token(), null) : new Extracted(null, problem.verdict());
    }

    public static Reading read(@Nullable List<String> headerValues) {
        return read(headerValues, SCHEME);
    }

    /**
     * The same rules for another scheme with a token68 value, compared case-insensitively:
     * {@link #DPOP_SCHEME} for RFC 9449.
     */
    public static Reading read(@Nullable List<String> headerValues, String scheme) {
        if (headerValues == null || headerValues.isEmpty()) {
            return new Reading(null, Problem.NO_HEADER);
        }
        if (headerValues.size() > 1) {
            return new Reading(null, Problem.SEVERAL_HEADERS);
        }
        String value = headerValues.get(0).strip();
        if (value.length() < scheme.length() || !value.regionMatches(true, 0, scheme, 0, scheme.length())) {
            return new Reading(null, Problem.OTHER_SCHEME);
        }
        if (value.length() == scheme.length()) {
            return new Reading(null, Problem.EMPTY_TOKEN);
        }
        if (value.charAt(scheme.length()) != ' ') {
            // "Bearerxyz" is another scheme, not a bearer token.
            return new Reading(null, Problem.OTHER_SCHEME);
        }
        String token = value.substring(scheme.length() + 1).strip();
        if (token.isEmpty()) {
            return new Reading(null, Problem.EMPTY_TOKEN);
        }
        if (token.indexOf(' ') >= 0) {
            return new Reading(null, Problem.SPACE_IN_TOKEN);
        }
        return new Reading(token, null);
    }
}
