package io.jwtsidecar.token;

import io.jwtsidecar.token.keys.ContentEncryption;
import io.jwtsidecar.token.keys.DecryptionKey;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one issuer demands of encrypted tokens (nested JWTs: a JWS inside a JWE, RFC 7519 §5.2,
 * §11.2). Immutable.
 *
 * @param mode              whether this issuer's plain (signed only) tokens are accepted
 * @param keys              the keys that open its encrypted tokens; empty: none are accepted
 * @param contentEncryption the {@code enc} values accepted
 */
public record EncryptionPolicy(Mode mode, List<DecryptionKey> keys, Set<ContentEncryption> contentEncryption) {
    /** No decryption keys: this issuer's tokens are signed JWTs only, as before encryption existed. */
    public static final EncryptionPolicy NONE = new EncryptionPolicy(Mode.ALLOWED, List.of(), ContentEncryption.ALL);

    /** Whether plain signed tokens are accepted beside encrypted ones. */
    public enum Mode {
        /** Encrypted and plain tokens are both accepted. */
        ALLOWED,
        /** Only encrypted tokens: a plain one is refused as {@link Verdict#ENCRYPTION_REQUIRED}. */
        REQUIRED
    }

    public EncryptionPolicy {
        Objects.requireNonNull(mode, "mode");
        keys = List.copyOf(keys);
        contentEncryption = Set.copyOf(contentEncryption);
        if (mode == Mode.REQUIRED && keys.isEmpty()) {
            throw new IllegalArgumentException("encryption required without a decryption key refuses every token");
        }
        if (contentEncryption.isEmpty()) {
            throw new IllegalArgumentException("at least one content encryption must be accepted");
        }
    }
}
