package io.jwtsidecar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which JDK KeycloakServer runs Keycloak with. */
class KeycloakJavaTest {
    @TempDir
    Path jvms;

    private final Path running = Path.of("running-jdk");

    @Test
    void the_newest_installed_jdk_of_21_or_later_when_this_jvm_is_older() throws IOException {
        jdk("java-17", "17.0.15");
        Path jdk21 = jdk("jdk-21", "21.0.4");
        Path jdk25 = jdk("temurin-25", "25.0.3");
        jdk("broken-26", null); // no release file

        assertThat(KeycloakJava.home(Map.of(), running, 17, jvms)).isEqualTo(jdk25);
        Files.delete(jdk25.resolve("bin/java"));
        assertThat(KeycloakJava.home(Map.of(), running, 17, jvms)).isEqualTo(jdk21);
    }

    @Test
    void the_running_jvm_when_it_is_new_enough_and_the_environment_over_both() throws IOException {
        jdk("temurin-25", "25.0.3");
        Path chosen = jdk("chosen", "17");

        assertThat(KeycloakJava.home(Map.of(), running, 21, jvms)).isEqualTo(running);
        assertThat(KeycloakJava.home(Map.of("KEYCLOAK_JAVA_HOME", chosen.toString()), running, 21, jvms))
                .isEqualTo(chosen);
        assertThatThrownBy(() -> KeycloakJava.home(Map.of("KEYCLOAK_JAVA_HOME", jvms.resolve("nowhere").toString()),
                running, 21, jvms)).hasMessageContaining("has no bin/java");
    }

    @Test
    void none_found_says_what_was_looked_for() throws IOException {
        jdk("java-17", "17.0.15");

        assertThatThrownBy(() -> KeycloakJava.home(Map.of(), running, 17, jvms))
                .hasMessageContaining("Java 21 or later")
                .hasMessageContaining("KEYCLOAK_JAVA_HOME is not set")
                .hasMessageContaining("this JVM is Java 17")
                .hasMessageContaining(jvms.toString())
                .hasMessageContaining("java-17=17");
    }

    @Test
    void version_strings_of_both_schemes() {
        assertThat(KeycloakJava.feature("25.0.3")).contains(25);
        assertThat(KeycloakJava.feature("21")).contains(21);
        assertThat(KeycloakJava.feature("1.8.0_402")).contains(8);
        assertThat(KeycloakJava.feature("x")).isEqualTo(Optional.empty());
    }

    private Path jdk(String name, String version) throws IOException {
        Path home = Files.createDirectories(jvms.resolve(name).resolve("bin"));
        Path java = Files.createFile(home.resolve("java"));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (version != null) {
            Files.writeString(jvms.resolve(name).resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
        }
        return jvms.resolve(name);
    }
}
