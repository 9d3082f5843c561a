package io.jwtsidecar.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.config.IssuerSettings;
import io.jwtsidecar.config.KeySourceSettings;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.RemoteJwksSource;
import io.jwtsidecar.token.keys.StaticKeyLoader;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IssuerPoliciesTest {
    private static final Duration SKEW = Duration.ofSeconds(30);
    private static final Duration LIFETIME = Duration.ofHours(1);

    private static IssuerSettings issuer(String iss, KeySourceSettings keys) {
        return new IssuerSettings(iss, keys, Set.of(JwsAlgorithm.RS256), Set.of("api"), List.of("scope"), "at+jwt",
                SKEW, LIFETIME, Duration.ofMinutes(5), List.of());
    }

    @Test
    void a_remote_issuer_becomes_a_remote_source_that_has_fetched_nothing_yet() {
        IssuerPolicy p = IssuerPolicies.build(List.of(issuer("https://idp.example", new KeySourceSettings.RemoteJwks(
                Optional.of(URI.create("https://idp.example/jwks")), Duration.ofMinutes(10), Duration.ofMinutes(1),
                Duration.ofSeconds(3)))), System::nanoTime).get(0);

        assertThat(p.keys()).isInstanceOf(RemoteJwksSource.class);
        assertThat(p.keys().describe()).isEqualTo("jwks https://idp.example/jwks: not started");
        assertThat(p.keys().current()).isNull();
    }

    @Test
    void a_discovering_issuer_names_its_discovery_document() {
        IssuerPolicy p = IssuerPolicies.build(List.of(issuer("https://idp.example/", new KeySourceSettings.RemoteJwks(
                Optional.empty(), Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(10)))),
                System::nanoTime).get(0);

        assertThat(p.keys().describe()).startsWith("discovery https://idp.example/.well-known/openid-configuration");
    }

    @Test
    void static_keys_and_every_setting_are_carried_over() {
        VerificationKey key = StaticKeyLoader.hmac("k1", JwsAlgorithm.HS256,
                "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
        IssuerPolicy p = IssuerPolicies.build(List.of(issuer("https://hs.example",
                new KeySourceSettings.StaticKeys(List.of(key)))), System::nanoTime).get(0);

        assertThat(p.keys()).isInstanceOf(StaticKeySource.class);
        assertThat(p.keys().current().select("k1")).isSameAs(key);
        assertThat(p).isEqualTo(new IssuerPolicy("https://hs.example", p.keys(), Set.of(JwsAlgorithm.RS256),
                Set.of("api"), List.of("scope"), "at+jwt", SKEW, LIFETIME, Duration.ofMinutes(5)));
    }
}
