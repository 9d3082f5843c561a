package io.jwtsidecar.token.keys;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.AeadAlgorithm;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The JWE content encryption algorithms ({@code enc}, RFC 7518 §5): all authenticated, so a
 * changed ciphertext, IV or protected header fails its tag before any plaintext is used.
 */
public enum ContentEncryption {
    A128GCM("A128GCM", 16),
    A256GCM("A256GCM", 32),
    A128CBC_HS256("A128CBC-HS256", 32),
    A256CBC_HS512("A256CBC-HS512", 64);

    /** Every member: what an issuer accepts unless configured otherwise. */
    public static final Set<ContentEncryption> ALL = Set.copyOf(EnumSet.allOf(ContentEncryption.class));

    private final String joseName;
    private final int keyBytes;

    ContentEncryption(String joseName, int keyBytes) {
        this.joseName = joseName;
        this.keyBytes = keyBytes;
    }

    /** The {@code enc} header value, e.g. {@code A256GCM}. */
    public String joseName() {
        return joseName;
    }

    /** The length of its content encryption key, the length a {@code dir} key must have. */
    public int keyBytes() {
        return keyBytes;
    }

    /**
     * jjwt's implementation (no AES-GCM or AES-CBC-HMAC is written here), held to a content
     * encryption key of exactly {@link #keyBytes}.
     */
    AeadAlgorithm jjwt() {
        return new ExactKeyLength(jjwtAsIs());
    }

    private AeadAlgorithm jjwtAsIs() {
        return switch (this) {
            case A128GCM -> Jwts.ENC.A128GCM;
            case A256GCM -> Jwts.ENC.A256GCM;
            case A128CBC_HS256 -> Jwts.ENC.A128CBC_HS256;
            case A256CBC_HS512 -> Jwts.ENC.A256CBC_HS512;
        };
    }

    /** Looks up an exact, case-sensitive JOSE name; unknown names give empty. */
    public static Optional<ContentEncryption> fromJoseName(String name) {
        for (ContentEncryption e : values()) {
            if (e.joseName.equals(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return joseName;
    }
}
