package io.jwtsidecar.token.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import io.jwtsidecar.testing.TestKeys;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Provider;
import java.security.Security;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 7638 thumbprints of verification keys: the RFC's own example, and agreement with
 * nimbus-jose-jwt (an implementation independent of jjwt, which computes ours) for every kind of
 * key the sidecar verifies with, whichever provider made the key object.
 */
class JwkThumbprintTest {
    /** RFC 7638 §3.1: the example RSA key and its thumbprint. */
    private static final String RFC_N = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
            + "BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSq"
            + "zs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqb"
            + "w0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    private static final String RFC_E = "AQAB";
    private static final String RFC_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

    private static BigInteger unsigned(String base64Url) {
        return new BigInteger(1, Base64.getUrlDecoder().decode(base64Url));
    }

    /** nimbus-jose-jwt's thumbprint of the same key. */
    private static String nimbus(Key key) throws JOSEException {
        if (key instanceof SecretKey secret) {
            return new OctetSequenceKey.Builder(secret).build().computeThumbprint().toString();
        }
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).build().computeThumbprint().toString();
        }
        if (key instanceof ECPublicKey ec) {
            return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).build().computeThumbprint().toString();
        }
        // An Ed25519 or Ed448 key: its X.509 encoding ends with the raw public key (RFC 8410).
        byte[] spki = key.getEncoded();
        boolean ed448 = spki.length == 12 + 57;
        byte[] x = Arrays.copyOfRange(spki, spki.length - (ed448 ? 57 : 32), spki.length);
        return new OctetKeyPair.Builder(ed448 ? Curve.Ed448 : Curve.Ed25519, Base64URL.encode(x)).build()
                .computeThumbprint().toString();
    }

    @Test
    void the_example_key_of_rfc_7638_has_the_thumbprint_the_rfc_gives() throws GeneralSecurityException {
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(unsigned(RFC_N), unsigned(RFC_E)));

        assertThat(new VerificationKey(null, JwsAlgorithm.RS256, key).thumbprint()).isEqualTo(RFC_THUMBPRINT);
    }

    @ParameterizedTest(name = "the thumbprint of a {0} key agrees with nimbus-jose-jwt's")
    @EnumSource(JwsAlgorithm.class)
    void the_thumbprint_of_every_supported_key_agrees_with_nimbus(JwsAlgorithm alg) throws JOSEException {
        Key key = TestKeys.generate(alg).verificationKey();

        String thumbprint = new VerificationKey("k1", alg, key).thumbprint();

        assertThat(thumbprint).isEqualTo(nimbus(key)).hasSize(43);
    }

    @Test
    void the_thumbprint_of_an_ed448_key_agrees_with_nimbus() throws JOSEException {
        PublicKey key = TestKeys.jcaPair("Ed448", null).getPublic();

        assertThat(new VerificationKey(null, JwsAlgorithm.EdDSA, key).thumbprint()).isEqualTo(nimbus(key));
    }

    static Stream<Arguments> shortCoordinates() {
        return Stream.of(Arguments.of("secp256r1", JwsAlgorithm.ES256, 32), Arguments.of("secp384r1", JwsAlgorithm.ES384, 48),
                Arguments.of("secp521r1", JwsAlgorithm.ES512, 66));
    }

    /** A coordinate with a leading zero byte happens once in 128 keys; it must still be the field's size. */
    @ParameterizedTest(name = "a {1} key whose x has a leading zero byte agrees with nimbus-jose-jwt")
    @MethodSource("shortCoordinates")
    void ec_coordinates_are_padded_to_the_field_size(String curve, JwsAlgorithm alg, int size) throws JOSEException {
        ECPublicKey key = null;
        for (int i = 0; i < 10_000 && key == null; i++) {
            ECPublicKey candidate = (ECPublicKey) TestKeys.jcaPair("EC", curve).getPublic();
            if (candidate.getW().getAffineX().bitLength() <= 8 * size - 8) {
                key = candidate;
            }
        }
        assertThat(key).as("a key with a short x in 10,000 tries").isNotNull();

        assertThat(new VerificationKey(null, alg, key).thumbprint()).isEqualTo(nimbus(key));
    }

    static Stream<Arguments> providerKeys() {
        List<Arguments> rows = new ArrayList<>();
        List<Provider> providers = new ArrayList<>(List.of(Security.getProviders()));
        try {
            AmazonCorrettoCryptoProvider.INSTANCE.assertHealthy();
            providers.add(AmazonCorrettoCryptoProvider.INSTANCE);
        } catch (Throwable e) { // NOPMD: no native provider on this machine; the JDK's are still checked
            // nothing to add
        }
        for (JwsAlgorithm alg : List.of(JwsAlgorithm.RS256, JwsAlgorithm.ES256, JwsAlgorithm.ES512, JwsAlgorithm.EdDSA)) {
            PublicKey key = (PublicKey) TestKeys.generate(alg).verificationKey();
            for (Provider p : providers) {
                try {
                    PublicKey again = KeyFactory.getInstance(key.getAlgorithm(), p)
                            .generatePublic(new X509EncodedKeySpec(key.getEncoded()));
                    rows.add(Arguments.of(alg, p.getName(), key, again));
                } catch (GeneralSecurityException e) {
                    // this provider has no key factory for the type
                }
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "a {0} key made by {1}'s key factory has the same thumbprint")
    @MethodSource("providerKeys")
    void the_thumbprint_does_not_depend_on_the_provider_that_made_the_key_object(JwsAlgorithm alg, String provider,
                                                                              PublicKey original, PublicKey again)
            throws JOSEException {
        assertThat(new VerificationKey(null, alg, again).thumbprint())
                .isEqualTo(new VerificationKey(null, alg, original).thumbprint()).isEqualTo(nimbus(original));
    }

    @Test
    void a_key_jose_cannot_describe_is_no_verification_key() {
        KeyPair x25519 = TestKeys.jcaPair("X25519", null);

        assertThrows(IllegalArgumentException.class, () -> new VerificationKey(null, JwsAlgorithm.EdDSA, x25519.getPublic()));
    }
}
