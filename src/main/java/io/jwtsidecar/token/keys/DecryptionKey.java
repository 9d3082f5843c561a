package io.jwtsidecar.token.keys;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Map;
import java.util.Objects;
import javax.crypto.SecretKey;
import org.jspecify.annotations.Nullable;

/**
 * One private (or, for {@code dir}, secret) key that opens encrypted tokens, bound to exactly one
 * key management algorithm, as a signature key is bound to one signature algorithm (RFC 8725
 * §3.1). Checked when made: RSA keys of at least 2048 bits, EC keys on P-256, P-384 or P-521,
 * {@code dir} keys of a length some content encryption takes. Immutable.
 *
 * @param kid the key id a token's JWE header names it by, or null
 * @param alg the one algorithm it is used with
 * @param key an {@link RSAPrivateKey}, an {@link ECPrivateKey} or a {@link SecretKey}
 */
public record DecryptionKey(@Nullable String kid, KeyManagementAlgorithm alg, Key key) {
    private static final int MIN_RSA_BITS = 2048;
    /** The longest kid a token's JWE header may name a key by; a longer configured kid could never be named. */
    public static final int MAX_KID_LENGTH = 256;

    public DecryptionKey {
        Objects.requireNonNull(alg, "alg");
        Objects.requireNonNull(key, "key");
        if (kid != null && kid.length() > MAX_KID_LENGTH) {
            throw new IllegalArgumentException("kid is longer than " + MAX_KID_LENGTH + " characters; no token could name it");
        }
        switch (alg) {
            case RSA_OAEP_256 -> {
                if (!(key instanceof RSAPrivateKey rsa)) {
                    throw new IllegalArgumentException(alg + " needs an RSA private key, got " + key.getAlgorithm());
                }
                if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
                    throw new IllegalArgumentException("RSA key has " + rsa.getModulus().bitLength()
                            + " bits; at least " + MIN_RSA_BITS + " are required");
                }
            }
            case ECDH_ES, ECDH_ES_A256KW -> {
                if (!(key instanceof ECPrivateKey)) {
                    throw new IllegalArgumentException(alg + " needs an EC private key, got " + key.getAlgorithm());
                }
                String crv = curveOf(key); // throws for a curve other than P-256, P-384, P-521
                // Outside [1, n-1] every key agreement fails (d = 0 gives the point at infinity): every
                // encrypted token would be refused as if forged, an outage no configuration error named.
                BigInteger d = ((ECPrivateKey) key).getS();
                if (d.signum() <= 0 || d.compareTo(((ECPrivateKey) key).getParams().getOrder()) >= 0) {
                    throw new IllegalArgumentException(alg + " private key is out of range for " + crv
                            + ": its scalar must be from 1 to the curve order less one");
                }
            }
            case DIR -> {
                byte[] encoded = key instanceof SecretKey ? key.getEncoded() : null;
                if (encoded == null || ContentEncryption.ALL.stream().noneMatch(e -> e.keyBytes() == encoded.length)) {
                    throw new IllegalArgumentException("dir needs a secret key of 16, 32 or 64 bytes");
                }
            }
        }
    }

    /** The JWK {@code crv} of an EC key ({@code P-256}, {@code P-384}, {@code P-521}), else null. */
    public @Nullable String curve() {
        return alg.ecdh() ? curveOf(key) : null;
    }

    /** Whether a {@code dir} key has the length {@code enc} needs; other keys fit every enc. */
    public boolean fits(ContentEncryption enc) {
        return alg != KeyManagementAlgorithm.DIR || key.getEncoded().length == enc.keyBytes();
    }

    private static String curveOf(Key key) {
        ECParameterSpec params = ((ECPrivateKey) key).getParams();
        int bits = params.getCurve().getField().getFieldSize();
        @Nullable String crv = switch (bits) {
            case 256 -> "P-256";
            case 384 -> "P-384";
            case 521 -> "P-521";
            default -> null;
        };
        // The field size alone does not name the curve: secp256k1 and brainpoolP256r1 have 256 bits too.
        ECParameterSpec standard = crv == null ? null : NIST_CURVES.get(crv);
        if (crv == null || standard == null || !standard.getCurve().equals(params.getCurve())
                || !standard.getGenerator().equals(params.getGenerator()) || !standard.getOrder().equals(params.getOrder())) {
            throw new IllegalArgumentException("EC key on a " + bits
                    + "-bit curve that is not P-256, P-384 or P-521; ECDH-ES takes P-256, P-384 or P-521");
        }
        return crv;
    }

    private static final Map<String, ECParameterSpec> NIST_CURVES = Map.of(
            "P-256", nist("secp256r1"), "P-384", nist("secp384r1"), "P-521", nist("secp521r1"));

    private static ECParameterSpec nist(String name) {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec(name));
            return p.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + name, e);
        }
    }

    /** Names the key without its material, for configuration errors. */
    @Override
    public String toString() {
        return "DecryptionKey[kid=" + kid + ", alg=" + alg + "]";
    }
}
