package io.jwtsidecar.cli;

import io.jwtsidecar.config.ConfigException;
import java.nio.file.Path;

/** Prints configuration errors the same way for every command. */
final class ConfigErrors {
    /** The exit code for an unusable configuration. */
    static final int EXIT_CODE = 2;

    private ConfigErrors() {
    }

    static int print(Path file, ConfigException e) {
        System.err.println("jwt-sidecar: invalid configuration" + (file == null ? "" : " in " + file) + ":");
        for (String error : e.errors()) {
            System.err.println("  - " + error);
        }
        return EXIT_CODE;
    }
}
