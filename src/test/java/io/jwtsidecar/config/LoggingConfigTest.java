package io.jwtsidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jwtsidecar.logging.LogFormat;
import io.jwtsidecar.testing.MinimalConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code logging.format}: text by default, json when asked, and nothing else. */
class LoggingConfigTest {
    @TempDir
    Path dir;

    private static String yaml(String extra) {
        return extra + "\n" + MinimalConfig.KAFKA + MinimalConfig.ISSUERS;
    }

    private SidecarConfig parse(String yaml, Map<String, String> env) {
        return new ConfigLoader(env).parse(yaml, dir);
    }

    @Test
    void text_is_the_default() {
        assertThat(parse(yaml(""), Map.of()).logFormat()).isEqualTo(LogFormat.TEXT);
    }

    @Test
    void json_from_the_file_or_the_environment() {
        assertThat(parse(yaml("logging:\n  format: json"), Map.of()).logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(parse(yaml("logging:\n  format: text"), Map.of("JWT_SIDECAR_LOGGING_FORMAT", "json")).logFormat())
                .isEqualTo(LogFormat.JSON);
    }

    @Test
    void another_format_is_an_error_naming_the_key_and_the_value() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse(yaml("logging:\n  format: yaml"), Map.of()));

        assertThat(e.errors()).containsExactly("logging.format: must be text or json, got 'yaml'");
        assertThat(assertThrows(ConfigException.class, () -> parse(yaml(""), Map.of("JWT_SIDECAR_LOGGING_FORMAT", "JSON")))
                .errors()).containsExactly("logging.format: must be text or json, got 'JSON'");
    }
}
