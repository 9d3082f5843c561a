package io.jwtsidecar.token;

/**
 * The last step of verification: is this otherwise valid token revoked, and can the answer be
 * trusted? Implemented outside this package (by the revocation store and the feed) so the
 * verifier knows nothing of RocksDB or Kafka. Called from event-loop threads: must not block
 * for long and must be thread-safe.
 */
@FunctionalInterface
public interface RevocationCheck {

    /**
     * The answer for one token. {@code STALE}: the data is too old to trust and the policy is
     * fail-closed. {@code NOT_REVOKED_STALE}: no rule matches, but the data is too old and the
     * policy is fail-open, so the token passes with a warning.
     */
    enum Status { NOT_REVOKED, REVOKED, STALE, NOT_REVOKED_STALE }

    /**
     * @param token      the verified token
     * @param clockSkewSeconds the issuer's skew, subtracted from {@code iat} before comparing
     *                   with a rule's time (fail closed)
     */
    Status check(VerifiedToken token, long clockSkewSeconds);

    /** For tests and tools that verify without revocation data. */
    RevocationCheck NONE = (token, skew) -> Status.NOT_REVOKED;
}
