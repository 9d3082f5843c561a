package io.jwtsidecar.cli;

import picocli.CommandLine.Command;

/** The root of the command line; each subcommand is one class in this package. */
@Command(name = "jwt-sidecar", mixinStandardHelpOptions = true, version = "jwt-sidecar 0.1.0",
        description = "JWT verification and near-instant revocation sidecar.",
        subcommands = {DevCommand.class, RunCommand.class, RevokeCommand.class, RestoreCommand.class, StatusCommand.class,
                TokenCommand.class, CheckConfigCommand.class, TopicCommand.class, InjectWebhookCommand.class})
public final class JwtSidecarCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
