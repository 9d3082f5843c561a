package io.jwtsidecar.token.keys;

import java.util.Optional;

/**
 * The JWS algorithms the verifier accepts (RFC 7518 §3, RFC 8037). {@code none} is not a
 * member: there is no way to ask for it.
 */
public enum JwsAlgorithm {
    HS256(Family.HMAC, "HmacSHA256", 32),
    HS384(Family.HMAC, "HmacSHA384", 48),
    HS512(Family.HMAC, "HmacSHA512", 64),
    RS256(Family.RSA, "SHA256withRSA", 0),
    RS384(Family.RSA, "SHA384withRSA", 0),
    RS512(Family.RSA, "SHA512withRSA", 0),
    PS256(Family.RSA_PSS, "SHA-256", 32),
    PS384(Family.RSA_PSS, "SHA-384", 48),
    PS512(Family.RSA_PSS, "SHA-512", 64),
    ES256(Family.EC, "SHA256withECDSAinP1363Format", 32),
    ES384(Family.EC, "SHA384withECDSAinP1363Format", 48),
    ES512(Family.EC, "SHA512withECDSAinP1363Format", 66),
    EdDSA(Family.EDDSA, "EdDSA", 0);

    /** Which kind of key an algorithm needs. */
    public enum Family { HMAC, RSA, RSA_PSS, EC, EDDSA }

    private final Family family;
    private final String jcaName;
    private final int size;

    JwsAlgorithm(Family family, String jcaName, int size) {
        this.family = family;
        this.jcaName = jcaName;
        this.size = size;
    }

    public Family family() {
        return family;
    }

    /** The JCA algorithm name (for PS*, the digest name used in the PSS parameters). */
    String jcaName() {
        return jcaName;
    }

    /**
     * For HMAC the minimum secret length in bytes (RFC 7518 §3.2), for PSS the salt length,
     * for ECDSA the length in bytes of one of R and S.
     */
    int size() {
        return size;
    }

    /** Looks up an exact, case-sensitive JOSE name; {@code "none"} and unknown names give empty. */
    public static Optional<JwsAlgorithm> fromJoseName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        for (JwsAlgorithm a : values()) {
            if (a.name().equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
