package io.jwtsidecar.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds a JDK that Keycloak 26 runs on (21 or newer), while the project and its tests stay on 17:
 * {@code KEYCLOAK_JAVA_HOME} if set, else the running JVM if new enough, else the newest JDK of
 * 21 or later among the installed ones (each one's {@code release} file says its version).
 */
final class KeycloakJava {
    static final int MINIMUM_FEATURE = 21;
    static final Path INSTALLED_JDKS = Path.of("/usr/lib/jvm");

    private KeycloakJava() {
    }

    /** The home of the JDK to run Keycloak with; fails naming every place that was looked at. */
    static Path home(Map<String, String> env, Path runningHome, int runningFeature, Path installed) {
        String configured = env.get("KEYCLOAK_JAVA_HOME");
        if (configured != null && !configured.isBlank()) {
            Path home = Path.of(configured);
            if (!Files.isExecutable(home.resolve("bin/java"))) {
                throw new IllegalStateException("KEYCLOAK_JAVA_HOME=" + configured + " has no bin/java");
            }
            return home;
        }
        if (runningFeature >= MINIMUM_FEATURE) {
            return runningHome;
        }
        List<String> seen = new ArrayList<>();
        Path newest = null;
        int newestFeature = 0;
        for (Path home : candidates(installed)) {
            Optional<Integer> feature = featureOf(home);
            seen.add(home.getFileName() + "=" + feature.map(String::valueOf).orElse("?"));
            if (feature.orElse(0) > newestFeature && Files.isExecutable(home.resolve("bin/java"))) {
                newest = home;
                newestFeature = feature.get();
            }
        }
        if (newestFeature < MINIMUM_FEATURE) {
            throw new IllegalStateException("Keycloak needs Java " + MINIMUM_FEATURE + " or later: KEYCLOAK_JAVA_HOME"
                    + " is not set, this JVM is Java " + runningFeature + ", and no JDK under " + installed
                    + " has a release file with JAVA_VERSION >= " + MINIMUM_FEATURE
                    + " (found: " + (seen.isEmpty() ? "none" : String.join(", ", seen)) + ")");
        }
        return newest;
    }

    /** The JDK for this machine and this JVM. */
    static Path home() {
        return home(System.getenv(), Path.of(System.getProperty("java.home")), Runtime.version().feature(),
                INSTALLED_JDKS);
    }

    /** The feature release (e.g. 25) a JDK's {@code release} file names in JAVA_VERSION, if it has one. */
    static Optional<Integer> featureOf(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return Optional.empty();
        }
        try (Stream<String> lines = Files.lines(release)) {
            return lines.filter(l -> l.startsWith("JAVA_VERSION="))
                    .map(l -> l.substring("JAVA_VERSION=".length()).replace("\"", "").trim())
                    .map(KeycloakJava::feature)
                    .flatMap(Optional::stream)
                    .findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "25.0.3" → 25, "21" → 21, and the old "1.8.0_402" scheme → 8. */
    static Optional<Integer> feature(String version) {
        String[] parts = version.split("[._+-]");
        try {
            int first = Integer.parseInt(parts[0]);
            return Optional.of(first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static List<Path> candidates(Path installed) {
        if (!Files.isDirectory(installed)) {
            return List.of();
        }
        try (Stream<Path> homes = Files.list(installed)) {
            return homes.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
