package io.jwtsidecar.revocation;

/**
 * The parts of a verified token that revocation rules can match. Null fields are absent claims.
 *
 * @param issuer   {@code iss}, never null
 * @param issuedAt {@code iat} in epoch seconds, or null
 */
public record TokenFacts(String issuer, String jti, String sessionId, String subject,
                         String clientId, String kid, Long issuedAt) {

    /** The value this token has for a scope's rule key, or null when it has none. */
    String valueFor(RevocationScope scope) {
        switch (scope) {
            case JTI: return jti;
            case SID: return sessionId;
            case SUB: return subject;
            case CLIENT: return clientId;
            case KID: return kid;
            case ISSUER: return "";
            default: throw new IllegalStateException("unknown scope " + scope);
        }
    }
}
