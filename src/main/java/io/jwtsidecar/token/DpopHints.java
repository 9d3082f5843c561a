package io.jwtsidecar.token;

import org.jspecify.annotations.Nullable;

/**
 * What an answer to a DPoP request tells the client besides the verdict (RFC 9449): the proof
 * algorithms accepted ({@code algs} in the {@code WWW-Authenticate: DPoP} challenge, §7.1) and
 * the nonce to put in its next proof ({@code DPoP-Nonce}, §9). Immutable.
 *
 * @param algs  space-separated JWS algorithm names, for a challenge; null when not known
 * @param nonce the nonce to send; null when the issuer does not use nonces
 */
public record DpopHints(@Nullable String algs, @Nullable String nonce) {
}
