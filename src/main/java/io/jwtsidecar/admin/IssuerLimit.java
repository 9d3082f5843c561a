package io.jwtsidecar.admin;

import io.jwtsidecar.revocation.RuleKey;
import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Which issuers' rules an admin credential may revoke, restore and read: every issuer (the default,
 * and what every credential could do before limits existed), or only the issuers named in
 * {@code admin.credentials[].issuers} or an admin JWT's {@value #JWT_CLAIM} claim.
 *
 * <p>A limited credential may touch a rule only when the rule names one of its issuers and its
 * scope is {@linkplain io.jwtsidecar.revocation.RevocationScope#confinedToOneIssuer() confined to
 * that issuer}. What spans issuers (the dead letters, records no issuer can be told for) needs a
 * credential for every issuer.
 *
 * <p>Immutable.
 */
public final class IssuerLimit {
    /** The admin-JWT claim that limits the token to some issuers: a list of exact issuer names. */
    public static final String JWT_CLAIM = "jwt_sidecar_issuers";
    private static final IssuerLimit EVERY = new IssuerLimit(null);

    /** Null: every issuer. Sorted, so logs and messages read the same each time. */
    private final @Nullable Set<String> issuers;

    private IssuerLimit(@Nullable Set<String> issuers) {
        this.issuers = issuers;
    }

    /** No limit: rules of any issuer, of any scope, and the dead letters. */
    public static IssuerLimit everyIssuer() {
        return EVERY;
    }

    /** Only rules of these exact issuers; an empty collection permits no rule at all. */
    public static IssuerLimit only(Collection<String> issuers) {
        return new IssuerLimit(Collections.unmodifiableSet(new TreeSet<>(issuers)));
    }

    /** Whether this is a limit at all. */
    public boolean limited() {
        return issuers != null;
    }

    /** The issuers it is limited to; empty when it is not limited. */
    public Optional<Set<String>> issuers() {
        return Optional.ofNullable(issuers);
    }

    /** Whether a credential with this limit may revoke, restore or read the rule {@code key}. */
    public boolean permits(RuleKey key) {
        return issuers == null || (key.scope().confinedToOneIssuer() && issuers.contains(key.issuer()));
    }

    /** How the audit log and refusals write it: {@code *} for every issuer, else the list. */
    @Override
    public String toString() {
        return issuers == null ? "*" : issuers.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IssuerLimit && Objects.equals(issuers, ((IssuerLimit) o).issuers);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(issuers);
    }
}
