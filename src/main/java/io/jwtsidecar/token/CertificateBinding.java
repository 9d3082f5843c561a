package io.jwtsidecar.token;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.MessageDigest;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Mutual-TLS certificate-bound access tokens (RFC 8705 §3): a token whose {@code cnf} claim
 * carries {@code x5t#S256} is only good when presented together with the client certificate it
 * was issued to, i.e. when the SHA-256 of that certificate's DER encoding equals the thumbprint.
 *
 * <ul>
 *   <li>A token without {@code cnf.x5t#S256} is returned unchanged, and the certificate is never
 *       asked for: the bearer path neither parses a header nor hashes anything.</li>
 *   <li>A bound token without a certificate is {@link Verdict#CERTIFICATE_MISSING}; with
 *       another certificate {@link Verdict#CERTIFICATE_MISMATCH}; both are 401
 *       {@code invalid_token} (RFC 8705 §3). The digests are compared in constant time.</li>
 *   <li>A thumbprint that is not a string, or not the strict base64url of 32 bytes, is
 *       {@link Verdict#MALFORMED}: no certificate could ever match it.</li>
 * </ul>
 *
 * <p>Applied on every use, after the verifier and its cache: the certificate belongs to the
 * request, never to the token. Stateless and thread-safe.
 */
public final class CertificateBinding {
    /** The confirmation method of RFC 8705 §3.1. */
    public static final String THUMBPRINT = "x5t#S256";
    private static final int SHA_256_BYTES = 32;

    private CertificateBinding() {
    }

    /**
     * @param outcome          what the verifier said
     * @param certificateSha256 the SHA-256 of the DER of the client certificate that came with
     *                         the request, or null when none did; called only for a bound token
     * @return {@code outcome} itself unless it accepts a bound token the certificate does not match
     */
    public static VerificationOutcome check(VerificationOutcome outcome, Supplier<byte @Nullable []> certificateSha256) {
        if (!outcome.isAccepted()) {
            return outcome;
        }
        JsonNode cnf = outcome.token().claims().get("cnf");
        JsonNode thumbprint = cnf == null || !cnf.isObject() ? null : cnf.get(THUMBPRINT);
        if (thumbprint == null) {
            return outcome;
        }
        byte[] expected = thumbprint.isTextual() ? decode(thumbprint.textValue()) : null;
        if (expected == null || expected.length != SHA_256_BYTES) {
            return VerificationOutcome.rejected(Verdict.MALFORMED, "cnf x5t#S256 is not the base64url of a SHA-256");
        }
        byte[] actual = certificateSha256.get();
        if (actual == null) {
            return VerificationOutcome.rejected(Verdict.CERTIFICATE_MISSING,
                    "the token is bound to a client certificate and none came with the request");
        }
        if (!MessageDigest.isEqual(expected, actual)) {
            return VerificationOutcome.rejected(Verdict.CERTIFICATE_MISMATCH,
                    "the token is bound to another client certificate");
        }
        return outcome;
    }

    private static byte @Nullable [] decode(String s) {
        return Base64Url.decode(s, 0, s.length());
    }
}
