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
    /** RFC 9470: the route needs another {@code acr} or a more recent {@code auth_time}. */
    INSUFFICIENT_USER_AUTHENTICATION("insufficient_user_authentication", Kind.REJECTED),
    /** RFC 6750 §3.1: the route needs scopes the token does not grant. */
    INSUFFICIENT_SCOPE("insufficient_scope", Kind.FORBIDDEN),
    /** The route needs another issuer, audience or claim value. */
    ACCESS_DENIED("access_denied", Kind.FORBIDDEN),
    /** No route matches and unmatched requests are denied ({@code authz.defaultAction: deny}). */
    NO_ROUTE("no_route", Kind.FORBIDDEN),
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
}
