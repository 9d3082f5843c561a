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
import java.security.Security;
import java.security.Signature;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The native provider: installed where it loads, a clean fallback where it does not, same verdicts. */
class NativeCryptoTest {

    @Test
    void a_provider_that_cannot_load_leaves_the_jdk_in_charge_without_failing() {
        String before = Security.getProviders()[0].getName();
        if (before.equals("AmazonCorrettoCryptoProvider")) {
            // Already installed by another test in this JVM: a failing loader is then never consulted.
            assertThat(NativeCrypto.install(() -> {
                throw new AssertionError("must not be called");
            })).startsWith("AmazonCorrettoCryptoProvider");
            return;
        }

        String active = NativeCrypto.install(() -> {
            throw new UnsatisfiedLinkError("no native library for this platform");
        });

        assertThat(active).startsWith(before);
        assertThat(Security.getProviders()[0].getName()).isEqualTo(before);
    }

    @Test
    void on_this_platform_the_native_provider_serves_every_jws_signature_algorithm() throws Exception {
        String active = NativeCrypto.install();

        // The build machines are linux-x86_64, where the provider must load; elsewhere this documents the fallback.
        if (System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertThat(active).startsWith("AmazonCorrettoCryptoProvider");
            for (String alg : List.of("SHA256withECDSAinP1363Format", "SHA384withECDSAinP1363Format",
                    "SHA512withECDSAinP1363Format", "SHA256withRSA", "RSASSA-PSS", "EdDSA")) {
                assertThat(Signature.getInstance(alg).getProvider().getName()).as(alg)
                        .isEqualTo("AmazonCorrettoCryptoProvider");
            }
        }
        assertThat(NativeCrypto.install()).as("installing twice is harmless").isEqualTo(active);
    }

    @ParameterizedTest(name = "{0}: accepted when intact, refused when tampered, whichever provider is active")
    @EnumSource(JwsAlgorithm.class)
    void verdicts_do_not_depend_on_the_provider(JwsAlgorithm alg) {
        NativeCrypto.install();
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
