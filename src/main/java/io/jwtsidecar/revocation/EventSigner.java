package io.jwtsidecar.revocation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.util.Base64;
import java.util.Objects;

/**
 * Signs revocation records, so that only holders of a publisher key can make or lift a rule.
 *
 * <p>The signature travels in the record header {@value #HEADER} as a compact JWS:
 * <pre>
 *   header  {"alg":"EdDSA"|"ES256","kid":"&lt;publisher key&gt;","typ":"jwt-sidecar-event+jws"}
 *   payload {"v":1,"topic":"&lt;topic&gt;","key":"&lt;base64url record key&gt;",
 *            "sha256":"&lt;base64url SHA-256 of the record value&gt;","iat":&lt;epoch seconds&gt;}
 * </pre>
 * It binds the exact value bytes to the topic and the record key, so a signed event cannot be
 * moved to another rule or another topic, nor edited. It does not stop a captured record from
 * being written again: the store's monotonic merge does ({@link RuleMerge}).
 *
 * <p>Thread-safe: a {@link Signature} per call (signing is rare: one per admin action).
 */
public final class EventSigner {
    /** The record header that carries the signature. */
    public static final String HEADER = "jwt-sidecar-signature";
    /** The JWS {@code typ} of an event signature. */
    public static final String TYPE = "jwt-sidecar-event+jws";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final String kid;
    private final PrivateKey key;
    private final JwsAlgorithm algorithm;

    /**
     * @param kid the publisher key's name, as the sidecars' {@code revocation.publisherKeys} list it
     * @param key an Ed25519 or P-256 private key
     * @throws IllegalArgumentException for any other key
     */
    public EventSigner(String kid, PrivateKey key) {
        this.kid = Objects.requireNonNull(kid, "kid");
        this.key = Objects.requireNonNull(key, "key");
        this.algorithm = algorithmFor(key);
    }

    /** EdDSA for Ed25519, ES256 for P-256; nothing else signs events. */
    static JwsAlgorithm algorithmFor(PrivateKey key) {
        if (key instanceof EdECPrivateKey ed && ed.getParams().getName().equalsIgnoreCase("Ed25519")) {
            return JwsAlgorithm.EdDSA;
        }
        if (key instanceof ECPrivateKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256
                && ec.getParams().getOrder().bitLength() == 256) {
            return JwsAlgorithm.ES256;
        }
        throw new IllegalArgumentException("an event signing key must be Ed25519 or P-256, not " + key.getAlgorithm());
    }

    public String kid() {
        return kid;
    }

    public JwsAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * The signature header's value for a record.
     *
     * @param key   the record key (the rule key's bytes)
     * @param value the record value (the encoded event)
     */
    public byte[] sign(String topic, byte[] key, byte[] value, long nowSeconds) {
        ObjectNode header = JSON.createObjectNode().put("alg", algorithm.name()).put("kid", kid).put("typ", TYPE);
        ObjectNode payload = JSON.createObjectNode().put("v", 1).put("topic", topic).put("key", B64.encodeToString(key))
                .put("sha256", B64.encodeToString(sha256(value))).put("iat", nowSeconds);
        try {
            String input = B64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + B64.encodeToString(JSON.writeValueAsBytes(payload));
            Signature s = Signature.getInstance(algorithm == JwsAlgorithm.EdDSA ? "Ed25519"
                    : "SHA256withECDSAinP1363Format");
            s.initSign(this.key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return (input + "." + B64.encodeToString(s.sign())).getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Error signing a revocation event with publisher key " + kid, e);
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "EventSigner[kid=" + kid + ", alg=" + algorithm + "]";
    }
}
