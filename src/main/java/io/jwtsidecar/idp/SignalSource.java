package io.jwtsidecar.idp;

/**
 * Where a revocation from an identity provider came in: the label of its metrics, audit lines and
 * event reasons.
 */
public enum SignalSource {
    /** OpenID Connect Back-Channel Logout 1.0: a logout token POSTed by the provider. */
    BACKCHANNEL_LOGOUT("backchannel_logout"),
    /** Shared Signals: a security event token pushed to the sidecar (RFC 8935). */
    SSF_PUSH("ssf_push"),
    /** Shared Signals: a security event token fetched from the transmitter (RFC 8936). */
    SSF_POLL("ssf_poll"),
    /** An access or refresh token handed to {@code POST /oauth2/revoke} (RFC 7009). */
    TOKEN_REVOCATION("token_revocation");

    private final String label;

    SignalSource(String label) {
        this.label = label;
    }

    /** The lower-case name in metrics, audit lines and event reasons. */
    public String label() {
        return label;
    }
}
