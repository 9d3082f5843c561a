package io.jwtsidecar.cli;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The root of the command line; each subcommand is one class in this package, but {@code dev}.
 * {@code scope = INHERIT} hands {@code --help}, {@code --version} and {@code --verbose} down to
 * every subcommand, {@code dev} included although it is added by name: the README promises
 * {@code --help} on each, and a command added later cannot forget it.
 */
@Command(name = "jwt-sidecar", mixinStandardHelpOptions = true, version = "jwt-sidecar 0.1.0",
        scope = CommandLine.ScopeType.INHERIT,
        description = "JWT verification and near-instant revocation sidecar.",
        subcommands = {RunCommand.class, RevokeCommand.class, RestoreCommand.class, StatusCommand.class,
                TokenCommand.class, CheckConfigCommand.class, TopicCommand.class, InjectWebhookCommand.class,
                WarmUpCommand.class})
public final class JwtSidecarCommand implements Runnable {
    /**
     * {@code dev} runs a Kafka broker inside the JVM, which only the dev jar carries
     * (jwt-sidecar-dev.jar): the production jar and image leave out the broker, Scala and the
     * dev package, so this root names the command by class and never links to it.
     */
    static final String DEV_COMMAND = "io.jwtsidecar.dev.DevCommand";

    @Spec
    CommandSpec spec;

    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "On an error, print its stack trace too (for a bug report).")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * Whether {@code --verbose} was given, before or after the subcommand's name: an inherited
     * option sets this root's field wherever it appears.
     */
    public static boolean verbose(CommandSpec command) {
        return command.root().userObject() instanceof JwtSidecarCommand root && root.verbose;
    }

    /** The whole command line: {@code dev} where this jar has it, else a command that says where it is. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new JwtSidecarCommand());
        cli.addSubcommand("dev", devCommand().orElseGet(DevUnavailable::new));
        cli.setParameterExceptionHandler(new UsageErrors());
        return cli;
    }

    private static Optional<Object> devCommand() {
        try {
            return Optional.of(Class.forName(DEV_COMMAND).getConstructor().newInstance());
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + DEV_COMMAND, e);
        }
    }

    /** {@code dev} in the production jar: one line saying which jar has it, exit 2 (a usage error). */
    @Command(name = "dev", description = "Not in this jar: dev mode runs from jwt-sidecar-dev.jar.")
    static final class DevUnavailable implements Callable<Integer> {
        @CommandLine.Unmatched
        @Nullable List<String> ignored;

        @Override
        public Integer call() {
            System.err.println("jwt-sidecar: dev mode is not in this jar, which carries no Kafka broker; "
                    + "run it from the dev jar: java -jar jwt-sidecar-dev.jar dev");
            return 2;
        }
    }
}
