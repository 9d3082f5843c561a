package io.jwtsidecar.authz;

/**
 * A forward-auth request the sidecar will not judge (HTTP 400, RFC 6750 {@code invalid_request}):
 * the proxy's description of the original request is missing, contradicts itself or is not
 * well-formed, or the request carries more than one token. Names the header or field at fault.
 */
public final class ForwardAuthException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String reason;

    public ForwardAuthException(String field, String message) {
        super(message, null, false, false);
        this.field = field;
        this.reason = message;
    }

    /** What is wrong, in one sentence (the message, never null). */
    public String reason() {
        return reason;
    }

    /** The header or field at fault, e.g. {@code X-Forwarded-Uri}. */
    public String field() {
        return field;
    }
}
