package io.jwtsidecar.token.keys;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import javax.crypto.Mac;
import javax.crypto.SecretKey;

/**
 * One trusted key, bound to exactly one algorithm (RFC 8725 §3.1): a token whose header names
 * another algorithm is never checked with this key, so an RSA public key can never be used as
 * an HMAC secret.
 *
 * <p>The constructor refuses weak or mismatched keys (short HMAC secrets, RSA under 2048 bits,
 * an EC key on the wrong curve) with {@link IllegalArgumentException}. Immutable and safe to
 * share between threads; {@link #verify} creates its JCA objects per call.
 */
public final class VerificationKey {
    private static final int MIN_RSA_BITS = 2048;

    private final String kid;
    private final JwsAlgorithm algorithm;
    private final Key key;

    /**
     * @param kid the key id tokens name in their header, or {@code null} for a key without one
     * @throws IllegalArgumentException when the key does not suit the algorithm or is too weak
     */
    public VerificationKey(String kid, JwsAlgorithm algorithm, Key key) {
        this.kid = kid;
        this.algorithm = algorithm;
        this.key = plainRsa(key);
        checkStrength();
    }

    /** The key id, or {@code null}. */
    public String kid() {
        return kid;
    }

    public JwsAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * Checks a JWS signature over {@code signingInput} (ASCII of {@code header.payload}).
     *
     * @return true only for a valid signature; a malformed signature is simply invalid
     */
    public boolean verify(byte[] signingInput, byte[] signature) {
        try {
            switch (algorithm.family()) {
                case HMAC: {
                    Mac mac = Mac.getInstance(algorithm.jcaName());
                    mac.init(key);
                    // Constant-time comparison: no timing oracle on the expected MAC.
                    return MessageDigest.isEqual(mac.doFinal(signingInput), signature);
                }
                case RSA:
                    return verifyWith(Signature.getInstance(algorithm.jcaName()), signingInput, signature);
                case RSA_PSS: {
                    Signature s = Signature.getInstance("RSASSA-PSS");
                    MGF1ParameterSpec mgf = new MGF1ParameterSpec(algorithm.jcaName());
                    s.setParameter(new PSSParameterSpec(algorithm.jcaName(), "MGF1", mgf, algorithm.size(), 1));
                    return verifyWith(s, signingInput, signature);
                }
                case EC:
                    if (!isCanonicalEcdsa(signature)) {
                        return false;
                    }
                    return verifyWith(Signature.getInstance(algorithm.jcaName()), signingInput, signature);
                case EDDSA:
                    return verifyWith(Signature.getInstance("EdDSA"), signingInput, signature);
                default:
                    return false;
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            // Any failure inside the provider is a rejection, never a pass (CVE-2025-49001 class).
            return false;
        }
    }

    private boolean verifyWith(Signature s, byte[] signingInput, byte[] signature) throws GeneralSecurityException {
        s.initVerify((PublicKey) key);
        s.update(signingInput);
        return s.verify(signature);
    }

    /**
     * JWS ECDSA signatures are R‖S, each exactly the curve's size (RFC 7518 §3.4). Also refuses
     * r or s outside [1, n-1] before the provider sees them: the all-zero "psychic signature"
     * (CVE-2022-21449) must fail even on a JDK without the fix.
     */
    private boolean isCanonicalEcdsa(byte[] signature) {
        int n = algorithm.size();
        if (signature.length != 2 * n) {
            return false;
        }
        BigInteger order = ((ECPublicKey) key).getParams().getOrder();
        BigInteger r = new BigInteger(1, java.util.Arrays.copyOfRange(signature, 0, n));
        BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(signature, n, 2 * n));
        return r.signum() > 0 && s.signum() > 0 && r.compareTo(order) < 0 && s.compareTo(order) < 0;
    }

