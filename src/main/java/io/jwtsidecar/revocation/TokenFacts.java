package io.jwtsidecar.revocation;

import java.util.List;

/**
 * The parts of a verified token that revocation rules can match. Null fields are absent claims.
 *
 * @param issuer   {@code iss}, never null
 * @param kid      the configured {@code kid} of the key that verified the token, or null when that
 *                 key has none; never the kid the token's header names, which a token can choose
 *                 freely when its issuer's only key has no kid
 * @param keyThumbprint the RFC 7638 thumbprint of the key that verified the token, or null when
 *                 not known (facts built by hand)
 * @param issuedAt {@code iat} in epoch seconds, or null
 */
public record TokenFacts(String issuer, String jti, String sessionId, String subject,
                         String clientId, String kid, String keyThumbprint, Long issuedAt) {

    /**
     * Every value a rule of this scope may name to match this token: none when the token has no
     * such claim, one for most scopes, and for {@link RevocationScope#KID} both names of the key
     * that verified it (its configured kid, if any, and its thumbprint). The token is revoked by
     * the scope when a rule for any of them blocks it.
     */
    List<String> valuesFor(RevocationScope scope) {
        switch (scope) {
            case JTI: return listOf(jti);
            case SID: return listOf(sessionId);
            case SUB: return listOf(subject);
            case CLIENT: return listOf(clientId);
            case KID:
                if (kid == null || kid.equals(keyThumbprint)) {
                    return listOf(keyThumbprint);
                }
                return keyThumbprint == null ? List.of(kid) : List.of(kid, keyThumbprint);
            case ISSUER: return List.of("");
            default: throw new IllegalStateException("unknown scope " + scope);
        }
    }

    private static List<String> listOf(String value) {
        return value == null ? List.of() : List.of(value);
    }
}
