package io.jwtsidecar.revocation;

import java.util.Locale;
import java.util.Optional;

/**
 * What a revocation rule matches. A time-based scope revokes tokens issued at or before the
 * rule time ({@code iat - skew <= at}), and every token without {@code iat} (fail closed);
 * {@link #JTI} and {@link #KID} match regardless of {@code iat}.
 */
public enum RevocationScope {
    /** One token: issuer + {@code jti}. */
    JTI(false),
    /** One login session: issuer + {@code sid}. */
    SID(true),
    /** Everything a user holds: issuer + {@code sub}. */
    SUB(true),
    /** Everything a client holds: issuer + {@code client_id} (or {@code azp}). */
    CLIENT(true),
    /** Everything signed with one key: issuer + {@code kid}. */
    KID(false),
    /** Everything the issuer issued before the rule time; the rule's value is empty. */
    ISSUER(true);

    private final boolean timeBased;

    RevocationScope(boolean timeBased) {
        this.timeBased = timeBased;
    }

    public boolean timeBased() {
        return timeBased;
    }

    /**
     * Whether a rule of this scope can only ever block tokens of the one issuer it names, so that
     * an admin credential limited to some issuers may be trusted with it when it names one of them.
     * The store looks every rule up under the token's own {@code iss}
     * ({@code RuleKey(scope, token issuer, value)}), so today every scope is confined:
     * <ul>
     *   <li>{@link #JTI}, {@link #SID}, {@link #SUB}, {@link #CLIENT}: a claim value means something
     *       only to the issuer that minted it; the same {@code sub} under another issuer is another
     *       rule key, never matched by this one;</li>
     *   <li>{@link #KID}: the key that verified the token, named under the token's issuer (decision
     *       40). Key material trusted by two issuers needs a rule under each, so revoking one
     *       issuer's key leaves the other issuer's tokens alone. The rule is permanent until
     *       restored, but that is still within the issuer the credential is trusted with;</li>
     *   <li>{@link #ISSUER}: its value is empty and its issuer is the whole rule; it ends every
     *       token of that issuer and of no other, the largest thing a credential limited to that
     *       issuer can do, and the one an issuer's operators need when its signing is in doubt.</li>
     * </ul>
     * A scope added later that matched across issuers (say, every token of a client id at any
     * issuer) must answer false here, and then only a credential for every issuer may touch its
     * rules. The switch has no default so that a new scope does not compile until it is decided.
     */
    public boolean confinedToOneIssuer() {
        return switch (this) {
            case JTI, SID, SUB, CLIENT -> true;
            case KID -> true;
            case ISSUER -> true;
        };
    }

    /** The lower-case wire name used in events and APIs. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<RevocationScope> fromWireName(String name) {
        for (RevocationScope s : values()) {
            if (s.wireName().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
