package io.jwtsidecar.token.keys;

import io.jsonwebtoken.security.Jwks;
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
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.EllipticCurve;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import org.jspecify.annotations.Nullable;

/**
 * One trusted key, bound to exactly one algorithm (RFC 8725 §3.1): a token whose header names
 * another algorithm is never checked with this key, so an RSA public key can never be used as
 * an HMAC secret.
 *
 * <p>A key is known by its configured {@code kid} (which a token header merely claims) and by its
 * RFC 7638 {@link #thumbprint() thumbprint}, computed once here from the key material: the name a
 * {@code kid} revocation rule can always use, also for a key configured without a kid.
 *
 * <p>The constructor refuses weak or mismatched keys (short HMAC secrets, RSA under 2048 bits,
 * an EC key on the wrong curve) with {@link IllegalArgumentException}. Safe to share between
 * threads: each thread gets its own initialised JCA engine for this key.
 */
public final class VerificationKey {
    private static final int MIN_RSA_BITS = 2048;
    /**
     * The JDK's own ceiling: the native provider takes longer moduli, and each verification with
     * one costs some hundred times a 2048-bit one's, so a JWKS could make every request slow.
     */
    private static final int MAX_RSA_BITS = 16384;

    private final @Nullable String kid;
    private final JwsAlgorithm algorithm;
    private final Key key;
    private final String thumbprint;
    private final ThreadLocal<Object> engines = ThreadLocal.withInitial(this::newEngine);

    /**
     * @param kid the key id tokens name in their header, or {@code null} for a key without one
     * @throws IllegalArgumentException when the key does not suit the algorithm or is too weak
     */
    public VerificationKey(@Nullable String kid, JwsAlgorithm algorithm, Key key) {
        this.kid = kid;
        this.algorithm = algorithm;
        this.key = plainRsa(key);
        checkStrength();
        this.thumbprint = thumbprintOf(this.key);
    }

    /**
     * The RFC 7638 thumbprint (SHA-256 over the key's required JWK members): a name for the key
     * that no token header can choose, so a {@code kid} rule can name a key without a kid and a
     * token cannot dodge the rule by naming another. jjwt, which reads the sidecar's JWKS, computes
     * it. An HMAC secret's thumbprint is a hash of the secret; it tells an attacker no more than a
     * token signed with the secret does (both allow guessing a weak secret offline, which the
     * minimum secret length prevents).
     */
    private static String thumbprintOf(Key key) {
        try {
            if (key instanceof SecretKey secret) {
                return Jwks.builder().key(secret).build().thumbprint().toString();
            }
            return Jwks.builder().key((PublicKey) key).build().thumbprint().toString();
        } catch (RuntimeException e) { // NOPMD: jjwt refuses a key it cannot describe with several kinds
            // The documented refusal of this constructor, whatever jjwt finds that checkStrength did not.
            throw new IllegalArgumentException("not a usable key: " + e.getMessage(), e);
        }
    }

    /**
     * The public key a JWK (JSON text) describes, bound to {@code algorithm}: for keys a request
     * carries, such as a DPoP proof's {@code jwk} header. The caller refuses private members first;
     * a private or secret key is refused here too.
     *
     * @throws IllegalArgumentException when it is not a public JWK that suits the algorithm
     */
    public static VerificationKey ofPublicJwk(String json, JwsAlgorithm algorithm) {
        Key key;
        try {
            key = Jwks.parser().build().parse(json).toKey();
        } catch (RuntimeException e) { // NOPMD: jjwt throws several kinds for an unusable JWK
            throw new IllegalArgumentException("not a usable JWK: " + e.getMessage(), e);
        }
        if (!(key instanceof PublicKey)) {
            throw new IllegalArgumentException("not a public key");
        }
        return new VerificationKey(null, algorithm, key);
    }

    /** The key id, or {@code null}. */
    public @Nullable String kid() {
        return kid;
    }

    public JwsAlgorithm algorithm() {
        return algorithm;
    }

    /** The key's RFC 7638 JWK thumbprint (SHA-256, base64url without padding); never null. */
    public String thumbprint() {
        return thumbprint;
    }

