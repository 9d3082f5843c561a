package io.jwtsidecar.token;

import java.util.Objects;

/**
 * The result of checking one token: either the {@link VerifiedToken}, or a {@link Verdict}
 * with a human-readable detail for logs (never for security decisions). Immutable.
 */
public final class VerificationOutcome {
    private final VerifiedToken token;
    private final Verdict verdict;
    private final String detail;
    private final boolean revocationStale;

    private VerificationOutcome(VerifiedToken token, Verdict verdict, String detail, boolean revocationStale) {
        this.token = token;
        this.verdict = verdict;
        this.detail = detail;
        this.revocationStale = revocationStale;
    }

    public static VerificationOutcome accepted(VerifiedToken token) {
        return new VerificationOutcome(Objects.requireNonNull(token), null, null, false);
    }

    /** Accepted although the revocation data is stale (the fail-open policy). */
    public static VerificationOutcome acceptedWithStaleRevocationData(VerifiedToken token) {
        return new VerificationOutcome(Objects.requireNonNull(token), null, null, true);
    }

    public static VerificationOutcome rejected(Verdict verdict, String detail) {
        return new VerificationOutcome(null, Objects.requireNonNull(verdict), detail, false);
    }

    /** Whether an accepted token was checked against revocation data older than allowed (fail-open). */
    public boolean revocationStale() {
        return revocationStale;
    }

    public boolean isAccepted() {
        return token != null;
    }

    /** @return the verified token; null unless {@link #isAccepted()} */
    public VerifiedToken token() {
        return token;
    }

    /** @return why it was refused; null when accepted */
    public Verdict verdict() {
        return verdict;
    }

    /** @return a short explanation for logs; null when accepted */
    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return isAccepted() ? "accepted(" + token.subject() + ")" : verdict.code() + ": " + detail;
    }
}
