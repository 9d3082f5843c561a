package io.jwtsidecar.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jwtsidecar.testing.MinimalConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * Configuration text: {@code ConfigLoader.parse} yields a configuration or throws
 * ConfigException with at least one message, which check-config and start print; any other
 * exception would be a stack trace instead of a sentence (and exit status 1 instead of the
 * configuration error's). Half the inputs are appended to the minimal configuration that loads,
 * so the fuzzer spends its time inside sections rather than on the absent required ones.
 */
class ConfigLoaderFuzzTest {
    /** Relative file paths resolve here; nothing is written, and a missing file is a ConfigException. */
    private static final Path BASE = Path.of("target", "fuzz-config");

    private final ConfigLoader loader = new ConfigLoader(Map.of());

    @FuzzTest(maxDuration = "2s")
    void configOrConfigException(FuzzedDataProvider data) {
        boolean afterMinimal = data.consumeBoolean();
        String yaml = (afterMinimal ? MinimalConfig.KAFKA + MinimalConfig.ISSUERS : "") + data.consumeRemainingAsString();
        try {
            assertThat(loader.parse(yaml, BASE)).isNotNull();
        } catch (ConfigException refused) {
            assertThat(refused.errors()).isNotEmpty();
        }
    }
}
