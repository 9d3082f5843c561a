package io.jwtsidecar.token.keys;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.SecretKey;

/**
 * The RFC 7638 thumbprint of a key: SHA-256 over the key's required JWK members, base64url
 * without padding. A key's name that no token header can choose, so a {@code kid} revocation
 * rule can name a key that has no {@code kid}, and a token cannot dodge the rule by naming
 * another kid.
 *
 * <p>The hash input is the JSON object of the required members only, in lexicographic order of
 * their names, without whitespace (RFC 7638 §3.2, §3.3):
 * <ul>
 *   <li>RSA: {@code {"e","kty":"RSA","n"}}, unsigned big-endian without leading zero bytes
 *       (RFC 7518 §6.3.1);</li>
 *   <li>EC: {@code {"crv","kty":"EC","x","y"}}, the coordinates padded to the field size, e.g. 66
 *       bytes for P-521 (RFC 7518 §6.2.1.2);</li>
 *   <li>OKP: {@code {"crv","kty":"OKP","x"}}, x the raw public key (RFC 8037 §2);</li>
 *   <li>oct: {@code {"k","kty":"oct"}}, k the secret.</li>
 * </ul>
 * Every value is base64url or a fixed name, so no JSON escaping is ever needed.
 *
 * <p>An HMAC secret's thumbprint is a hash of the secret. It tells an attacker nothing a token
 * signed with the secret (an HMAC over known text) does not already: both allow guessing a weak
 * secret offline, which the minimum secret length is there to prevent.
 *
 * <p>Stateless; safe from any thread.
 */
final class JwkThumbprint {
    /** The NIST curves JWS uses, by JOSE name (RFC 7518 §6.2.1.1). */
    private static final Map<String, ECParameterSpec> CURVES = curves();

    /** DER prefix of an X.509 SubjectPublicKeyInfo holding a raw Ed25519 / Ed448 key (RFC 8410 §4). */
    private static final byte[] ED25519_PREFIX = hex("302a300506032b6570032100");
    private static final byte[] ED448_PREFIX = hex("3043300506032b6571033a00");

    private JwkThumbprint() {
    }

    /**
     * @param key an RSA, EC (P-256, P-384, P-521) or EdDSA (Ed25519, Ed448) public key, or a secret key
     * @return the base64url (unpadded) SHA-256 thumbprint, 43 characters
     * @throws IllegalArgumentException for any other kind of key
     */
    static String of(Key key) {
        return base64Url(sha256(members(key)));
    }

    /** The RFC 7638 hash input: the required members, sorted by name, no whitespace. */
    static String members(Key key) {
        if (key instanceof RSAPublicKey rsa) {
            return "{\"e\":\"" + base64Url(unsigned(rsa.getPublicExponent())) + "\",\"kty\":\"RSA\",\"n\":\""
                    + base64Url(unsigned(rsa.getModulus())) + "\"}";
        }
        if (key instanceof ECPublicKey ec) {
            String crv = curveName(ec.getParams());
            int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
            return "{\"crv\":\"" + crv + "\",\"kty\":\"EC\",\"x\":\"" + base64Url(fixed(ec.getW().getAffineX(), size))
                    + "\",\"y\":\"" + base64Url(fixed(ec.getW().getAffineY(), size)) + "\"}";
        }
        if (key instanceof SecretKey secret && secret.getEncoded() != null) {
            return "{\"k\":\"" + base64Url(secret.getEncoded()) + "\",\"kty\":\"oct\"}";
        }
        byte[] spki = "X.509".equals(key.getFormat()) ? key.getEncoded() : null;
        if (spki != null && startsWith(spki, ED25519_PREFIX) && spki.length == ED25519_PREFIX.length + 32) {
            return okp("Ed25519", Arrays.copyOfRange(spki, ED25519_PREFIX.length, spki.length));
        }
        if (spki != null && startsWith(spki, ED448_PREFIX) && spki.length == ED448_PREFIX.length + 57) {
            return okp("Ed448", Arrays.copyOfRange(spki, ED448_PREFIX.length, spki.length));
        }
        throw new IllegalArgumentException("no JWK thumbprint for a " + key.getAlgorithm() + " key");
    }

    private static String okp(String crv, byte[] x) {
        return "{\"crv\":\"" + crv + "\",\"kty\":\"OKP\",\"x\":\"" + base64Url(x) + "\"}";
    }

    private static String curveName(ECParameterSpec params) {
        for (Map.Entry<String, ECParameterSpec> c : CURVES.entrySet()) {
            ECParameterSpec std = c.getValue();
            if (params.getCurve().equals(std.getCurve()) && params.getGenerator().equals(std.getGenerator())
                    && params.getOrder().equals(std.getOrder()) && params.getCofactor() == std.getCofactor()) {
                return c.getKey();
            }
        }
        throw new IllegalArgumentException("no JWK thumbprint for an EC key on a curve JOSE does not name");
    }

    private static Map<String, ECParameterSpec> curves() {
        Map<String, ECParameterSpec> curves = new LinkedHashMap<>();
        String[][] names = {{"P-256", "secp256r1"}, {"P-384", "secp384r1"}, {"P-521", "secp521r1"}};
        try {
            for (String[] n : names) {
                AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
                p.init(new ECGenParameterSpec(n[1]));
                curves.put(n[0], p.getParameterSpec(ECParameterSpec.class));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM does not know the NIST curves", e);
        }
        return Map.copyOf(curves);
    }

    /** Big-endian, without the sign byte BigInteger adds when the top bit is set. */
    private static byte[] unsigned(BigInteger n) {
        byte[] b = n.toByteArray();
        return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }

    /** Big-endian, left-padded with zeros to exactly {@code size} bytes. */
    private static byte[] fixed(BigInteger n, int size) {
        byte[] b = unsigned(n);
        if (b.length > size) {
            throw new IllegalArgumentException("EC coordinate longer than the field");
        }
        byte[] out = new byte[size];
        System.arraycopy(b, 0, out, size - b.length, b.length);
        return out;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] sha256(String json) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    private static String base64Url(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
