package io.jwtsidecar.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The clock-independent claim rules of RFC 7519 §4.1 and RFC 8725, applied once to a claims set
 * whose signature holds; the clock-dependent ones are in {@link TimeClaims}, re-checked on every
 * use. Produces either a failure or the typed values the rest of the pipeline needs:
 * <ul>
 *   <li>{@code exp} is required; {@code exp}, {@code nbf}, {@code iat} must be JSON numbers
 *       (fractions are legal) from 0 to 253402300799, i.e. from 1970 to the end of 9999, else
 *       {@code malformed}. No real token means a time outside that range, and inside it every
 *       claim is a whole number of seconds a {@code long} holds with room to spare, so no later
 *       arithmetic on it (skew, rule times) can saturate or wrap.</li>
 *   <li>{@code exp - iat} at most the issuer's {@code maxTokenLifetime} plus skew, else
 *       {@code malformed}: a longer-lived token would outlive its revocation rules.</li>
 *   <li>{@code aud} (string or array of strings) must name one of the policy's audiences.</li>
 *   <li>The policy's required claims must be present and not null; with a maximum age,
 *       {@code iat} is required.</li>
 *   <li>{@code sub}, {@code jti}, {@code sid}, {@code client_id}, {@code azp} must be strings.</li>
 * </ul>
 */
final class ClaimsCheck {
    /** 9999-12-31T23:59:59Z, the last second of the last four-digit year. */
    static final long MAX_NUMERIC_DATE = 253_402_300_799L;
    private static final String[] TIME_CLAIMS = {"exp", "nbf", "iat"};

    private @Nullable VerificationOutcome failure;
    private @Nullable String subject;
    private @Nullable String jti;
    private @Nullable String sessionId;
    private @Nullable String clientId;
    private @Nullable TimeClaims times;

    private ClaimsCheck() {
    }

    static ClaimsCheck of(ObjectNode claims, IssuerPolicy policy) {
        ClaimsCheck c = new ClaimsCheck();
        c.failure = c.run(claims, policy);
        return c;
    }

    private @Nullable VerificationOutcome run(ObjectNode claims, IssuerPolicy policy) {
        JsonNode exp = claims.get("exp");
        if (exp == null) {
            return fail(Verdict.MISSING_CLAIM, "exp is missing");
        }
        for (String claim : TIME_CLAIMS) {
            JsonNode n = claims.get(claim);
            String problem = n == null ? null : numericDateProblem(claim, n);
            if (problem != null) {
                return fail(Verdict.MALFORMED, problem);
            }
        }
        JsonNode nbf = claims.get("nbf");
        JsonNode iat = claims.get("iat");
        if (iat == null && policy.maxTokenAge() != null) {
            return fail(Verdict.MISSING_CLAIM, "iat is missing and the issuer has a maximum token age");
        }
        times = new TimeClaims(exp.doubleValue(), nbf == null ? null : nbf.doubleValue(),
                iat == null ? null : iat.doubleValue());
        // A token living longer than the issuer's lifetime would outlive its revocation rules, which
        // are kept a lifetime (and twice the skew) after their time: refused, whenever it is checked.
        if (iat != null && exp.doubleValue() - iat.doubleValue()
                > policy.maxTokenLifetime().toSeconds() + policy.clockSkew().toMillis() / 1000.0) {
            return fail(Verdict.MALFORMED, "exp is further after iat than the issuer's maxTokenLifetime");
        }

        if (!audienceMatches(claims.get("aud"), policy)) {
            return fail(Verdict.BAD_AUDIENCE, "aud names none of the accepted audiences");
        }
        for (String required : policy.requiredClaims()) {
            JsonNode v = claims.get(required);
            if (v == null || v.isNull()) {
                return fail(Verdict.MISSING_CLAIM, required + " is missing");
            }
        }

        String[] names = {"sub", "jti", "sid", "client_id", "azp"};
        String[] values = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            JsonNode n = claims.get(names[i]);
            if (n != null && !n.isTextual()) {
                return fail(Verdict.MALFORMED, names[i] + " is not a string");
            }
            values[i] = n == null ? null : n.textValue();
        }
        subject = values[0];
        jti = values[1];
        sessionId = values[2];
        clientId = values[3] != null ? values[3] : values[4];
        return null;
    }

    /** Why {@code n} is not a usable NumericDate for {@code claim}, or null when it is one. */
    private static @Nullable String numericDateProblem(String claim, JsonNode n) {
        if (!n.isNumber() || !Double.isFinite(n.doubleValue())) {
            return claim + " is not a NumericDate";
        }
        double v = n.doubleValue();
        if (!(v >= 0 && v <= MAX_NUMERIC_DATE)) {
            return claim + " must be a NumericDate from 0 to " + MAX_NUMERIC_DATE + " (1970 to the end of 9999)";
        }
        return null;
    }

    private static boolean audienceMatches(JsonNode aud, IssuerPolicy policy) {
        if (aud == null) {
            return false;
        }
        if (aud.isTextual()) {
            return policy.audiences().contains(aud.textValue());
        }
        if (!aud.isArray()) {
            return false;
        }
        boolean match = false;
        for (JsonNode a : aud) {
            if (!a.isTextual()) {
                return false;
            }
            match |= policy.audiences().contains(a.textValue());
        }
        return match;
    }

    private static VerificationOutcome fail(Verdict v, String detail) {
        return VerificationOutcome.rejected(v, detail);
    }

    @Nullable VerificationOutcome failure() {
        return failure;
    }

    @Nullable String subject() {
        return subject;
    }

    @Nullable String jti() {
        return jti;
    }

    @Nullable String sessionId() {
        return sessionId;
    }

    @Nullable String clientId() {
        return clientId;
    }

    /** The time claims; only of claims that passed. */
    TimeClaims times() {
        return Objects.requireNonNull(times, "claims that failed have no times");
    }

    /** {@code iat} in whole seconds, or null; never saturated, as {@code iat} is within 0 to 9999. */
    @Nullable Long issuedAt() {
        Double iat = times().iat();
        return iat == null ? null : (long) Math.floor(iat);
    }
}
