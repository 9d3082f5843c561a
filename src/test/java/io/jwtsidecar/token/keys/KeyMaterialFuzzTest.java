package io.jwtsidecar.token.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Key material from outside: a JWKS fetched from an issuer (which a network attacker or a
 * compromised issuer host writes), and the JWK/JWKS and PEM text an operator configures. Each
 * either yields keys or fails with IllegalArgumentException, the one exception the configuration
 * and the key refresh turn into a message; no secret key comes out of a public JWKS.
 *
 * <p>One fuzz test for the three readers (the first byte picks one): Jazzer fuzzes one test per
 * JVM, and they share most of what is worth finding (JSON, base64, key encodings). This one reads
 * keys with the JDK's providers, as a sidecar does where the native provider cannot load.
 */
class KeyMaterialFuzzTest {
    private static final JwsAlgorithm[] ALGORITHMS = JwsAlgorithm.values();


    @FuzzTest(maxDuration = "2s")
    void keysOrIllegalArgument(FuzzedDataProvider data) {
        check(data);
    }

    /** The whole target, also run by {@link KeyMaterialNativeFuzzTest} with the native provider first. */
    static void check(FuzzedDataProvider data) {
        int reader = data.consumeInt(0, 2);
        JwsAlgorithm alg = data.pickValue(ALGORITHMS);
        Set<JwsAlgorithm> allowed = allowed(data, alg);
        String text = data.consumeRemainingAsString();
        try {
            switch (reader) {
                case 0 -> remoteJwks(text, allowed);
                case 1 -> configuredJwks(text, alg);
                default -> pem(text, alg);
            }
        } catch (IllegalArgumentException expected) {
            // The documented refusal; its message reaches logs and the configuration errors.
            assertThat(expected.getMessage()).isNotNull();
        }
    }

    private static void remoteJwks(String json, Set<JwsAlgorithm> allowed) {
        List<VerificationKey> keys = JwksDocument.parse(json, allowed, "fuzz");
        // An HMAC key would be a secret anyone who fetched the document could sign with.
        assertThat(keys).isNotEmpty().allSatisfy(k -> assertThat(k.algorithm().family())
                .isNotEqualTo(JwsAlgorithm.Family.HMAC));
    }

    private static void configuredJwks(String json, JwsAlgorithm defaultAlg) {
        List<VerificationKey> keys = StaticKeyLoader.jwks(json, defaultAlg);
        assertThat(keys).isNotEmpty();
    }

    private static void pem(String pem, JwsAlgorithm alg) {
        VerificationKey key = StaticKeyLoader.pem("k1", alg, pem);
        assertThat(key.algorithm()).isEqualTo(alg);
        assertThat(key.algorithm().family()).isNotEqualTo(JwsAlgorithm.Family.HMAC);
    }

    private static Set<JwsAlgorithm> allowed(FuzzedDataProvider data, JwsAlgorithm first) {
        Set<JwsAlgorithm> allowed = EnumSet.of(first);
        if (data.consumeBoolean()) {
            allowed.add(data.pickValue(ALGORITHMS));
        }
        return allowed;
    }
}
