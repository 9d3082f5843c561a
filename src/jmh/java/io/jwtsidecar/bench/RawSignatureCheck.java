package io.jwtsidecar.bench;

import io.jwtsidecar.token.keys.JwsAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Base64;
import javax.crypto.Mac;

/**
 * The floor under the sidecar's uncached verify: the JCA engine alone, called the cheapest way a
 * caller can (initialised once, then {@code update} and {@code verify}/{@code doFinal} per
 * token), over the token's own signing input and signature bytes, decoded once at setup.
 *
 * <p>No conversion is left for the measured call: ES256 uses the provider's
 * {@code SHA256withECDSAinP1363Format}, which takes JWS's R‖S as it is (the sidecar uses the same
 * name), so no DER encoding is needed; HS256 compares the MAC in constant time, as a verifier must.
 * What the sidecar does on top (size cap, strict base64url and JSON parse, header checks, issuer
 * and key selection, the ECDSA r/s range check, claims, the verified token) is the overhead the
 * ratio {@code uncached ÷ rawSignature} measures.
 *
 * <p>One engine per instance: not thread-safe (the benchmark runs one thread per state).
 */
final class RawSignatureCheck {
    private final byte[] signingInput;
    private final byte[] signature;
    private final Mac mac;
    private final Signature verifier;

    private RawSignatureCheck(byte[] signingInput, byte[] signature, Mac mac, Signature verifier) {
        this.signingInput = signingInput;
        this.signature = signature;
        this.mac = mac;
        this.verifier = verifier;
    }

    /** The engine for {@code m}'s algorithm and key, over {@code token}'s signing input and signature. */
    static RawSignatureCheck of(BenchSetup.Material m, String token) {
        int lastDot = token.lastIndexOf('.');
        byte[] input = token.substring(0, lastDot).getBytes(StandardCharsets.US_ASCII);
        byte[] sig = Base64.getUrlDecoder().decode(token.substring(lastDot + 1));
        try {
            if (m.alg.family() == JwsAlgorithm.Family.HMAC) {
                Mac mac = Mac.getInstance(hmacName(m.alg));
                mac.init(m.verificationKey);
                return new RawSignatureCheck(input, sig, mac, null);
            }
            Signature s = Signature.getInstance(signatureName(m.alg));
            if (m.alg.family() == JwsAlgorithm.Family.RSA_PSS) {
                s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            }
            s.initVerify((PublicKey) m.verificationKey);
            return new RawSignatureCheck(input, sig, null, s);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up the raw " + m.alg + " check: " + e.getMessage(), e);
        }
    }

    private static String hmacName(JwsAlgorithm alg) {
        if (alg != JwsAlgorithm.HS256) {
            throw new IllegalArgumentException("the raw check covers HS256 among the HMACs, not " + alg);
        }
        return "HmacSHA256";
    }

    private static String signatureName(JwsAlgorithm alg) {
        switch (alg) {
            case RS256: return "SHA256withRSA";
            case PS256: return "RSASSA-PSS";
            case ES256: return "SHA256withECDSAinP1363Format";
            case EdDSA: return "Ed25519";
            default: throw new IllegalArgumentException("no raw check set up for " + alg);
        }
    }

    /** The provider that serves the measured engine (resolved: JCA picks it at init). */
    String providerName() {
        return mac != null ? mac.getProvider().getName() : verifier.getProvider().getName();
    }

    /** One signature check: true only when the token's signature holds. */
    boolean verify() throws GeneralSecurityException {
        if (mac != null) {
            return MessageDigest.isEqual(mac.doFinal(signingInput), signature);
        }
        verifier.update(signingInput);
        return verifier.verify(signature);
    }

    /** The same check over a signature with one bit changed (setup only: proves the check can fail). */
    boolean verifyFlipped() throws GeneralSecurityException {
        byte[] flipped = signature.clone();
        flipped[flipped.length / 2] ^= 1;
        if (mac != null) {
            return MessageDigest.isEqual(mac.doFinal(signingInput), flipped);
        }
        verifier.update(signingInput);
        return verifier.verify(flipped);
    }
}
