package io.jwtsidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jwtsidecar.testing.MinimalConfig;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code authz.clientCertHeader} and {@code authz.trustedProxies}: literal addresses only, never a header without them. */
class ClientCertConfigTest {
    private static SidecarConfig parse(String authz, Map<String, String> env) {
        return new ConfigLoader(env).parse(MinimalConfig.KAFKA + MinimalConfig.ISSUERS + authz, Path.of("."));
    }

    @Test
    void the_header_and_its_proxies_are_read() throws Exception {
        SidecarConfig c = parse("authz:\n  clientCertHeader: X-Forwarded-Client-Cert\n  trustedProxies: [10.0.0.7, \"fd00::1\"]\n",
                Map.of());

        assertThat(c.authz().clientCertHeader()).contains("X-Forwarded-Client-Cert");
        assertThat(c.authz().trustedProxies()).containsExactlyInAnyOrder(InetAddress.getByName("10.0.0.7"),
                InetAddress.getByName("fd00::1"));
    }

    @Test
    void an_environment_variable_gives_the_proxies_comma_separated() throws Exception {
        SidecarConfig c = parse("authz:\n  clientCertHeader: X-Client-Cert\n",
                Map.of("JWT_SIDECAR_AUTHZ_TRUSTED_PROXIES", "10.0.0.7, 10.0.0.8"));

        assertThat(c.authz().trustedProxies()).containsExactlyInAnyOrder(InetAddress.getByName("10.0.0.7"),
                InetAddress.getByName("10.0.0.8"));
    }

    @Test
    void by_default_there_is_no_header_and_no_trusted_proxy() {
        SidecarConfig c = parse("", Map.of());

        assertThat(c.authz().clientCertHeader()).isEmpty();
        assertThat(c.authz().trustedProxies()).isEmpty();
    }

    @Test
    void a_host_name_is_not_a_trusted_proxy() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("authz:\n  clientCertHeader: X-Client-Cert\n  trustedProxies: [proxy.internal]\n", Map.of()));

        assertThat(e.getMessage()).contains("authz.trustedProxies: 'proxy.internal' is not an IP address");
    }

    @Test
    void a_header_without_trusted_proxies_is_an_error() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("authz:\n  clientCertHeader: X-Client-Cert\n", Map.of()));

        assertThat(e.getMessage()).contains("authz.clientCertHeader: needs authz.trustedProxies");
    }
}
