package io.jwtsidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import io.jwtsidecar.testing.MinimalConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scalar key is one declaration in {@link ConfigKeys}: the loader takes its environment
 * variable's name and its validation from that declaration (this test), and docs/CONFIG.md's row
 * is held to it, type and bounds included ({@link ConfigDocsTest}). Nothing else names the bounds.
 */
class OneDeclarationTest {
    private static final String UNUSABLE = "@unusable@";

    @TempDir
    Path dir;

    @Test
    void every_typed_key_is_overridden_by_its_own_variable_and_refused_in_its_own_types_words() {
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            String problem = key.type().parse(UNUSABLE).problem();
            if (problem == null) {
                continue; // free text: nothing to refuse
            }
            List<String> errors = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of(key.envName(), UNUSABLE))
                    .parse(MinimalConfig.KAFKA + MinimalConfig.ISSUERS, dir), key.name()).errors();

            assertThat(errors).as(key.envName()).contains(key.name() + ": " + problem);
        }
    }

    @Test
    void the_variable_name_follows_from_the_key_name_alone() {
        ConfigKey<Integer> invented = new ConfigKey<>("example.someNewLimit", "3", ConfigType.integer(1, 5), "A limit.");

        assertThat(invented.envName()).isEqualTo("JWT_SIDECAR_EXAMPLE_SOME_NEW_LIMIT");
        assertThat(invented.type().parse("6").problem()).isEqualTo("must be between 1 and 5, got '6'");
        assertThat(invented.type().describe()).isEqualTo("whole number, 1 to 5");
    }
}
