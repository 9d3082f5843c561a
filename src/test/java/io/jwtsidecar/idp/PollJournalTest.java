package io.jwtsidecar.idp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The poll journal keeps exactly what was applied and not acknowledged, across reopenings. */
class PollJournalTest {
    @TempDir
    Path dir;

    @Test
    void applied_and_not_acknowledged_survives_a_reopen_and_acknowledged_does_not() throws IOException {
        Path file = dir.resolve("journal");
        try (PollJournal j = PollJournal.open(file)) {
            j.applied("a");
            j.applied("b c\nd"); // any text is one entry
            j.applied("e");
            j.acknowledged(List.of("a", "never-applied"));
        }
        try (PollJournal j = PollJournal.open(file)) {
            assertThat(j.unacknowledged()).containsExactlyInAnyOrder("b c\nd", "e");
            assertThat(j.contains("a")).isFalse();
            j.acknowledged(List.of("e"));
        }
        try (PollJournal j = PollJournal.open(file)) {
            assertThat(j.unacknowledged()).containsExactly("b c\nd");
        }
    }

    @Test
    void a_torn_last_line_is_ignored() throws IOException {
        Path file = dir.resolve("journal");
        try (PollJournal j = PollJournal.open(file)) {
            j.applied("a");
        }
        Files.writeString(file, "applied !!", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (PollJournal j = PollJournal.open(file)) {
            assertThat(j.unacknowledged()).containsExactly("a");
        }
    }
}
