package io.jwtsidecar.app;

import io.jwtsidecar.cli.JwtSidecarCommand;
import java.io.PrintStream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;

/**
 * Entry point of {@code java -jar jwt-sidecar.jar}. Whatever a command throws, Errors included,
 * ends the process with one line on stderr and status {@value #FATAL_EXIT_CODE}: an
 * {@code UnsatisfiedLinkError} (a native library that cannot be mapped from a noexec /tmp) used
 * to escape picocli and end only the main thread, leaving the threads started before it to keep
 * the JVM alive with nothing serving.
 */
public final class Main {
    /** The exit status of a command that failed with an unexpected error. */
    public static final int FATAL_EXIT_CODE = 1;
    private static final int MAX_LINE = 400;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.err));
    }

    /** Runs a command line; returns the exit status. */
    static int run(String[] args, PrintStream err) {
        return run(JwtSidecarCommand.commandLine(), args, err);
    }

    /** Runs {@code args} on {@code cli}, whose root is a {@link JwtSidecarCommand}; returns the exit status. */
    static int run(CommandLine cli, String[] args, PrintStream err) {
        cli.setExecutionExceptionHandler((e, command, parsed) -> fatal(err, command, e));
        try {
            return cli.execute(args);
        } catch (Throwable t) { // NOPMD: Errors escape picocli's handler, and the process must still end
            return fatal(err, commandRun(cli), t);
        }
    }

    /** The subcommand the arguments named, the deepest one: the root when parsing never finished. */
    private static CommandLine commandRun(CommandLine cli) {
        // Null when parsing failed before it finished.
        CommandLine.@Nullable ParseResult parsed = cli.getParseResult();
        if (parsed == null) {
            return cli;
        }
        while (parsed.hasSubcommand()) {
            parsed = parsed.subcommand();
        }
        return parsed.commandSpec().commandLine();
    }

    /**
     * One line; with {@code --verbose} (already parsed into the root by the time anything runs)
     * the stack trace after it, for a bug report.
     */
    private static int fatal(PrintStream err, CommandLine command, Throwable t) {
        String name = command.getCommandName();
        String prefix = command.getParent() == null ? "jwt-sidecar: " : "jwt-sidecar " + name + ": ";
        err.println(prefix + "cannot continue: " + oneLine(t));
        if (JwtSidecarCommand.verbose(command.getCommandSpec())) {
            t.printStackTrace(err);
        }
        return FATAL_EXIT_CODE;
    }

    /** The failure and its causes, each as "message (Type)", on one line. */
    static String oneLine(Throwable t) {
        StringBuilder line = new StringBuilder();
        for (Throwable c = t; c != null && line.length() < MAX_LINE; c = c.getCause() == c ? null : c.getCause()) {
            if (line.length() > 0) {
                line.append("; caused by ");
            }
            String message = c.getMessage() == null ? "" : c.getMessage().replaceAll("\\s+", " ").strip();
            line.append(message.isEmpty() ? "" : message + " ").append('(').append(c.getClass().getSimpleName()).append(')');
        }
        return line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "…" : line.toString();
    }
}
