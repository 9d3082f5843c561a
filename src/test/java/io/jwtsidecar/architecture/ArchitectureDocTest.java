package io.jwtsidecar.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/ARCHITECTURE.md's folder list is the map a newcomer reads first, so it must match the code:
 * every package of the main sources has its entry, every entry is a package, and every class name
 * an entry mentions is a class of that package (a rename or a move that forgets the map fails here).
 */
class ArchitectureDocTest {
    private static final Path SOURCES = Path.of("src/main/java/io/jwtsidecar");
    /** A CamelCase word with two humps or more: how the entries name classes. */
    private static final Pattern CLASS_NAME = Pattern.compile("\\b[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+\\b");
    /** Names from outside the code that entries mention: Kubernetes' admission object. */
    private static final Set<String> OUTSIDE_NAMES = Set.of("AdmissionReview");

    private static Map<String, String> entries;
    private static Map<String, Set<String>> packages;

    @BeforeAll
    static void read() throws IOException {
        entries = entries(Files.readString(Path.of("docs/ARCHITECTURE.md")));
        packages = packages();
    }

    /** Package (as a path below io/jwtsidecar, e.g. token/keys) → its entry's text. */
    static Map<String, String> entries(String doc) {
        int start = doc.indexOf("```\nio.jwtsidecar\n");
        assertThat(start).as("the folder list's code block").isNotNegative();
        String block = doc.substring(start + 4, doc.indexOf("```", start + 4));
        Map<String, String> found = new LinkedHashMap<>();
        String current = null;
        Pattern entry = Pattern.compile("^  (\\S+)/\\s+(.*)$");
        for (String line : block.lines().skip(1).toList()) {
            Matcher m = entry.matcher(line);
            if (m.matches()) {
                current = m.group(1);
                found.put(current, m.group(2));
            } else if (current != null) {
                found.merge(current, " " + line.strip(), String::concat);
            }
        }
        return found;
    }

    /** Package path → the names of its classes (one per source file). */
    private static Map<String, Set<String>> packages() throws IOException {
        Map<String, Set<String>> found = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            files.filter(f -> f.toString().endsWith(".java") && !f.getFileName().toString().equals("package-info.java"))
                    .forEach(f -> found.computeIfAbsent(SOURCES.relativize(f.getParent()).toString().replace('\\', '/'),
                            p -> new TreeSet<>()).add(f.getFileName().toString().replace(".java", "")));
        }
        return found;
    }

    @Test
    void every_package_has_an_entry_and_every_entry_is_a_package() {
        assertThat(entries.keySet()).containsExactlyInAnyOrderElementsOf(packages.keySet());
    }

    @Test
    void every_class_an_entry_names_is_in_that_package() {
        Set<String> strays = new TreeSet<>();
        entries.forEach((pkg, text) -> {
            Matcher m = CLASS_NAME.matcher(text);
            while (m.find()) {
                if (!OUTSIDE_NAMES.contains(m.group()) && !packages.getOrDefault(pkg, Set.of()).contains(m.group())) {
                    strays.add(pkg + "/" + m.group());
                }
            }
        });
        assertThat(strays).as("names in docs/ARCHITECTURE.md's folder list that are no class of their package").isEmpty();
    }
}
