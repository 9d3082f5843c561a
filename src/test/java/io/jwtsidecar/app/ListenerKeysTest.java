package io.jwtsidecar.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.config.ConfigKeys;
import io.jwtsidecar.config.SidecarConfig;
import java.io.FileNotFoundException;
import java.net.BindException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The operating system's words for a refused bind, as the JDK and Netty's native transport put
 * them (the messages below are theirs), read into a sentence in the listener's own keys.
 */
class ListenerKeysTest {
    private static Optional<StartRefused> refused(ListenerKeys keys, String host, int port, Throwable failure) {
        return keys.refused(new SidecarConfig.Listener(host, port), new IllegalStateException("Error binding", failure));
    }

    @Test
    void netty_s_native_words_for_a_port_in_use_name_the_port_key_of_that_listener() {
        Optional<StartRefused> r = refused(ListenerKeys.ADMIN, "127.0.0.1", 8182,
                new Exception("bind(..) failed with error(-98): Address already in use"));

        assertThat(r).get().satisfies(e -> {
            assertThat(e.key()).isEqualTo(ConfigKeys.ADMIN_PORT);
            assertThat(e.getMessage()).isEqualTo("admin.port: cannot listen on 127.0.0.1:8182: the port is in use by "
                    + "another process; stop it, or set admin.port (JWT_SIDECAR_ADMIN_PORT) to a free port");
        });
    }

    @Test
    void a_privileged_port_says_so() {
        Optional<StartRefused> r = refused(ListenerKeys.METRICS, "0.0.0.0", 80, new BindException("Permission denied"));

        assertThat(r).get().extracting(Throwable::getMessage).isEqualTo("metrics.port: cannot listen on 0.0.0.0:80: "
                + "permission denied (ports below 1024 need a privilege); set metrics.port (JWT_SIDECAR_METRICS_PORT) "
                + "to 1024 or above");
    }

    @Test
    void an_unreadable_tls_key_file_is_no_privileged_port() {
        assertThat(refused(ListenerKeys.ADMIN, "127.0.0.1", 8443,
                new FileNotFoundException("/etc/tls/admin.key (Permission denied)"))).isEmpty();
    }

    @Test
    void any_other_failure_is_no_refusal_of_the_machine_s() {
        assertThat(refused(ListenerKeys.API, "127.0.0.1", 8181, new IllegalArgumentException("bad TLS key"))).isEmpty();
    }
}
