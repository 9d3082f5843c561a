package io.jwtsidecar.cli;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A failure the person at the terminal can fix: reported as one sentence that names the thing
 * (a file, a URL) and what to do, never as a stack trace, which tells an operator nothing and
 * hides the sentence. The cause is kept for {@code --verbose}, for a bug report.
 */
final class UserError extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    /** {@code sentence} follows "jwt-sidecar COMMAND: "; {@code status} is one of {@link ExitStatus}. */
    UserError(int status, String sentence, @Nullable Throwable cause) {
        super(sentence, cause);
        this.status = status;
    }

    int status() {
        return status;
    }

    /** Prints the sentence on stderr (the stack trace too with {@code --verbose}) and returns the exit status. */
    int report(CommandSpec command) {
        System.err.println(command.qualifiedName() + ": " + getMessage());
        Throwable cause = getCause();
        if (cause != null && JwtSidecarCommand.verbose(command)) {
            cause.printStackTrace(System.err);
        }
        return status;
    }

    /** What went wrong in {@code t}, for the middle of a sentence: the first message in its causes, else its type. */
    static String reason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String message = c.getMessage();
            if (message != null && !message.isBlank()) {
                return message.replaceAll("\\s+", " ").strip();
            }
        }
        return t.getClass().getSimpleName();
    }
}
