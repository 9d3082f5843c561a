package io.jwtsidecar.token.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import io.jsonwebtoken.security.Jwks;
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
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
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
 * RFC 7638 thumbprints: the RFC's own example, and agreement with jjwt's independent
 * implementation for every kind of key the sidecar verifies with.
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

    /** jjwt's thumbprint of the same key: an implementation independent of ours. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static String jjwt(Key key) {
        if (key instanceof SecretKey secret) {
            return Jwks.builder().key(secret).build().thumbprint().toString();
        }
        return Jwks.builder().key((PublicKey) key).build().thumbprint().toString();
    }

    @Test
    void the_example_key_of_rfc_7638_has_the_thumbprint_the_rfc_gives() throws GeneralSecurityException {
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(unsigned(RFC_N), unsigned(RFC_E)));

        assertThat(JwkThumbprint.members(key)).isEqualTo("{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"" + RFC_N + "\"}");
        assertThat(JwkThumbprint.of(key)).isEqualTo(RFC_THUMBPRINT);
        assertThat(new VerificationKey(null, JwsAlgorithm.RS256, key).thumbprint()).isEqualTo(RFC_THUMBPRINT);
    }

    @ParameterizedTest(name = "the thumbprint of a {0} key agrees with jjwt's")
    @EnumSource(JwsAlgorithm.class)
    void the_thumbprint_of_every_supported_key_agrees_with_jjwt(JwsAlgorithm alg) {
        Key key = TestKeys.generate(alg).verificationKey();

        String thumbprint = new VerificationKey("k1", alg, key).thumbprint();

        assertThat(thumbprint).isEqualTo(jjwt(key)).hasSize(43);
    }

    @Test
    void the_thumbprint_of_an_ed448_key_agrees_with_jjwt() {
        PublicKey key = TestKeys.jcaPair("Ed448", null).getPublic();

        assertThat(JwkThumbprint.members(key)).startsWith("{\"crv\":\"Ed448\",\"kty\":\"OKP\",\"x\":\"");
        assertThat(new VerificationKey(null, JwsAlgorithm.EdDSA, key).thumbprint()).isEqualTo(jjwt(key));
    }

    static Stream<Arguments> shortCoordinates() {
        return Stream.of(Arguments.of("secp256r1", "P-256", 32), Arguments.of("secp384r1", "P-384", 48),
                Arguments.of("secp521r1", "P-521", 66));
    }

    /** A coordinate with a leading zero byte happens once in 128 keys; it must still be the field's size. */
    @ParameterizedTest(name = "an {1} key whose x has a leading zero byte is padded to {2} bytes, as jjwt does")
    @MethodSource("shortCoordinates")
    void ec_coordinates_are_padded_to_the_field_size(String curve, String crv, int size) {
        ECPublicKey key = null;
        for (int i = 0; i < 10_000 && key == null; i++) {
            ECPublicKey candidate = (ECPublicKey) TestKeys.jcaPair("EC", curve).getPublic();
            if (candidate.getW().getAffineX().bitLength() <= 8 * size - 8) {
                key = candidate;
            }
        }
        assertThat(key).as("a key with a short x in 10,000 tries").isNotNull();

        String members = JwkThumbprint.members(key);
        String x = members.substring(members.indexOf("\"x\":\"") + 5, members.indexOf("\",\"y\""));

        assertThat(members).startsWith("{\"crv\":\"" + crv + "\",\"kty\":\"EC\",\"x\":\"");
        assertThat(Base64.getUrlDecoder().decode(x)).hasSize(size).startsWith((byte) 0);
        assertThat(JwkThumbprint.of(key)).isEqualTo(jjwt(key));
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
                                                                              PublicKey original, PublicKey again) {
        assertThat(JwkThumbprint.of(again)).isEqualTo(JwkThumbprint.of(original)).isEqualTo(jjwt(original));
    }

    @Test
    void a_key_jose_cannot_describe_has_no_thumbprint() {
        KeyPair x25519 = TestKeys.jcaPair("X25519", null);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JwkThumbprint.of(x25519.getPublic()));

        assertThat(e.getMessage()).isEqualTo("no JWK thumbprint for a XDH key");
    }
}
