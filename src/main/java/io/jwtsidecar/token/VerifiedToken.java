package io.jwtsidecar.token;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A token whose signature and claims passed. Immutable.
 *
 * @param issuer   {@code iss}
 * @param subject  {@code sub}, or null
 * @param jti      {@code jti}, or null
 * @param sessionId {@code sid}, or null
 * @param clientId {@code client_id} (RFC 9068), else {@code azp}, or null
 * @param keyIds   the configured {@code kid}s of the key that verified it: its own, and those of any
 *                 other key of the issuer with the same key material (empty when it has none);
 *                 never the kid the token's header names (a header can name anything when its
 *                 issuer's only key has no kid)
 * @param keyThumbprint the RFC 7638 thumbprint of the key that verified it; never null
 * @param issuedAt {@code iat} in whole epoch seconds, or null when absent
 * @param expiresAt {@code exp} in epoch seconds
 * @param payloadSegment the token's base64url payload, i.e. the claims as base64url JSON
 * @param claimsJson the claims set as UTF-8 JSON bytes; callers must not modify the array
 * @param identity the body of an accepted {@code /v1/verify} answer, encoded once on first use
 *                 and kept with the token, so every cache hit sends the same bytes
 * @param claims   the claims, parsed once, for route policies and claim headers
 * @param boundKey the {@code cnf.jkt} of a DPoP-bound token (RFC 9449 §6.1), or null for a bearer token
 */
public record VerifiedToken(String issuer, @Nullable String subject, @Nullable String jti, @Nullable String sessionId,
                            @Nullable String clientId, List<String> keyIds, String keyThumbprint, @Nullable Long issuedAt,
                            double expiresAt,
                            String payloadSegment, byte[] claimsJson, IdentityJson identity,
                            ClaimValues claims, @Nullable String boundKey) {
}
