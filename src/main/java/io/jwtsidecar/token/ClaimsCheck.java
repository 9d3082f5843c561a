package io.jwtsidecar.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;

/**
 * The registered-claims rules of RFC 7519 §4.1 and RFC 8725, applied to a claims set whose
 * signature already holds. Produces either a failure or the typed values the rest of the
 * pipeline needs. Rules:
 * <ul>
 *   <li>{@code exp} is required; the token is expired when {@code now - skew >= exp}.</li>
 *   <li>{@code nbf}: not yet valid when {@code now + skew < nbf}.</li>
 *   <li>{@code iat}: issued in the future when {@code iat > now + skew}; with a maximum age,
 *       too old when {@code now - iat > maxAge + skew}.</li>
 *   <li>{@code aud} (string or array of strings) must name one of the policy's audiences.</li>
 *   <li>Time claims must be finite JSON numbers (fractions are legal); identity claims must be
 *       strings. A wrong type is {@code malformed}.</li>
 * </ul>
 */
final class ClaimsCheck {
    private VerificationOutcome failure;
    private String subject;
    private String jti;
    private String sessionId;
    private String clientId;
    private Long issuedAt;
    private double expiresAt;

    private ClaimsCheck() {
    }

    static ClaimsCheck of(ObjectNode claims, IssuerPolicy policy, Clock clock) {
        ClaimsCheck c = new ClaimsCheck();
        c.failure = c.run(claims, policy, clock.millis() / 1000.0);
        return c;
    }

    private VerificationOutcome run(ObjectNode claims, IssuerPolicy policy, double now) {
        double skew = policy.clockSkew().toMillis() / 1000.0;

        JsonNode exp = claims.get("exp");
        if (exp == null) {
            return fail(Verdict.MISSING_CLAIM, "exp is missing");
        }
        if (!isNumericDate(exp)) {
            return fail(Verdict.MALFORMED, "exp is not a NumericDate");
        }
        expiresAt = exp.doubleValue();
        if (now - skew >= expiresAt) {
            return fail(Verdict.EXPIRED, "token expired");
        }

        JsonNode nbf = claims.get("nbf");
        if (nbf != null) {
            if (!isNumericDate(nbf)) {
                return fail(Verdict.MALFORMED, "nbf is not a NumericDate");
            }
            if (now + skew < nbf.doubleValue()) {
                return fail(Verdict.NOT_YET_VALID, "nbf is in the future");
            }
        }

        JsonNode iat = claims.get("iat");
        if (iat != null) {
            if (!isNumericDate(iat)) {
                return fail(Verdict.MALFORMED, "iat is not a NumericDate");
            }
            if (iat.doubleValue() > now + skew) {
                return fail(Verdict.ISSUED_IN_FUTURE, "iat is in the future");
            }
            issuedAt = (long) Math.floor(iat.doubleValue());
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

        if (policy.maxTokenAge() != null) {
            if (iat == null) {
                return fail(Verdict.MISSING_CLAIM, "iat is missing and the issuer has a maximum token age");
            }
            if (now - iat.doubleValue() > policy.maxTokenAge().toSeconds() + skew) {
                return fail(Verdict.TOKEN_TOO_OLD, "token is older than the maximum age");
            }
        }

        String[] strings = new String[4];
        String[] names = {"sub", "jti", "sid", "client_id"};
        for (int i = 0; i < names.length; i++) {
            JsonNode n = claims.get(names[i]);
            if (n != null && !n.isTextual()) {
                return fail(Verdict.MALFORMED, names[i] + " is not a string");
            }
            strings[i] = n == null ? null : n.textValue();
        }
        subject = strings[0];
        jti = strings[1];
        sessionId = strings[2];
        clientId = strings[3];
        if (clientId == null) {
            JsonNode azp = claims.get("azp");
            if (azp != null && !azp.isTextual()) {
                return fail(Verdict.MALFORMED, "azp is not a string");
            }
            clientId = azp == null ? null : azp.textValue();
        }
        return null;
    }

    private static boolean isNumericDate(JsonNode n) {
        return n.isNumber() && Double.isFinite(n.doubleValue());
    }

    private static boolean audienceMatches(JsonNode aud, IssuerPolicy policy) {
        if (aud == null) {
            return false;
        }
        if (aud.isTextual()) {
            return policy.audiences().contains(aud.textValue());
        }
        if (aud.isArray()) {
            for (JsonNode a : aud) {
                if (!a.isTextual()) {
                    return false;
                }
            }
            for (JsonNode a : aud) {
                if (policy.audiences().contains(a.textValue())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static VerificationOutcome fail(Verdict v, String detail) {
        return VerificationOutcome.rejected(v, detail);
    }

    VerificationOutcome failure() {
        return failure;
    }

    String subject() {
        return subject;
    }

    String jti() {
        return jti;
    }

    String sessionId() {
        return sessionId;
    }

    String clientId() {
        return clientId;
    }

    Long issuedAt() {
        return issuedAt;
    }

    double expiresAt() {
        return expiresAt;
    }
}
