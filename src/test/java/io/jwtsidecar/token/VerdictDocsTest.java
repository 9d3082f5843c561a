package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Verdict codes are a contract with everyone who reads a 401's {@code error_description}, a log
 * line or a metric label: README.md's list of verdicts names every one, so a verdict added to
 * {@link Verdict} without a word for its users fails here.
 */
class VerdictDocsTest {

    @Test
    void the_readme_names_every_verdict_code() throws Exception {
        String readme = Files.readString(Path.of("README.md"));

        for (Verdict v : Verdict.values()) {
            assertThat(readme).as(v.name()).contains("`" + v.code() + "`");
        }
    }
}
