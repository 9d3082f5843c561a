package io.jwtsidecar.token;

/**
 * The closed vocabulary of verification outcomes other than success. The {@link #code()}
 * strings are a public contract: they appear in HTTP responses, logs and metrics and never
 * change meaning.
 *
 * <p>Rejections say the token is bad (HTTP 401). {@link #REVOCATION_DATA_STALE} and
 * {@link #KEYS_UNAVAILABLE} say the sidecar cannot judge right now (HTTP 503): the token may
 * be fine. Refusals by a route's policy ({@code /v1/authz}) say the token is good but not for
 * this request (HTTP 403), or that the user must authenticate again (401, RFC 9470). An invalid
 * request (HTTP 400) was not judged at all.
 */
public enum Verdict {
    /** No bearer token was presented at all (RFC 6750 §3.1: no error code is sent). */
    MISSING_TOKEN("missing_token", Kind.REJECTED),
    MALFORMED("malformed", Kind.REJECTED),
    TOO_LARGE("too_large", Kind.REJECTED),
    UNKNOWN_ISSUER("unknown_issuer", Kind.REJECTED),
    UNKNOWN_KEY("unknown_key", Kind.REJECTED),
    ALG_NOT_ALLOWED("alg_not_allowed", Kind.REJECTED),
    BAD_SIGNATURE("bad_signature", Kind.REJECTED),
    EXPIRED("expired", Kind.REJECTED),
    NOT_YET_VALID("not_yet_valid", Kind.REJECTED),
    ISSUED_IN_FUTURE("issued_in_future", Kind.REJECTED),
    BAD_AUDIENCE("bad_audience", Kind.REJECTED),
    BAD_TYPE("bad_type", Kind.REJECTED),
    MISSING_CLAIM("missing_claim", Kind.REJECTED),
    TOKEN_TOO_OLD("token_too_old", Kind.REJECTED),
    REVOKED("revoked", Kind.REJECTED),
    REVOCATION_DATA_STALE("revocation_data_stale", Kind.UNAVAILABLE),
    KEYS_UNAVAILABLE("keys_unavailable", Kind.UNAVAILABLE),
    /** The token came from a place (cookie, query) its issuer does not send tokens in. */
    TOKEN_LOCATION_NOT_ALLOWED("token_location_not_allowed", Kind.REJECTED),
    /** RFC 8705 §3: the token is bound to a client certificate ({@code cnf.x5t#S256}) and none came. */
    CERTIFICATE_MISSING("certificate_missing", Kind.REJECTED),
    /** RFC 8705 §3: the token is bound to a client certificate other than the one that came. */
    CERTIFICATE_MISMATCH("certificate_mismatch", Kind.REJECTED),
    /** RFC 9470: the route needs another {@code acr} or a more recent {@code auth_time}. */
    INSUFFICIENT_USER_AUTHENTICATION("insufficient_user_authentication", Kind.REJECTED),
    /** RFC 6750 §3.1: the route needs scopes the token does not grant. */
    INSUFFICIENT_SCOPE("insufficient_scope", Kind.FORBIDDEN),
    /** The route needs another issuer, audience or claim value. */
    ACCESS_DENIED("access_denied", Kind.FORBIDDEN),
    /** No route matches and unmatched requests are denied ({@code authz.defaultAction: deny}). */
    NO_ROUTE("no_route", Kind.FORBIDDEN),
    /** A token with a {@code cnf} claim the sidecar cannot check (a binding other than {@code jkt}). */
    CONFIRMATION_UNSUPPORTED("confirmation_unsupported", Kind.REJECTED),
    /**
     * RFC 9449 §7.2: a DPoP-bound token ({@code cnf.jkt}) presented with the {@code Bearer} scheme,
     * or any token presented so to an issuer whose tokens must all be DPoP-bound.
     */
    DPOP_REQUIRED("dpop_required", Kind.REJECTED),
    /** The {@code DPoP} scheme with a token that has no {@code cnf.jkt}: nothing to check the proof against. */
    DPOP_TOKEN_NOT_BOUND("dpop_token_not_bound", Kind.REJECTED),
    /** RFC 9449 §4.3 and §7.1: each reason a DPoP proof is refused (all answered {@code invalid_dpop_proof}). */
    DPOP_PROOF_MISSING("dpop_proof_missing", Kind.REJECTED),
    DPOP_PROOF_MULTIPLE("dpop_proof_multiple", Kind.REJECTED),
    DPOP_PROOF_MALFORMED("dpop_proof_malformed", Kind.REJECTED),
    DPOP_PROOF_BAD_TYPE("dpop_proof_bad_type", Kind.REJECTED),
    DPOP_PROOF_ALG_NOT_ALLOWED("dpop_proof_alg_not_allowed", Kind.REJECTED),
    DPOP_PROOF_BAD_JWK("dpop_proof_bad_jwk", Kind.REJECTED),
    DPOP_PROOF_BAD_SIGNATURE("dpop_proof_bad_signature", Kind.REJECTED),
    DPOP_PROOF_MISSING_CLAIM("dpop_proof_missing_claim", Kind.REJECTED),
    DPOP_PROOF_HTM_MISMATCH("dpop_proof_htm_mismatch", Kind.REJECTED),
    DPOP_PROOF_HTU_MISMATCH("dpop_proof_htu_mismatch", Kind.REJECTED),
    DPOP_PROOF_IAT_OUT_OF_WINDOW("dpop_proof_iat_out_of_window", Kind.REJECTED),
    DPOP_PROOF_ATH_MISMATCH("dpop_proof_ath_mismatch", Kind.REJECTED),
    /** The proof's key is not the one the token is bound to: its RFC 7638 thumbprint is not {@code cnf.jkt}. */
    DPOP_PROOF_KEY_MISMATCH("dpop_proof_key_mismatch", Kind.REJECTED),
    /** The proof's {@code jti} was seen before within the proof window, on this sidecar. */
    DPOP_PROOF_REPLAYED("dpop_proof_replayed", Kind.REJECTED),
    /** The issuer requires server nonces and the proof has no {@code nonce}: answered {@code use_dpop_nonce}. */
    DPOP_PROOF_NONCE_MISSING("dpop_proof_nonce_missing", Kind.REJECTED),
    /** The proof's {@code nonce} is not one a sidecar gave, or has expired: answered {@code use_dpop_nonce}. */
    DPOP_PROOF_NONCE_INVALID("dpop_proof_nonce_invalid", Kind.REJECTED),
    /**
     * Encrypted tokens (nested JWTs, RFC 7516, RFC 7519 §5.2): a JWE that is not one compact
     * JWE with a strictly parsed protected header of bounded size, or with a {@code crit} header.
     */
    JWE_MALFORMED("jwe_malformed", Kind.REJECTED),
    /** A JWE {@code alg} or {@code enc} never accepted (RSA1_5, PBES2, dir without a key for it) or not this key's. */
    JWE_ALGORITHM_NOT_ALLOWED("jwe_algorithm_not_allowed", Kind.REJECTED),
    /** RFC 8725 §3.6: a JWE with a {@code zip} header, refused before decryption. */
    JWE_COMPRESSION_REFUSED("jwe_compression_refused", Kind.REJECTED),
    /** The JWE's {@code kid} names no decryption key, or it names none and too many keys fit to try. */
    JWE_UNKNOWN_KEY("jwe_unknown_key", Kind.REJECTED),
    /**
     * The JWE did not open: a wrong key, a changed tag, IV, ciphertext or header, a bad ephemeral
     * key. One verdict and one detail for every way, so no failure can be told from another.
     */
    JWE_DECRYPTION_FAILED("jwe_decryption_failed", Kind.REJECTED),
    /** RFC 7519 §5.2: a JWE whose {@code cty} is not {@code JWT} or whose content is not a signed JWT. */
    JWE_NOT_NESTED("jwe_not_nested", Kind.REJECTED),
    /** The inner token's {@code iss} is not the issuer whose decryption key opened the JWE. */
    JWE_ISSUER_MISMATCH("jwe_issuer_mismatch", Kind.REJECTED),
    /** RFC 7519 §5.3: {@code iss}, {@code sub} or {@code aud} replicated in the JWE header differ from the inner claims. */
    JWE_HEADER_CLAIM_MISMATCH("jwe_header_claim_mismatch", Kind.REJECTED),
    /** A plain signed token from an issuer whose tokens must be encrypted ({@code encryption: required}). */
    ENCRYPTION_REQUIRED("encryption_required", Kind.REJECTED),
    /** RFC 6750 §3.1: the request is not one the sidecar can judge (two tokens, a bad forwarded URI). */
    INVALID_REQUEST("invalid_request", Kind.INVALID);

    /**
     * Whether the token was judged bad (401), the sidecar could not judge it (503), a good token
     * is not allowed this request (403), or the request itself was unusable (400).
     */
    public enum Kind { REJECTED, UNAVAILABLE, FORBIDDEN, INVALID }

    private final String code;
    private final Kind kind;

    Verdict(String code, Kind kind) {
        this.code = code;
        this.kind = kind;
    }

    /** The stable wire name, e.g. {@code "bad_signature"}. */
    public String code() {
        return code;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether a DPoP proof was refused: answered with RFC 9449's {@code invalid_dpop_proof}. */
    public boolean dpopProof() {
        return code.startsWith("dpop_proof_");
    }

    /** Whether the client must retry with the nonce it is given: RFC 9449 §9's {@code use_dpop_nonce}. */
    public boolean dpopNonce() {
        return this == DPOP_PROOF_NONCE_MISSING || this == DPOP_PROOF_NONCE_INVALID;
    }
}
