package io.jwtsidecar.config;

import java.util.List;

/** The configuration is unusable; {@link #errors()} lists every problem, each naming its key and value. */
public final class ConfigException extends RuntimeException {
    private final List<String> errors;

    public ConfigException(List<String> errors) {
        super(errors.size() + " configuration error(s):\n  " + String.join("\n  ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
