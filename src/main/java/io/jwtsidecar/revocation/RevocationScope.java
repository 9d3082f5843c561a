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
