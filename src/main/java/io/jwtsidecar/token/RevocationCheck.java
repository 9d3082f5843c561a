package io.jwtsidecar.token;

/**
 * The last step of verification: is this otherwise valid token revoked, and can the answer be
 * trusted? Implemented outside this package (by the revocation store and the feed) so the
 * verifier knows nothing of RocksDB or Kafka. Called from event-loop threads: must not block
 * for long and must be thread-safe.
 */
@FunctionalInterface
public interface RevocationCheck {

    /** The answer for one token. */
    enum Status { NOT_REVOKED, REVOKED, STALE }

    /**
     * @param token      the verified token
     * @param clockSkewSeconds the issuer's skew, subtracted from {@code iat} before comparing
     *                   with a rule's time (fail closed)
     */
    Status check(VerifiedToken token, long clockSkewSeconds);

    /** For tests and tools that verify without revocation data. */
    RevocationCheck NONE = (token, skew) -> Status.NOT_REVOKED;
}
