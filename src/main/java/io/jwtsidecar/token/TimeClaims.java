package io.jwtsidecar.token;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The time claims of a verified token, kept so that a cached token is re-checked against the
 * clock on every use. Rules (RFC 7519 §4.1, with the issuer's skew):
 * <ul>
 *   <li>expired when {@code now - skew >= exp};</li>
 *   <li>malformed when {@code exp > now + maxTokenLifetime + skew}: such a token would outlive
 *       every revocation rule of its issuer (rules are forgotten a lifetime after their time),
 *       so it could never be revoked for good;</li>
 *   <li>not yet valid when {@code now + skew < nbf};</li>
 *   <li>issued in the future when {@code iat > now + skew};</li>
 *   <li>with a maximum age, too old when {@code now - iat > maxAge + skew}.</li>
 * </ul>
 *
 * @param exp {@code exp}, epoch seconds
 * @param nbf {@code nbf}, or null
 * @param iat {@code iat}, or null
 */
record TimeClaims(double exp, @Nullable Double nbf, @Nullable Double iat) {

    /** @return the failure, or null when the token is valid at {@code now} (epoch seconds) */
    @Nullable VerificationOutcome check(IssuerPolicy policy, double now) {
        double skew = policy.clockSkew().toMillis() / 1000.0;
        if (now - skew >= exp) {
            return VerificationOutcome.rejected(Verdict.EXPIRED, "token expired");
        }
        if (exp > now + policy.maxTokenLifetime().toSeconds() + skew) {
            return VerificationOutcome.rejected(Verdict.MALFORMED,
                    "exp is further ahead than the issuer's maxTokenLifetime");
        }
        if (nbf != null && now + skew < nbf) {
            return VerificationOutcome.rejected(Verdict.NOT_YET_VALID, "nbf is in the future");
        }
        if (iat != null && iat > now + skew) {
            return VerificationOutcome.rejected(Verdict.ISSUED_IN_FUTURE, "iat is in the future");
        }
        Duration maxAge = policy.maxTokenAge();
        // Fails closed: ClaimsCheck already refuses a token without iat when the issuer has a maximum age.
        if (maxAge != null && (iat == null || now - iat > maxAge.toSeconds() + skew)) {
            return VerificationOutcome.rejected(Verdict.TOKEN_TOO_OLD, "token is older than the maximum age");
        }
        return null;
    }
}
