package io.jwtsidecar.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Classes are named by import, not spelled out in full in the code: a reader sees what a file
 * depends on at its top. The exceptions are two classes with the same simple name in one file.
 */
class ImportsTest {
    private static final Path SOURCES = Path.of("src/main/java");
    /** A qualified class name: lower-case package segments, then an upper-case class. */
    private static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.\"])(?:java|javax|io|org|com)(?:\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*");
    /** Kafka's TimeoutException beside java.util.concurrent's; SLF4J's Logger beside Logback's. */
    private static final Set<String> CLASHES = Set.of("org.apache.kafka.common.errors.TimeoutException",
            "org.slf4j.Logger");

    @Test
    void code_names_classes_by_import() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    String code = codeOf(lines.get(i));
                    Matcher m = QUALIFIED.matcher(code);
                    while (m.find()) {
                        if (!CLASHES.contains(m.group())) {
                            found.add(SOURCES.relativize(file) + ":" + (i + 1) + ": " + m.group());
                        }
                    }
                }
            }
        }
        assertThat(found).as("fully-qualified class names in code; import them").isEmpty();
    }

    @Test
    void the_pattern_finds_a_qualified_name_and_skips_imports_comments_and_text() {
        assertThat(QUALIFIED.matcher(codeOf("        java.util.Set<String> s = null;")).find()).isTrue();
        assertThat(QUALIFIED.matcher(codeOf("import java.util.Set;")).find()).isFalse();
        assertThat(QUALIFIED.matcher(codeOf("     * {@link java.util.Set}")).find()).isFalse();
        assertThat(QUALIFIED.matcher(codeOf("        x(); // java.util.Set")).find()).isFalse();
        assertThat(QUALIFIED.matcher(codeOf("        log(\"io.vertx.Foo\");")).find()).isFalse();
    }

    /** The line without package, import and comment text, where a qualified name is fine. */
    private static String codeOf(String line) {
        String t = line.strip();
        if (t.startsWith("package ") || t.startsWith("import ") || t.startsWith("*") || t.startsWith("/*")
                || t.startsWith("//")) {
            return "";
        }
        int comment = line.indexOf("//");
        return comment < 0 ? line : line.substring(0, comment);
    }
}
