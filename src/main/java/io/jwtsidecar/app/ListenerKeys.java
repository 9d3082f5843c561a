package io.jwtsidecar.app;

import io.jwtsidecar.config.ConfigKey;
import io.jwtsidecar.config.ConfigKeys;
import io.jwtsidecar.config.SidecarConfig;
import java.net.BindException;
import java.util.Locale;
import java.util.Optional;

/**
 * The host and port keys of one listener, and what a refused bind means in their terms: a port in
 * use, an address this machine does not have, a port below 1024 without the privilege. The
 * operating system's words differ between the JDK's sockets and Netty's native transport, so the
 * causes are read for the phrases both use.
 */
enum ListenerKeys {
    API(ConfigKeys.API_HOST, ConfigKeys.API_PORT),
    ADMIN(ConfigKeys.ADMIN_HOST, ConfigKeys.ADMIN_PORT),
    METRICS(ConfigKeys.METRICS_HOST, ConfigKeys.METRICS_PORT);

    private final ConfigKey<?> host;
    private final ConfigKey<?> port;

    ListenerKeys(ConfigKey<?> host, ConfigKey<?> port) {
        this.host = host;
        this.port = port;
    }

    /** What {@code failure} (a bind that failed) means for this listener; empty when it is no refusal of the machine's. */
    Optional<StartRefused> refused(SidecarConfig.Listener listener, Throwable failure) {
        String address = listener.host() + ":" + listener.port();
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String message = c.getMessage() == null ? "" : c.getMessage().toLowerCase(Locale.ROOT);
            // Only the bind's own failure: the JDK throws a BindException, Netty's native transport an
            // IOException saying "bind(..) failed". A TLS key file the admin listener cannot read also
            // says "permission denied", and is no privileged port.
            if (!(c instanceof BindException) && !message.contains("bind(")) {
                continue;
            }
            if (message.contains("address already in use")) {
                return Optional.of(new StartRefused(port, "cannot listen on " + address
                        + ": the port is in use by another process", "stop it, or set " + set(port) + " to a free port",
                        failure));
            }
            if (message.contains("cannot assign requested address")) {
                return Optional.of(new StartRefused(host, "cannot listen on " + address
                        + ": this machine has no such address", "set " + set(host)
                        + " to one of its addresses, such as 127.0.0.1", failure));
            }
            if (message.contains("permission denied")) {
                return Optional.of(new StartRefused(port, "cannot listen on " + address
                        + ": permission denied (ports below 1024 need a privilege)", "set " + set(port)
                        + " to 1024 or above", failure));
            }
        }
        return Optional.empty();
    }

    private static String set(ConfigKey<?> key) {
        return key.name() + " (" + key.envName() + ")";
    }
}
