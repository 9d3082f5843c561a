package io.jwtsidecar.admin;

import java.util.Optional;

/**
 * What an admin credential may do. The wire names are OAuth scope tokens (RFC 6749 §3.3), as
 * they appear in {@code admin.credentials[].scopes} and in an admin JWT's {@code scope} or
 * {@code scp} claim.
 */
public enum AdminScope {
    /** Publish revoke and restore events. */
    REVOCATIONS_WRITE("revocations:write"),
    /** Read this sidecar's rules and dead letters. */
    REVOCATIONS_READ("revocations:read");

    private final String wireName;

    AdminScope(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The scope with this exact wire name, if any. */
    public static Optional<AdminScope> fromWireName(String name) {
        for (AdminScope s : values()) {
            if (s.wireName.equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
