package io.jwtsidecar.token.keys;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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

    /**
     * A signal from the issuer (a logout token, a security event token) names a {@code kid} the
     * current set lacks, and unlike an access token it cannot be presented again: the provider
     * sends it once. Completes when a fetch that started after this call is over. A remote source
     * runs one within a second of the last (at most one request a second however many ask, and
     * never sooner than a failing key server's backoff allows); it fails at once when too many
     * already wait. A static source completes at once. The caller bounds the wait, and answers
     * "try again" rather than "bad key" when the wait fails or times out.
     */
    default CompletionStage<Void> refetched() {
        return CompletableFuture.completedFuture(null);
    }

    /** For readiness and logs, e.g. "static (2 keys): [VerificationKey[…], …]" or the JWKS URL with its state. */
    String describe();
}
