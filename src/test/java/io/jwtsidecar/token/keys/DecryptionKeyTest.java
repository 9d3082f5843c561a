package io.jwtsidecar.token.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.EllipticCurve;
import org.junit.jupiter.api.Test;

/** What a decryption key must be when it is made, beyond its type. */
class DecryptionKeyTest {

    /** secp256k1 (SEC 2 §2.4.1): a 256-bit prime field like P-256's, and another curve. */
    private static final ECParameterSpec SECP256K1 = new ECParameterSpec(
            new EllipticCurve(new ECFieldFp(new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F", 16)),
                    BigInteger.ZERO, BigInteger.valueOf(7)),
            new ECPoint(new BigInteger("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798", 16),
                    new BigInteger("483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8", 16)),
            new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16), 1);

    private static ECPrivateKey onCurve(ECParameterSpec params) {
        return withScalar(params, BigInteger.TWO);
    }

    /** A key whose private scalar is {@code d}, whatever it is: key factories refuse few values. */
    private static ECPrivateKey withScalar(ECParameterSpec params, BigInteger d) {
        return new ECPrivateKey() {
            @Override
            public BigInteger getS() {
                return d;
            }

            @Override
            public ECParameterSpec getParams() {
                return params;
            }

            @Override
            public String getAlgorithm() {
                return "EC";
            }

            @Override
            public String getFormat() {
                return "PKCS#8";
            }

            @Override
            public byte[] getEncoded() {
                return new byte[0];
            }
        };
    }

    @Test
    void an_ec_key_on_another_256_bit_curve_is_not_taken_for_p256() {
        assertThatThrownBy(() -> new DecryptionKey("k1", KeyManagementAlgorithm.ECDH_ES, onCurve(SECP256K1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("P-256, P-384 or P-521");
    }

    /**
     * A private scalar outside [1, n-1] makes every key agreement fail (d = 0 gives the point at
     * infinity), so every encrypted token would be refused as if forged: refused when the key is
     * made, where the configuration error names it, not found later as an outage.
     */
    @Test
    void an_ec_private_scalar_outside_one_to_the_order_is_refused_when_the_key_is_made() throws Exception {
        for (String[] curve : new String[][] {{"secp256r1", "P-256"}, {"secp384r1", "P-384"}, {"secp521r1", "P-521"}}) {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec(curve[0]));
            ECParameterSpec params = ((ECPrivateKey) gen.generateKeyPair().getPrivate()).getParams();
            BigInteger n = params.getOrder();

            for (BigInteger d : new BigInteger[] {BigInteger.ZERO, n, n.add(BigInteger.ONE), BigInteger.ONE.negate(),
                    BigInteger.ONE.shiftLeft(params.getCurve().getField().getFieldSize()).subtract(BigInteger.ONE)}) {
                assertThatThrownBy(() -> new DecryptionKey("k", KeyManagementAlgorithm.ECDH_ES, withScalar(params, d)))
                        .as("%s, d = %s", curve[1], d)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("private key is out of range for " + curve[1]);
            }
            assertThat(new DecryptionKey("k", KeyManagementAlgorithm.ECDH_ES, withScalar(params, n.subtract(BigInteger.ONE)))
                    .curve()).isEqualTo(curve[1]);
        }
    }

    /** A token's kid longer than 256 characters names no key, so a key with such a kid could never be used. */
    @Test
    void a_kid_no_token_can_name_is_refused_when_the_key_is_made() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        java.security.PrivateKey key = gen.generateKeyPair().getPrivate();

        assertThat(new DecryptionKey("k".repeat(256), KeyManagementAlgorithm.ECDH_ES, key).kid()).hasSize(256);
        assertThatThrownBy(() -> new DecryptionKey("k".repeat(257), KeyManagementAlgorithm.ECDH_ES, key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("256");
    }

    @Test
    void ec_keys_on_the_three_nist_curves_are_named_by_their_crv() throws Exception {
        for (String[] curve : new String[][] {{"secp256r1", "P-256"}, {"secp384r1", "P-384"}, {"secp521r1", "P-521"}}) {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec(curve[0]));

            DecryptionKey key = new DecryptionKey("k", KeyManagementAlgorithm.ECDH_ES_A256KW, gen.generateKeyPair().getPrivate());

            assertThat(key.curve()).isEqualTo(curve[1]);
        }
    }
}
