package io.jwtsidecar.token;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The result of checking one token: either the {@link VerifiedToken}, or a {@link Verdict}
 * with a human-readable detail for logs (never for security decisions). Immutable.
 */
public final class VerificationOutcome {
    private final @Nullable VerifiedToken token;
    private final @Nullable Verdict verdict;
    private final @Nullable String detail;
    private final boolean revocationStale;
    private final @Nullable DpopHints dpopHints;

    private VerificationOutcome(@Nullable VerifiedToken token, @Nullable Verdict verdict, @Nullable String detail,
                                boolean revocationStale) {
        this(token, verdict, detail, revocationStale, null);
    }

    private VerificationOutcome(@Nullable VerifiedToken token, @Nullable Verdict verdict, @Nullable String detail,
                                boolean revocationStale, @Nullable DpopHints dpopHints) {
        this.token = token;
        this.verdict = verdict;
        this.detail = detail;
        this.revocationStale = revocationStale;
        this.dpopHints = dpopHints;
    }

    /** The same outcome, telling a DPoP client {@code hints} as well. */
    public VerificationOutcome withDpopHints(DpopHints hints) {
        return new VerificationOutcome(token, verdict, detail, revocationStale, Objects.requireNonNull(hints));
    }

    /** What to tell a DPoP client besides the verdict; null for a request without DPoP. */
    public @Nullable DpopHints dpopHints() {
        return dpopHints;
    }

    public static VerificationOutcome accepted(VerifiedToken token) {
        return new VerificationOutcome(Objects.requireNonNull(token), null, null, false);
    }

    /** Accepted although the revocation data is stale (the fail-open policy). */
    public static VerificationOutcome acceptedWithStaleRevocationData(VerifiedToken token) {
        return new VerificationOutcome(Objects.requireNonNull(token), null, null, true);
    }

    public static VerificationOutcome rejected(Verdict verdict, @Nullable String detail) {
        return new VerificationOutcome(null, Objects.requireNonNull(verdict), detail, false);
    }

    /** Whether an accepted token was checked against revocation data older than allowed (fail-open). */
    public boolean revocationStale() {
        return revocationStale;
    }

    public boolean isAccepted() {
        return token != null;
    }

    /**
     * @return the verified token
     * @throws IllegalStateException unless {@link #isAccepted()}
     */
    public VerifiedToken token() {
        if (token == null) {
            throw new IllegalStateException("a refused token (" + verdict + ") has no verified token");
        }
        return token;
    }

    /** @return why it was refused; null when accepted */
    public @Nullable Verdict verdict() {
        return verdict;
    }

    /** @return a short explanation for logs; null when accepted */
    public @Nullable String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return token != null ? "accepted(" + token.subject() + ")" : (verdict == null ? "refused" : verdict.code()) + ": " + detail;
    }
}
