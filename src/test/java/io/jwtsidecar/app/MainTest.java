package io.jwtsidecar.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.cli.JwtSidecarCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Main's last line of defence: a failure no command turned into a sentence of its own (a bug, a
 * native library that cannot load) still ends the process with one line and status 1, and the
 * stack trace only with {@code --verbose}.
 */
class MainTest {
    /** Fails as a bug would: an exception, or an Error that picocli's handler does not catch. */
    @Command(name = "explode")
    static final class Explode implements Callable<Integer> {
        @CommandLine.Option(names = "--error")
        boolean error;

        @Override
        public Integer call() {
            if (error) {
                throw new UnsatisfiedLinkError("no librocksdbjni in java.library.path");
            }
            throw new IllegalStateException("unexpected\n state", new java.io.IOException("underneath"));
        }
    }

    private record Outcome(int status, String err) {
    }

    private static Outcome run(String... args) {
        CommandLine cli = JwtSidecarCommand.commandLine();
        cli.addSubcommand("explode", new Explode());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(cli, args, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void an_unexpected_exception_is_one_line_with_its_causes_and_status_1() {
        Outcome outcome = run("explode");

        assertThat(outcome.status()).isEqualTo(Main.FATAL_EXIT_CODE);
        assertThat(outcome.err()).isEqualTo("jwt-sidecar explode: cannot continue: unexpected state (IllegalStateException); "
                + "caused by underneath (IOException)" + System.lineSeparator());
    }

    @Test
    void an_error_picocli_lets_through_is_one_line_too() {
        Outcome outcome = run("explode", "--error");

        assertThat(outcome.status()).isEqualTo(Main.FATAL_EXIT_CODE);
        assertThat(outcome.err().lines()).containsExactly(
                "jwt-sidecar explode: cannot continue: no librocksdbjni in java.library.path (UnsatisfiedLinkError)");
    }

    @Test
    void verbose_adds_the_stack_trace_before_or_after_the_command_name() {
        for (String[] args : new String[][] {{"--verbose", "explode"}, {"explode", "--verbose"}, {"explode", "--error", "--verbose"}}) {
            Outcome outcome = run(args);

            assertThat(outcome.status()).isEqualTo(Main.FATAL_EXIT_CODE);
            assertThat(outcome.err().lines().findFirst()).hasValueSatisfying(first -> assertThat(first).contains("cannot continue: "));
            assertThat(outcome.err().lines()).anyMatch(line -> line.startsWith("\tat ") && line.contains("MainTest$Explode.call"));
        }
    }
}
