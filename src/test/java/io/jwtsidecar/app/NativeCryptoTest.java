package io.jwtsidecar.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.testing.Tokens;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The native provider: installed where it loads, a clean fallback where it does not, same
 * verdicts. Which provider gets chosen is checked against a provider list of each test's own,
 * so the outcome does not depend on what other tests did to the JVM-wide list.
 */
class NativeCryptoTest {
    private static final boolean BUILD_PLATFORM =
            System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64");

    /** A provider list of the test's own, starting with the JDK's first provider. */
    private static final class OwnList implements ProviderRegistry {
        final List<Provider> providers = new ArrayList<>(List.of(Security.getProvider("SUN")));

        @Override
        public Provider first() {
            return providers.get(0);
        }

        @Override
        public void insertFirst(Provider provider) {
            if (providers.stream().noneMatch(p -> p.getName().equals(provider.getName()))) {
                providers.add(0, provider);
            }
        }
    }

    @Test
    void a_provider_that_cannot_load_leaves_the_jdk_in_charge_without_failing() {
        OwnList list = new OwnList();

        String active = new NativeCrypto(() -> {
            throw new UnsatisfiedLinkError("no native library for this platform");
        }, list).install();

        assertThat(active).startsWith("SUN ");
        assertThat(list.providers).extracting(Provider::getName).containsExactly("SUN");
    }

    @Test
    void a_provider_that_fails_its_self_test_leaves_the_jdk_in_charge_too() {
        OwnList list = new OwnList();

        String active = new NativeCrypto(() -> {
            throw new IllegalStateException("self-test failed");
        }, list).install();

        assertThat(active).startsWith("SUN ");
        assertThat(list.providers).extracting(Provider::getName).containsExactly("SUN");
    }

    @Test
    void a_provider_that_loads_goes_first_and_is_not_loaded_again() {
        OwnList list = new OwnList();
        Provider loaded = new Provider(NativeCrypto.ACCP, "9.9", "stand-in") { };

        assertThat(new NativeCrypto(() -> loaded, list).install()).isEqualTo(NativeCrypto.ACCP + " 9.9");
        assertThat(list.providers).extracting(Provider::getName).containsExactly(NativeCrypto.ACCP, "SUN");

        String again = new NativeCrypto(() -> {
            throw new AssertionError("an installed provider must not be loaded again");
        }, list).install();
        assertThat(again).as("installing twice is harmless").isEqualTo(NativeCrypto.ACCP + " 9.9");
        assertThat(list.providers).hasSize(2);
    }

    @Test
    void on_the_build_platform_the_real_native_provider_loads() {
        OwnList list = new OwnList();

        String active = new NativeCrypto(NativeCrypto::loadAccp, list).install();

        // The build machines are linux-x86_64, where the provider must load; elsewhere this documents the fallback.
        assertThat(active).startsWith(BUILD_PLATFORM ? NativeCrypto.ACCP : "SUN");
    }

    @Test
    void on_this_platform_the_native_provider_serves_every_jws_signature_algorithm() throws Exception {
        String active = NativeCrypto.forJvm().install();

        if (BUILD_PLATFORM) {
            assertThat(active).startsWith(NativeCrypto.ACCP);
            for (String alg : List.of("SHA256withECDSAinP1363Format", "SHA384withECDSAinP1363Format",
                    "SHA512withECDSAinP1363Format", "SHA256withRSA", "RSASSA-PSS", "EdDSA")) {
                assertThat(Signature.getInstance(alg).getProvider().getName()).as(alg)
                        .isEqualTo(NativeCrypto.ACCP);
            }
        }
        assertThat(NativeCrypto.forJvm().install()).as("installing twice is harmless").isEqualTo(active);
    }

    @ParameterizedTest(name = "{0}: accepted when intact, refused when tampered, whichever provider is active")
    @EnumSource(JwsAlgorithm.class)
    void verdicts_do_not_depend_on_the_provider(JwsAlgorithm alg) {
        NativeCrypto.forJvm().install();
        MutableClock clock = MutableClock.atNow();
        TestKeys keys = TestKeys.generate(alg);
        IssuerPolicy policy = new IssuerPolicy("https://iss", new StaticKeySource(List.of(
                new VerificationKey("k", alg, keys.verificationKey()))), Set.of(alg), Set.of("api"), List.of(), null,
                Duration.ofSeconds(30), Duration.ofHours(1), null);
        TokenVerifier v = new TokenVerifier(List.of(policy), 8192, clock, RevocationCheck.NONE);
        String token = Tokens.mint(keys, "k", Tokens.validClaims("https://iss", "api", clock.epochSecond()));
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");

        assertThat(v.verify(token).isAccepted()).isTrue();
        assertThat(v.verify(tampered).isAccepted()).isFalse();
    }
}
