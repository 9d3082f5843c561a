package io.jwtsidecar.app;

import io.jwtsidecar.config.ConfigKey;
import org.jspecify.annotations.Nullable;

/**
 * This machine refuses what the configuration asks for: a port another process holds, an address
 * the machine does not have, a data directory that cannot be made or written. The operator fixes
 * it by changing the machine or the key, so the command line reports it as one sentence with an
 * exit status of its own, never as a stack trace of the bind.
 */
public final class StartRefused extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final transient ConfigKey<?> key;
    private final String problem;
    private final String sentence;

    /**
     * @param key     the configuration key that names what was refused
     * @param problem what the machine refused and why, e.g. "cannot listen on 127.0.0.1:8181: the
     *                port is in use by another process"
     * @param fix     what to do, e.g. "stop it, or set api.port (JWT_SIDECAR_API_PORT) to a free port"
     */
    StartRefused(ConfigKey<?> key, String problem, String fix, @Nullable Throwable cause) {
        super(key.name() + ": " + problem + "; " + fix, cause);
        this.sentence = key.name() + ": " + problem + "; " + fix;
        this.key = key;
        this.problem = problem;
    }

    /** The key whose value the machine refused. */
    public ConfigKey<?> key() {
        return key;
    }

    /** The whole sentence: the key, what was refused and why, and the fix (the message, never null). */
    public String sentence() {
        return sentence;
    }

    /** What was refused and why, without the key or the fix (for a command that sets the key itself, as dev does). */
    public String problem() {
        return problem;
    }
}
