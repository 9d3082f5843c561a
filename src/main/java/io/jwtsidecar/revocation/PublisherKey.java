package io.jwtsidecar.revocation;

import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.VerificationKey;
import java.util.Objects;

/**
 * A public key trusted to sign revocation events ({@code revocation.publisherKeys}).
 *
 * @param kid     the name signatures carry in their {@code kid}
 * @param key     the public key, bound to EdDSA or ES256
 * @param trust   how far its signatures are trusted
 */
public record PublisherKey(String kid, VerificationKey key, Trust trust) {

    /** How far a publisher key's signatures are trusted. */
    public enum Trust {
        /** Signs events; what it signed needs nothing more. */
        CURRENT,
        /**
         * Being rotated out: what it signed still counts, and the admin plane re-signs every live rule
         * and restore it last signed with its own current key, after which the key can be removed.
         */
        RETIRED,
        /**
         * Stolen, or may be: its revokes still count (a forged revoke can only refuse more) and the
         * admin plane re-signs them, but its restores are refused, since a forged lift must not
         * count. Once re-signed, remove the key.
         */
        COMPROMISED
    }

    public PublisherKey {
        Objects.requireNonNull(kid, "kid");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(trust, "trust");
        if (key.algorithm() != JwsAlgorithm.EdDSA && key.algorithm() != JwsAlgorithm.ES256) {
            throw new IllegalArgumentException("a publisher key must be EdDSA (Ed25519) or ES256, not " + key.algorithm());
        }
    }
}
