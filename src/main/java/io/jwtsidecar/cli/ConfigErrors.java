package io.jwtsidecar.cli;

import io.jwtsidecar.config.ConfigException;
import java.nio.file.Path;

/** Prints configuration errors the same way for every command. */
final class ConfigErrors {
    /** The exit code for an unusable configuration. */
    static final int EXIT_CODE = 2;

    private ConfigErrors() {
    }

    /**
     * A start that fails on its configuration ({@code run}, {@code topic}): one line, every error
     * in it separated by "; ", so that a container's log shows the whole reason as one event and
     * nothing after it.
     */
    static int print(Path file, ConfigException e) {
        System.err.println(header(file) + ": " + String.join("; ", e.errors()));
        return EXIT_CODE;
    }

    /** {@code check-config}, read by a person at a terminal: one error per line. */
    static int printList(Path file, ConfigException e) {
        System.err.println(header(file) + ":");
        for (String error : e.errors()) {
            System.err.println("  - " + error);
        }
        return EXIT_CODE;
    }

    private static String header(Path file) {
        return "jwt-sidecar: invalid configuration" + (file == null ? "" : " in " + file);
    }
}
