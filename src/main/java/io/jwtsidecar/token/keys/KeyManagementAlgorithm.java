package io.jwtsidecar.token.keys;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.KeyAlgorithm;
import java.util.Optional;

/**
 * The JWE key management algorithms ({@code alg}, RFC 7518 §4) a decryption key may be bound
 * to. RSA1_5 (Bleichenbacher's padding oracle) and the PBES2 family (a password, and an
 * iteration count chosen by the sender) are not members, so no configuration can ask for them
 * (RFC 8725 §3.2). {@code dir} is a member only for a symmetric key configured for it.
 */
public enum KeyManagementAlgorithm {
    RSA_OAEP_256("RSA-OAEP-256"),
    ECDH_ES("ECDH-ES"),
    ECDH_ES_A256KW("ECDH-ES+A256KW"),
    DIR("dir");

    private final String joseName;

    KeyManagementAlgorithm(String joseName) {
        this.joseName = joseName;
    }

    /** The {@code alg} header value, e.g. {@code RSA-OAEP-256}. */
    public String joseName() {
        return joseName;
    }

    /** Whether its key is an elliptic-curve private key (the ECDH-ES family). */
    public boolean ecdh() {
        return this == ECDH_ES || this == ECDH_ES_A256KW;
    }

    /** Whether the content encryption key is the agreed or shared key itself, so the encrypted key segment is empty. */
    public boolean directKey() {
        return this == DIR || this == ECDH_ES;
    }

    /** jjwt's implementation: the key wrapping and agreement are never written here. */
    KeyAlgorithm<?, ?> jjwt() {
        return switch (this) {
            case RSA_OAEP_256 -> Jwts.KEY.RSA_OAEP_256;
            case ECDH_ES -> Jwts.KEY.ECDH_ES;
            case ECDH_ES_A256KW -> Jwts.KEY.ECDH_ES_A256KW;
            case DIR -> Jwts.KEY.DIRECT;
        };
    }

    /** Looks up an exact, case-sensitive JOSE name; RSA1_5, PBES2 and unknown names give empty. */
    public static Optional<KeyManagementAlgorithm> fromJoseName(String name) {
        for (KeyManagementAlgorithm a : values()) {
            if (a.joseName.equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return joseName;
    }
}
