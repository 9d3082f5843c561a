package io.jwtsidecar.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds compact JWS byte by byte with plain JCA, so tests can forge what no JWT library would
 * produce: any header, any payload text, any signature bytes. Accept tests mint with jjwt
 * instead, as an independent implementation.
 */
public final class JwsForge {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private JwsForge() {
    }

    public static String b64(String text) {
        return B64.encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String b64(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    public static String json(Map<String, ?> map) {
        try {
            return JSON.writeValueAsString(map);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** header.payload of JSON texts, unsigned. */
    public static String signingInput(String headerJson, String payloadJson) {
        return b64(headerJson) + "." + b64(payloadJson);
    }

    public static String hmac(String jcaName, byte[] secret, String signingInput) {
        try {
            Mac mac = Mac.getInstance(jcaName);
            mac.init(new SecretKeySpec(secret, jcaName));
            return signingInput + "." + b64(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs with a JCA signature algorithm (e.g. SHA256withECDSAinP1363Format, SHA256withRSA, Ed25519). */
    public static String sign(String jcaName, PrivateKey key, String signingInput) {
        try {
            Signature s = Signature.getInstance(jcaName);
            s.initSign(key);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RSASSA-PSS with the JWS parameters for a digest (SHA-256 → PS256). */
    public static String signPss(String digest, int saltLength, PrivateKey key, String signingInput) {
        try {
            Signature s = Signature.getInstance("RSASSA-PSS");
            s.setParameter(new PSSParameterSpec(digest, "MGF1", new MGF1ParameterSpec(digest), saltLength, 1));
            s.initSign(key);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