    /**
     * Checks a JWS signature over {@code signingInput} (ASCII of {@code header.payload}).
     *
     * @return true only for a valid signature; a malformed signature is simply invalid
     */
    public boolean verify(byte[] signingInput, byte[] signature) {
        if (algorithm.family() == JwsAlgorithm.Family.EC && !isCanonicalEcdsa(signature)) {
            return false;
        }
        try {
            Object engine = engines.get();
            if (engine instanceof Mac) {
                // doFinal leaves the Mac ready for the next input. Constant-time comparison: no timing oracle.
                return MessageDigest.isEqual(((Mac) engine).doFinal(signingInput), signature);
            }
            // verify() returns the Signature to its initialised state, ready for the next token.
            Signature s = (Signature) engine;
            s.update(signingInput);
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            // The engine's state is unknown now: the thread gets a fresh one next time. And any failure
            // inside the provider is a rejection, never a pass (CVE-2025-49001 class).
            engines.remove();
            return false;
        }
    }

    /**
     * A Mac or Signature for this key, initialised once per thread: creating and initialising
     * JCA engines costs more than an HMAC over a token.
     */
    private Object newEngine() {
        try {
            switch (algorithm.family()) {
                case HMAC: {
                    Mac mac = Mac.getInstance(algorithm.jcaName());
                    mac.init(key);
                    return mac;
                }
                case RSA_PSS: {
                    Signature s = Signature.getInstance("RSASSA-PSS");
                    MGF1ParameterSpec mgf = new MGF1ParameterSpec(algorithm.jcaName());
                    s.setParameter(new PSSParameterSpec(algorithm.jcaName(), "MGF1", mgf, algorithm.size(), 1));
                    s.initVerify((PublicKey) key);
                    return s;
                }
                default: {
                    Signature s = Signature.getInstance(algorithm.family() == JwsAlgorithm.Family.EDDSA
                            ? "EdDSA" : algorithm.jcaName());
                    s.initVerify((PublicKey) key);
                    return s;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up " + algorithm + " verification: " + e.getMessage(), e);
        }
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
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, n));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, n, 2 * n));
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
                if (bits > MAX_RSA_BITS) {
                    throw new IllegalArgumentException("RSA key is " + bits + " bits; at most "
                            + MAX_RSA_BITS + " are taken");
                }
                // Checked here, not left to the key factory: providers differ (AWS-LC accepts e = 1).
                BigInteger e = ((RSAPublicKey) key).getPublicExponent();
                if (e.compareTo(BigInteger.valueOf(3)) < 0 || !e.testBit(0)) {
                    throw new IllegalArgumentException("RSA public exponent must be odd and at least 3, got " + e);
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
                if (!pointOnCurve((ECPublicKey) key)) {
                    // Key factories take any point; a point off the curve is an invalid-curve attack's key.
                    throw new IllegalArgumentException(algorithm + " key's point is not on " + curveFor(algorithm));
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

    /** The affine point is in the field and satisfies y² = x³ + ax + b (mod p); the infinity point is not a key. */
    private static boolean pointOnCurve(ECPublicKey key) {
        ECPoint w = key.getW();
        if (ECPoint.POINT_INFINITY.equals(w)) {
            return false;
        }
        EllipticCurve curve = key.getParams().getCurve();
        BigInteger p = ((ECFieldFp) curve.getField()).getP();
        BigInteger x = w.getAffineX();
        BigInteger y = w.getAffineY();
        if (x.signum() < 0 || y.signum() < 0 || x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger right = x.pow(3).add(curve.getA().multiply(x)).add(curve.getB()).mod(p);
        return y.multiply(y).mod(p).equals(right);
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
        return Objects.equals(kid, other.kid) && algorithm == other.algorithm
                && Arrays.equals(key.getEncoded(), other.key.getEncoded());
    }

    @Override
    public String toString() {
        return "VerificationKey[kid=" + kid + ", alg=" + algorithm + ", thumbprint=" + thumbprint + "]";
    }
}
