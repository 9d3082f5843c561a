package io.jwtsidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jwtsidecar.testing.PublisherKeys;
import io.jwtsidecar.testing.MinimalConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How configuration errors read: where in the file (line and column), which file is missing,
 * and which environment variable is not a setting. What makes a value valid is ConfigLoaderTest's.
 */
class ConfigErrorMessagesTest {
    private static final String ISSUERS = MinimalConfig.ISSUERS;
    private static final String KAFKA = MinimalConfig.KAFKA;

    @TempDir
    Path dir;

    private List<String> fileErrors(String yaml, Map<String, String> env) throws IOException {
        Path file = dir.resolve("sidecar.yaml");
        Files.writeString(file, yaml);
        return assertThrows(ConfigException.class, () -> new ConfigLoader(env).load(file)).errors();
    }

    private List<String> textErrors(String yaml, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> new ConfigLoader(env).parse(yaml, dir)).errors();
    }

    // ---- YAML syntax --------------------------------------------------------------------------

    @Test
    void a_syntax_error_names_file_line_column_and_reason_only() throws IOException {
        String yaml = KAFKA + "api:\n  port: 8080\n  host: a: b\n";

        assertThat(fileErrors(yaml, Map.of())).containsExactly(
                dir.resolve("sidecar.yaml") + ":5:10: not valid YAML: mapping values are not allowed here");
    }

    @Test
    void a_syntax_error_in_text_without_a_file_still_names_line_and_column() {
        assertThat(textErrors("api:\n\tport: 8080\n", Map.of())).singleElement().asString()
                .startsWith("configuration is not valid YAML at line 2, column 1: found character '\\t(TAB)'")
                .doesNotContain("Exception", "\n");
    }

    // ---- positions of keys --------------------------------------------------------------------

    @Test
    void a_bad_value_is_reported_at_its_key() throws IOException {
        String yaml = KAFKA + ISSUERS + "revocation:\n  dataDir: data\n  bloomExpectedRules: lots\n";

        assertThat(fileErrors(yaml, Map.of())).containsExactly(dir.resolve("sidecar.yaml")
                + ":12:3: revocation.bloomExpectedRules: must be a whole number, got 'lots'");
    }

    @Test
    void unknown_keys_and_keys_inside_lists_are_reported_at_their_line() throws IOException {
        String yaml = KAFKA + ISSUERS.replace("        alg: HS256\n", "        alg: HS256\n        algg: x\n")
                + "api:\n  prot: 8080\n";

        List<String> errors = fileErrors(yaml, Map.of());

        assertThat(errors).hasSize(2);
        assertThat(errors.get(0)).isEqualTo(dir.resolve("sidecar.yaml") + ":12:3: api.prot: unknown key");
        assertThat(errors.get(1)).startsWith(dir.resolve("sidecar.yaml") + ":7:9: issuers[0].keys[0]: unknown key 'algg'");
    }

    @Test
    void a_missing_key_is_reported_at_the_section_it_belongs_in_and_a_missing_section_without_a_line()
            throws IOException {
        Path file = dir.resolve("sidecar.yaml");
        assertThat(fileErrors("kafka:\n  topic: t\n" + ISSUERS, Map.of())).containsExactly(
                file + ":1:1: kafka.bootstrapServers: required (or set JWT_SIDECAR_KAFKA_BOOTSTRAP_SERVERS)");
        assertThat(fileErrors(ISSUERS, Map.of())).containsExactly(
                "kafka.bootstrapServers: required (or set JWT_SIDECAR_KAFKA_BOOTSTRAP_SERVERS)");
    }

    @Test
    void a_value_from_the_environment_is_not_blamed_on_the_file() throws IOException {
        String yaml = KAFKA + ISSUERS + "api:\n  port: 8080\n";

        assertThat(fileErrors(yaml, Map.of("JWT_SIDECAR_API_PORT", "eighty")))
                .containsExactly("api.port: must be a whole number, got 'eighty'");
    }

    @Test
    void text_without_a_file_keeps_its_messages_unprefixed() {
        assertThat(textErrors(KAFKA + ISSUERS + "api:\n  prot: 8080\n", Map.of())).containsExactly("api.prot: unknown key");
    }

    // ---- files the configuration names --------------------------------------------------------

    @Test
    void a_missing_key_file_is_named_once_with_the_reason() {
        String yaml = KAFKA + ISSUERS.replace("        secret: \"0123456789abcdef0123456789abcdef-hs\"\n",
                "").replace("alg: HS256", "alg: RS256\n        pemFile: keys/rs.pem");

        assertThat(textErrors(yaml, Map.of())).containsExactly(
                "issuers[0].keys[0].pemFile: no such file: " + dir.resolve("keys/rs.pem"));
    }

    @Test
    void a_directory_where_a_file_belongs_says_so() throws IOException {
        Files.createDirectories(dir.resolve("tls"));
        String yaml = KAFKA + ISSUERS + "admin:\n  token: " + "t".repeat(32)
                + "\n  tlsCertFile: tls\n  tlsKeyFile: tls/missing.key\n";

        assertThat(textErrors(yaml, Map.of())).containsExactly(
                "admin.tlsCertFile: is a directory: " + dir.resolve("tls"),
                "admin.tlsKeyFile: no such file: " + dir.resolve("tls/missing.key"));
    }

    @Test
    void a_missing_signing_key_or_publisher_key_file_names_its_key() throws IOException {
        PublisherKeys ops = PublisherKeys.ed25519("ops-1");
        ops.writeTo(dir);
        String yaml = KAFKA + ISSUERS + "admin:\n  token: " + "t".repeat(32)
                + "\n  signingKeyFile: gone.pem\n  signingKeyId: ops-1\n"
                + "revocation:\n  publisherKeys:\n" + ops.publisherKeyEntry(io.jwtsidecar.revocation.PublisherKey.Trust.CURRENT)
                + "    - kid: ops-2\n      alg: EdDSA\n      pemFile: ops-2.pem\n";

        assertThat(textErrors(yaml, Map.of())).containsExactly(
                "revocation.publisherKeys[1].pemFile: no such file: " + dir.resolve("ops-2.pem"),
                "admin.signingKeyFile: no such file: " + dir.resolve("gone.pem"));
    }

    @Test
    void a_missing_configuration_file_names_its_path_once() {
        Path file = dir.resolve("nope.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(file));

        assertThat(e.errors()).containsExactly("cannot read configuration file: no such file: " + file);
    }

    // ---- JWT_SIDECAR_* variables --------------------------------------------------------------

    @Test
    void a_misspelt_variable_is_an_error_with_the_nearest_setting() {
        Map<String, String> env = Map.of("JWT_SIDECAR_KAFKA_BOOTSTRAP_SERVER", "b:9092",
                "JWT_SIDECAR_NONSENSE_WHATEVER", "1");

        assertThat(textErrors(ISSUERS, env)).containsExactly(
                "environment variable JWT_SIDECAR_KAFKA_BOOTSTRAP_SERVER is not a setting "
                        + "(did you mean JWT_SIDECAR_KAFKA_BOOTSTRAP_SERVERS?)",
                "environment variable JWT_SIDECAR_NONSENSE_WHATEVER is not a setting",
                "kafka.bootstrapServers: required (or set JWT_SIDECAR_KAFKA_BOOTSTRAP_SERVERS)");
    }

    @Test
    void the_variables_that_deployments_set_are_settings() {
        // What the injector, the manifests and the image set; JWT_SIDECAR_ADDR is the proxies'.
        Map<String, String> env = Map.of("JWT_SIDECAR_SIDECAR_ID", "ns/pod",
                "JWT_SIDECAR_REVOCATION_DATA_DIR", dir.resolve("data").toString(),
                "JWT_SIDECAR_METRICS_HOST", "127.0.0.1", "JWT_SIDECAR_METRICS_PORT", "9090",
                "JWT_SIDECAR_ADMIN_ENABLED", "false", "JWT_SIDECAR_ADMIN_TOKEN", "t".repeat(32),
                "JWT_SIDECAR_API_PORT", "8181", "JWT_SIDECAR_KAFKA_BOOTSTRAP_SERVERS", "b:9092",
                "JWT_SIDECAR_ADDR", "127.0.0.1:8181");

        SidecarConfig config = new ConfigLoader(env).parse(ISSUERS, dir);

        assertThat(config.sidecarId()).isEqualTo("ns/pod");
    }

    @Test
    void kubernetes_service_links_are_not_misspelt_settings() {
        // The variables Kubernetes sets in a namespace with the Services jwt-sidecar and jwt-sidecar-webhook.
        Map<String, String> env = new java.util.HashMap<>(Map.of("JWT_SIDECAR_KAFKA_BOOTSTRAP_SERVERS", "b:9092",
                "JWT_SIDECAR_WEBHOOK_SERVICE_HOST", "10.96.0.7", "JWT_SIDECAR_WEBHOOK_SERVICE_PORT", "443",
                "JWT_SIDECAR_WEBHOOK_SERVICE_PORT_HTTPS", "443", "JWT_SIDECAR_WEBHOOK_PORT", "tcp://10.96.0.7:443",
                "JWT_SIDECAR_WEBHOOK_PORT_443_TCP", "tcp://10.96.0.7:443", "JWT_SIDECAR_WEBHOOK_PORT_443_TCP_PROTO", "tcp",
                "JWT_SIDECAR_WEBHOOK_PORT_443_TCP_PORT", "443", "JWT_SIDECAR_WEBHOOK_PORT_443_TCP_ADDR", "10.96.0.7"));
        env.putAll(Map.of("JWT_SIDECAR_SERVICE_HOST", "10.96.0.8", "JWT_SIDECAR_PORT", "tcp://10.96.0.8:8181"));

        assertThat(new ConfigLoader(env).parse(ISSUERS, dir).kafka().bootstrapServers()).isEqualTo("b:9092");
        assertThat(textErrors(ISSUERS, Map.of("JWT_SIDECAR_WEBHOOK_PORT", "8443"))).contains(
                "environment variable JWT_SIDECAR_WEBHOOK_PORT is not a setting");
    }

    @Test
    void a_variable_the_file_uses_as_a_placeholder_is_not_unknown() {
        Map<String, String> env = Map.of("JWT_SIDECAR_BROKERS", "b:9092");

        assertThat(new ConfigLoader(env).parse("kafka:\n  bootstrapServers: ${JWT_SIDECAR_BROKERS}\n" + ISSUERS, dir)
                .kafka().bootstrapServers()).isEqualTo("b:9092");
    }

    @Test
    void every_setting_has_its_own_variable_and_nearby_typos_find_it() {
        for (ConfigKey key : ConfigKeys.ALL) {
            assertThat(UnknownVariables.problems(Map.of(key.envName(), "x"), java.util.Set.of())).isEmpty();
        }
        assertThat(UnknownVariables.problems(Map.of("JWT_SIDECAR_REVOCATION_DATADIR", "x"), java.util.Set.of()))
                .containsExactly("environment variable JWT_SIDECAR_REVOCATION_DATADIR is not a setting "
                        + "(did you mean JWT_SIDECAR_REVOCATION_DATA_DIR?)");
    }
}
