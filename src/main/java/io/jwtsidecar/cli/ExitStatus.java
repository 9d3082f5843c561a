package io.jwtsidecar.cli;

/**
 * The exit statuses every command shares, so that a script can tell "try again later" from "fix
 * the command line" without reading stderr. The README's "Command line" section has the same
 * table.
 *
 * <ul>
 *   <li>{@value #OK}: done.</li>
 *   <li>{@value #FAILED}: the command ran and the answer was no: the admin API refused the
 *       request, a check found problems, or an unexpected error.</li>
 *   <li>{@value #USAGE}: the command line or a file it names is wrong: a missing option, no
 *       credential, a key file that is missing, unreadable or not the right kind of key, an invalid
 *       configuration. Running it again unchanged cannot help.</li>
 *   <li>{@value #UNREACHABLE}: the admin API (or Kafka, for {@code topic}) could not be reached or
 *       did not answer in time: nothing listening, an unknown host, a timeout.</li>
 *   <li>{@value #REFUSED}: this machine refused what the configuration asks ({@code run},
 *       {@code dev}): a port in use, an address it does not have, a data directory it cannot
 *       create or write.</li>
 * </ul>
 */
public final class ExitStatus {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = ConfigErrors.EXIT_CODE;
    static final int UNREACHABLE = 3;
    /** Public for {@code dev}, which lives in a package of its own. */
    public static final int REFUSED = 4;

    private ExitStatus() {
    }
}
