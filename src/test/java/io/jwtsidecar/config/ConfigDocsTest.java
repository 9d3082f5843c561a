package io.jwtsidecar.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/CONFIG.md documents exactly what {@link ConfigKeys} defines: names, variables, defaults, types, meanings. */
class ConfigDocsTest {

    private static List<String> rows() throws Exception {
        return Files.readAllLines(Path.of("docs/CONFIG.md")).stream().filter(l -> l.startsWith("| `")).toList();
    }

    private static String rowOf(List<String> rows, String key) {
        return rows.stream().filter(r -> r.startsWith("| `" + key + "` |")).findFirst()
                .orElseThrow(() -> new AssertionError("docs/CONFIG.md has no row for " + key));
    }

    private static String shownDefault(ConfigKey<?> key) {
        return key.defaultValue() == null ? "(none)" : "`" + key.defaultValue() + "`";
    }

    @Test
    void every_scalar_key_is_documented_with_its_variable_default_type_and_meaning() throws Exception {
        List<String> rows = rows();
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            assertThat(rowOf(rows, key.name())).isEqualTo("| `" + key.name() + "` | `" + key.envName() + "` | "
                    + shownDefault(key) + " | " + key.type().describe() + " | " + key.doc() + " |");
        }
    }

    @Test
    void every_issuer_key_is_documented_with_its_default_and_meaning() throws Exception {
        List<String> rows = rows();
        for (ConfigKey<?> key : ConfigKeys.ISSUER_KEYS) {
            assertThat(rowOf(rows, key.name())).isEqualTo("| `" + key.name() + "` | " + shownDefault(key) + " | "
                    + key.doc() + " |");
        }
    }

    @Test
    void every_admin_credential_key_is_documented_with_its_default_and_meaning() throws Exception {
        List<String> rows = rows();
        for (ConfigKey<?> key : ConfigKeys.CREDENTIAL_KEYS) {
            assertThat(rowOf(rows, "admin.credentials[]." + key.name())).isEqualTo("| `admin.credentials[]." + key.name()
                    + "` | " + shownDefault(key) + " | " + key.doc() + " |");
        }
    }

    @Test
    void every_route_key_is_documented_with_its_default_and_meaning() throws Exception {
        List<String> rows = rows();
        for (ConfigKey<?> key : ConfigKeys.ROUTE_KEYS) {
            assertThat(rowOf(rows, "routes[]." + key.name())).isEqualTo("| `routes[]." + key.name() + "` | "
                    + shownDefault(key) + " | " + key.doc() + " |");
        }
    }

    @Test
    void every_publisher_key_key_is_documented_with_its_default_and_meaning() throws Exception {
        List<String> rows = rows();
        for (ConfigKey<?> key : ConfigKeys.PUBLISHER_KEY_KEYS) {
            assertThat(rowOf(rows, key.name())).isEqualTo("| `" + key.name() + "` | " + shownDefault(key) + " | "
                    + key.doc() + " |");
        }
    }

    @Test
    void every_refused_kafka_setting_is_documented() throws Exception {
        List<String> rows = rows();
        for (KafkaSettings.Refusal r : KafkaSettings.REFUSED) {
            String allowed = r.allowedText().startsWith("(") || r.allowedText().contains(" ") ? r.allowedText()
                    : "`" + r.allowedText() + "`";
            assertThat(rowOf(rows, r.section() + "." + r.name())).isEqualTo("| `" + r.section() + "." + r.name() + "` | "
                    + allowed + " | " + r.why() + " |");
        }
    }

    @Test
    void the_docs_name_no_key_the_loader_does_not_know() throws Exception {
        List<String> known = new java.util.ArrayList<>();
        ConfigKeys.ALL.forEach(k -> known.add(k.name()));
        ConfigKeys.ISSUER_KEYS.forEach(k -> known.add(k.name()));
        ConfigKeys.CREDENTIAL_KEYS.forEach(k -> known.add("admin.credentials[]." + k.name()));
        ConfigKeys.PUBLISHER_KEY_KEYS.forEach(k -> known.add(k.name()));
        ConfigKeys.ROUTE_KEYS.forEach(k -> known.add("routes[]." + k.name()));
        for (String row : rows()) {
            if (row.startsWith("| `kafka.")) {
                continue; // the refused passthrough settings, checked above
            }
            String name = row.substring(3, row.indexOf('`', 3));
            assertThat(known).as("documented key %s", name).contains(name);
        }
    }
}
