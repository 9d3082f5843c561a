package io.jwtsidecar.revocation;

import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.VerificationKey;
import java.util.Objects;

/**
 * A public key trusted to sign revocation events ({@code revocation.publisherKeys}).
 *
 * @param kid     the name signatures carry in their {@code kid}
 * @param key     the public key, bound to EdDSA or ES256
 * @param retired still verifies what it signed, but the admin plane re-signs every live rule it
 *                last signed with its own current key, so the key can be removed afterwards
 */
public record PublisherKey(String kid, VerificationKey key, boolean retired) {
    public PublisherKey {
        Objects.requireNonNull(kid, "kid");
        Objects.requireNonNull(key, "key");
        if (key.algorithm() != JwsAlgorithm.EdDSA && key.algorithm() != JwsAlgorithm.ES256) {
            throw new IllegalArgumentException("a publisher key must be EdDSA (Ed25519) or ES256, not " + key.algorithm());
        }
    }
}
