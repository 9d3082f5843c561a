package io.jwtsidecar.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.VerificationKey;

/**
 * The public keys of DPoP proofs ({@code jwk} headers), parsed once per distinct key: a client
 * signs every proof with the same key, and turning a JWK into a checked key (point on the curve,
 * RSA modulus size, the RFC 7638 thumbprint) costs several times the signature check itself.
 *
 * <p>Keyed on the exact JWK text and the algorithm, so a cached key is the one that very text
 * would parse to; a JWK that does not parse is never cached and fails again next time. Bounded
 * by weight (Caffeine's weight eviction): each entry weighs its text, and at least
 * {@value #ENTRY_CHARS} characters, so the cache holds {@link #MAX_KEYS} ordinary keys, but a JWK
 * padded with unknown members (legal in a JWK, and each padding a new text) weighs what it
 * holds. A flood of distinct or padded keys costs parsing, not memory. Thread-safe.
 */
final class ProofKeys {
    /** Clients proving at once, per sidecar, with room to spare. */
    static final int MAX_KEYS = 10_000;
    /** The least an entry weighs: more than an RSA-4096 JWK's text, so ordinary keys count as one each. */
    static final int ENTRY_CHARS = 1024;

    private final Cache<String, VerificationKey> keys;

    ProofKeys() {
        this(MAX_KEYS);
    }

    /** @param maxKeys the most keys of up to {@value #ENTRY_CHARS} characters held; fewer larger ones */
    ProofKeys(int maxKeys) {
        // The calling thread does the maintenance: no work handed to the common pool from an event loop.
        keys = Caffeine.newBuilder().maximumWeight((long) maxKeys * ENTRY_CHARS)
                .weigher((String k, VerificationKey v) -> Math.max(k.length(), ENTRY_CHARS))
                .executor(Runnable::run).build();
    }

    /**
     * @param jwk the {@code jwk} header member, as JSON text
     * @throws IllegalArgumentException when it is not a public key usable for {@code alg}
     */
    VerificationKey of(String jwk, JwsAlgorithm alg) {
        return keys.get(alg.name() + '\n' + jwk, k -> VerificationKey.ofPublicJwk(jwk, alg));
    }

    /** Keys held now (after pending evictions). */
    long size() {
        keys.cleanUp();
        return keys.estimatedSize();
    }
}