    private void checkStrength() {
        switch (algorithm.family()) {
            case HMAC:
                if (!(key instanceof SecretKey) || key.getEncoded() == null) {
                    throw new IllegalArgumentException(algorithm + " needs a secret key, not " + describe(key));
                }
                if (key.getEncoded().length < algorithm.size()) {
                    throw new IllegalArgumentException(algorithm + " secret is " + key.getEncoded().length
                            + " bytes; at least " + algorithm.size() + " are required (RFC 7518 §3.2)");
                }
                break;
            case RSA:
            case RSA_PSS:
                if (!(key instanceof RSAPublicKey)) {
                    throw new IllegalArgumentException(algorithm + " needs an RSA public key, not " + describe(key));
                }
                int bits = ((RSAPublicKey) key).getModulus().bitLength();
                if (bits < MIN_RSA_BITS) {
                    throw new IllegalArgumentException("RSA key is " + bits + " bits; at least "
                            + MIN_RSA_BITS + " are required");
                }
                break;
            case EC:
                if (!(key instanceof ECPublicKey)) {
                    throw new IllegalArgumentException(algorithm + " needs an EC public key, not " + describe(key));
                }
                if (!onCurve((ECPublicKey) key, curveFor(algorithm))) {
                    int fieldBits = ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize();
                    throw new IllegalArgumentException(algorithm + " needs a key on " + curveFor(algorithm)
                            + " (RFC 7518 §3.4), not on another " + fieldBits + "-bit curve");
                }
                break;
            case EDDSA:
                if (!(key instanceof EdECKey) || !(key instanceof PublicKey)) {
                    throw new IllegalArgumentException("EdDSA needs an Ed25519 or Ed448 public key, not " + describe(key));
                }
                break;
            default:
                throw new IllegalArgumentException("unsupported algorithm " + algorithm);
        }
    }

    /** Same curve means same field, coefficients, generator and order; the field size alone admits e.g. secp256k1. */
    private static boolean onCurve(ECPublicKey key, String curveName) {
        ECParameterSpec expected;
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec(stdName(curveName)));
            expected = params.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM does not know the curve " + curveName, e);
        }
        ECParameterSpec actual = key.getParams();
        return actual.getCurve().equals(expected.getCurve())
                && actual.getGenerator().equals(expected.getGenerator())
                && actual.getOrder().equals(expected.getOrder())
                && actual.getCofactor() == expected.getCofactor();
    }

    private static String stdName(String joseCurve) {
        switch (joseCurve) {
            case "P-256": return "secp256r1";
            case "P-384": return "secp384r1";
            default: return "secp521r1";
        }
    }

    private static String curveFor(JwsAlgorithm a) {
        switch (a) {
            case ES256: return "P-256";
            case ES384: return "P-384";
            default: return "P-521";
        }
    }

    private static String describe(Key key) {
        return key == null ? "no key" : "a " + key.getAlgorithm() + " " + (key instanceof PublicKey ? "public key" : "key");
    }

    /**
     * An RSA key typed "RSASSA-PSS" (the PSS-restricted OID) carries the same modulus and
     * exponent as a plain RSA key, but some providers (AWS-LC) refuse it for RSASSA-PSS
     * signatures; re-typing it as plain RSA works everywhere.
     */
    private static Key plainRsa(Key key) {
        if (key instanceof RSAPublicKey && "RSASSA-PSS".equals(key.getAlgorithm())) {
            RSAPublicKey rsa = (RSAPublicKey) key;
            try {
                return KeyFactory.getInstance("RSA").generatePublic(
                        new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot use RSASSA-PSS key: " + e.getMessage(), e);
            }
        }
        return key;
    }

    /** Same kid, algorithm and key material. */
    boolean sameAs(VerificationKey other) {
        return java.util.Objects.equals(kid, other.kid) && algorithm == other.algorithm
                && java.util.Arrays.equals(key.getEncoded(), other.key.getEncoded());
    }

    @Override
    public String toString() {
        return "VerificationKey[kid=" + kid + ", alg=" + algorithm + "]";
    }
}
