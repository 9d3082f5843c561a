package io.jwtsidecar.token.keys;

import org.jspecify.annotations.Nullable;

/**
 * Where an issuer's keys come from. The verifier asks for the {@link #current()} key set on
 * every token and never waits for a fetch: a remote source refreshes in the background.
 *
 * <p>A new key set is a new {@link IssuerKeys} instance, so callers can tell by identity that
 * the keys changed (the verified-token cache does). Implementations are thread-safe.
 */
public interface KeySource {

    /** The usable key set, or null when there is none yet (the verifier answers keys_unavailable). */
    @Nullable IssuerKeys current();

    /**
     * A token named a {@code kid} the current set lacks. A remote source may refresh early
     * (rate-limited); it must return at once.
     */
    default void unknownKid(String kid) {
    }

    /** For readiness and logs, e.g. "static (2 keys): [VerificationKey[…], …]" or the JWKS URL with its state. */
    String describe();
}
