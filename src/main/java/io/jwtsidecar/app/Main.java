package io.jwtsidecar.app;

import io.jwtsidecar.cli.JwtSidecarCommand;
import picocli.CommandLine;

/** Entry point of {@code java -jar jwt-sidecar.jar}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new JwtSidecarCommand()).execute(args));
    }
}
