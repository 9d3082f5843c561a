package io.jwtsidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jwtsidecar.testing.PublisherKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How configuration errors read: which file is missing, and why. What makes a value valid is
 * ConfigLoaderTest's.
 */
class ConfigErrorMessagesTest {
    private static final String ISSUERS = ""
            + "issuers:\n"
            + "  - issuer: https://hs.example\n"
            + "    audiences: [orders-api]\n"
            + "    keys:\n"
            + "      - kid: hs-1\n"
            + "        alg: HS256\n"
            + "        secret: \"0123456789abcdef0123456789abcdef-hs\"\n";
    private static final String KAFKA = "kafka:\n  bootstrapServers: broker-1:9092\n";

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
}
