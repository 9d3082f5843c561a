package io.jwtsidecar.revocation;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The parts of a verified token that revocation rules can match. Null fields are absent claims.
 *
 * @param issuer   {@code iss}, never null
 * @param keyIds   the configured {@code kid}s of the key that verified the token (its own, and
 *                 those of keys with the same material), empty when it has none; never the kid
 *                 the token's header names, which a token can choose
 * @param keyThumbprint the RFC 7638 thumbprint of the key that verified the token, or null when
 *                 not known (facts built by hand)
 * @param issuedAt {@code iat} in epoch seconds, or null
 */
public record TokenFacts(String issuer, @Nullable String jti, @Nullable String sessionId, @Nullable String subject,
                         @Nullable String clientId, List<String> keyIds, @Nullable String keyThumbprint,
                         @Nullable Long issuedAt) {

    public TokenFacts {
        keyIds = keyIds == null ? List.of() : List.copyOf(keyIds);
    }

    /**
     * Every value a rule of this scope may name to match this token: none when the token has no
     * such claim, one for most scopes, and for {@link RevocationScope#KID} both names of the key
     * that verified it (its configured kid, if any, and its thumbprint). The token is revoked by
     * the scope when a rule for any of them blocks it.
     */
    List<String> valuesFor(RevocationScope scope) {
        return switch (scope) {
            case JTI -> listOf(jti);
            case SID -> listOf(sessionId);
            case SUB -> listOf(subject);
            case CLIENT -> listOf(clientId);
            case KID -> keyNames();
            case ISSUER -> List.of("");
        };
    }

    /** Both names of the verifying key: its configured kids, if any, and its thumbprint. */
    private List<String> keyNames() {
        if (keyIds.isEmpty()) {
            return listOf(keyThumbprint);
        }
        if (keyThumbprint == null || keyIds.contains(keyThumbprint)) {
            return keyIds;
        }
        List<String> names = new ArrayList<>(keyIds.size() + 1);
        names.addAll(keyIds);
        names.add(keyThumbprint);
        return names;
    }

    private static List<String> listOf(@Nullable String value) {
        return value == null ? List.of() : List.of(value);
    }
}
