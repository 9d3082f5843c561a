package io.jwtsidecar.idp;

/**
 * Why a security event token was refused, in the closed vocabulary of the "Security Event Token
 * Error Codes" registry (RFC 8935 §2.4 and §7.1), shared by push (the 400's {@code err}) and poll
 * (the {@code setErrs} entry, RFC 8936 §2.4.4).
 */
public enum SetError {
    /** The request or the SET is malformed: not a JWT, a claim missing or of the wrong type, a replay. */
    INVALID_REQUEST("invalid_request"),
    /** The key that signed the SET is unknown, not bound to its algorithm, or the signature does not hold. */
    INVALID_KEY("invalid_key"),
    /** The SET's issuer is not the configured transmitter. */
    INVALID_ISSUER("invalid_issuer"),
    /** The SET is not addressed to this receiver's audience. */
    INVALID_AUDIENCE("invalid_audience"),
    /** The transmitter did not present the configured push credential. */
    AUTHENTICATION_FAILED("authentication_failed"),
    /** The transmitter may not revoke for the subject's issuer. */
    ACCESS_DENIED("access_denied");

    private final String code;

    SetError(String code) {
        this.code = code;
    }

    /** The registered code, e.g. {@code invalid_key}. */
    public String code() {
        return code;
    }
}
