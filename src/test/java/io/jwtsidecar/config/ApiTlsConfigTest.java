package io.jwtsidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jwtsidecar.testing.MinimalConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code api.tlsCertFile}, {@code api.tlsKeyFile}, {@code api.tlsClientAuth} and
 * {@code api.tlsClientCaFile}: HTTPS on the sidecar API only with both files, client
 * certificates only with TLS, a client CA only where a certificate is asked for, and every file
 * readable at load.
 */
class ApiTlsConfigTest {
    @TempDir
    Path dir;

    @BeforeEach
    void files() throws IOException {
        for (String f : List.of("api.crt", "api.key", "clients.pem")) {
            Files.writeString(dir.resolve(f), "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        }
    }

    private SidecarConfig parse(String api) {
        return parse(api, Map.of());
    }

    private SidecarConfig parse(String api, Map<String, String> env) {
        return new ConfigLoader(env).parse(MinimalConfig.KAFKA + MinimalConfig.ISSUERS + "api:\n" + api, dir);
    }

    private List<String> errors(String api) {
        return assertThrows(ConfigException.class, () -> parse(api)).errors();
    }

    @Test
    void without_files_the_api_is_plain_http() {
        SidecarConfig c = parse("  port: 8181\n");

        assertThat(c.apiTls()).isEmpty();
    }

    @Test
    void both_files_give_https_without_client_certificates() {
        SidecarConfig.ListenerTls tls = parse("  tlsCertFile: api.crt\n  tlsKeyFile: api.key\n").apiTls().orElseThrow();

        assertThat(tls.certFile()).isEqualTo(dir.resolve("api.crt"));
        assertThat(tls.keyFile()).isEqualTo(dir.resolve("api.key"));
        assertThat(tls.clientAuth()).isEqualTo(SidecarConfig.TlsClientAuth.NONE);
        assertThat(tls.clientCaFile()).isNull();
    }

    @Test
    void request_without_a_ca_takes_any_certificate() {
        SidecarConfig.ListenerTls tls = parse("  tlsCertFile: api.crt\n  tlsKeyFile: api.key\n  tlsClientAuth: request\n")
                .apiTls().orElseThrow();

        assertThat(tls.clientAuth()).isEqualTo(SidecarConfig.TlsClientAuth.REQUEST);
        assertThat(tls.clientCaFile()).isNull();
        assertThat(tls.anyClientCertificate()).isTrue();
    }

    @Test
    void require_with_a_ca_takes_only_certificates_from_it() {
        SidecarConfig.ListenerTls tls = parse("  tlsCertFile: api.crt\n  tlsKeyFile: api.key\n  tlsClientAuth: require\n"
                + "  tlsClientCaFile: clients.pem\n").apiTls().orElseThrow();

        assertThat(tls.clientAuth()).isEqualTo(SidecarConfig.TlsClientAuth.REQUIRE);
        assertThat(tls.clientCaFile()).isEqualTo(dir.resolve("clients.pem"));
        assertThat(tls.anyClientCertificate()).isFalse();
    }

    @Test
    void the_environment_sets_them_too() {
        SidecarConfig.ListenerTls tls = parse("  port: 8181\n", Map.of("JWT_SIDECAR_API_TLS_CERT_FILE", "api.crt",
                "JWT_SIDECAR_API_TLS_KEY_FILE", "api.key", "JWT_SIDECAR_API_TLS_CLIENT_AUTH", "require"))
                .apiTls().orElseThrow();

        assertThat(tls.clientAuth()).isEqualTo(SidecarConfig.TlsClientAuth.REQUIRE);
    }

    @Test
    void a_certificate_without_its_key_is_an_error_naming_the_missing_key() {
        assertThat(errors("  tlsCertFile: api.crt\n")).containsExactly("api.tlsKeyFile: required together with api.tlsCertFile");
        assertThat(errors("  tlsKeyFile: api.key\n")).containsExactly("api.tlsCertFile: required together with api.tlsKeyFile");
    }

    @Test
    void client_certificates_without_tls_are_an_error_naming_key_and_value() {
        assertThat(errors("  tlsClientAuth: require\n")).containsExactly(
                "api.tlsClientAuth: 'require' needs api.tlsCertFile and api.tlsKeyFile (client certificates come with TLS)");
        assertThat(errors("  tlsClientAuth: request\n")).containsExactly(
                "api.tlsClientAuth: 'request' needs api.tlsCertFile and api.tlsKeyFile (client certificates come with TLS)");
    }

    @Test
    void a_client_ca_without_tls_is_an_error() {
        assertThat(errors("  tlsClientAuth: require\n  tlsClientCaFile: clients.pem\n")).contains(
                "api.tlsClientCaFile: 'clients.pem' needs api.tlsCertFile and api.tlsKeyFile (mutual TLS is TLS first)");
    }

    @Test
    void a_client_ca_where_no_certificate_is_asked_for_is_an_error() {
        assertThat(errors("  tlsCertFile: api.crt\n  tlsKeyFile: api.key\n  tlsClientCaFile: clients.pem\n")).containsExactly(
                "api.tlsClientCaFile: 'clients.pem' needs api.tlsClientAuth request or require; with none no client "
                        + "certificate is asked for");
    }

    @Test
    void an_unknown_client_auth_word_is_an_error_naming_key_and_value() {
        assertThat(errors("  tlsCertFile: api.crt\n  tlsKeyFile: api.key\n  tlsClientAuth: optional\n")).containsExactly(
                "api.tlsClientAuth: must be none, request or require, got 'optional'");
    }

    @Test
    void every_file_must_be_there_when_the_configuration_loads() {
        assertThat(errors("  tlsCertFile: missing.crt\n  tlsKeyFile: api.key\n  tlsClientAuth: require\n"
                + "  tlsClientCaFile: missing-ca.pem\n")).containsExactly(
                "api.tlsCertFile: no such file: " + dir.resolve("missing.crt"),
                "api.tlsClientCaFile: no such file: " + dir.resolve("missing-ca.pem"));
    }

    @Test
    void the_admin_api_keeps_its_rule_a_client_ca_means_a_certificate_is_required() {
        SidecarConfig c = new ConfigLoader(Map.of()).parse(MinimalConfig.KAFKA + MinimalConfig.ISSUERS + "admin:\n  token: "
                + "t".repeat(32) + "\n  tlsCertFile: api.crt\n  tlsKeyFile: api.key\n  tlsClientCaFile: clients.pem\n", dir);

        assertThat(c.adminTls().orElseThrow().clientAuth()).isEqualTo(SidecarConfig.TlsClientAuth.REQUIRE);
        assertThat(c.adminTls().orElseThrow().anyClientCertificate()).isFalse();
        assertThat(c.apiTls()).isEmpty();
    }
}
