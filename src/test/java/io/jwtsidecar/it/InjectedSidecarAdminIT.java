package io.jwtsidecar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.inject.InjectionSettings;
import io.jwtsidecar.inject.SidecarInjector;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.LogCapture;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sidecar started the way the injection webhook starts one, with a ConfigMap that carries an
 * admin token, a real broker and real sockets: by default it binds no admin listener at all, and
 * only the webhook operator's explicit opt-in gives it one.
 */
class InjectedSidecarAdminIT {
    private static final String IMAGE = "jwt-sidecar:0.1.0";

    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);
    private static final MutableClock clock = MutableClock.atNow();

    /**
     * The plain values the injected container sets, as the kubelet would hand them to the
     * process; the store's directory is moved into this test's directory (the container's is on
     * an emptyDir that does not exist here).
     */
    private static Map<String, String> containerEnv(InjectionSettings settings, Path store) {
        Container container = new SidecarInjector(settings).container(IMAGE);
        assertThat(container.getPorts()).as("the injected container declares the metrics port alone, no admin port")
                .extracting(p -> p.getName()).containsExactly(SidecarInjector.METRICS_PORT_NAME);
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : container.getEnv()) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            }
        }
        env.put("JWT_SIDECAR_REVOCATION_DATA_DIR", store.toString());
        // The pod's fixed metrics port on every address is the pod's own; on a shared test machine
        // it moves to a free loopback port.
        env.put("JWT_SIDECAR_METRICS_HOST", "127.0.0.1");
        env.put("JWT_SIDECAR_METRICS_PORT", "0");
        return env;
    }

    /** A shared sidecar ConfigMap that turns an admin API on: an admin token and a fixed admin port. */
    private static String configMap(String id, int adminPort) {
        return TestSidecars.yaml(id, kafka.bootstrapServers(), dir.resolve(id), "  token: " + TestSidecars.ADMIN_TOKEN + "\n")
                .replace("admin:\n  port: 0\n", "admin:\n  host: 127.0.0.1\n  port: " + adminPort + "\n");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void connect(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        }
    }

    @Test
    void an_injected_sidecar_binds_no_admin_listener_even_when_its_config_map_has_an_admin_token() throws Exception {
        InjectionSettings byDefault = new InjectionSettings(IMAGE, "jwt-sidecar-config", Optional.empty(), 8181);
        int adminPort = freePort();

        try (LogCapture warnings = LogCapture.warn(Sidecar.class.getName());
             Sidecar sidecar = TestSidecars.startReady(new ConfigLoader(containerEnv(byDefault, dir.resolve("off")))
                     .parse(configMap("injected", adminPort), dir), clock)) {
            assertThat(sidecar.adminPort()).as("no admin listener").isEmpty();
            assertThatThrownBy(() -> connect(adminPort)).as("nothing listens on the admin port")
                    .isInstanceOf(ConnectException.class);
            assertThat(warnings.messages()).contains("admin API is off: admin.enabled is false");
            assertThat(Http.get(sidecar.apiPort(), "/health/live").statusCode()).as("the sidecar itself serves").isEqualTo(200);
        }
    }

    @Test
    void the_operators_opt_in_gives_an_injected_sidecar_its_admin_listener() throws Exception {
        InjectionSettings optedIn = new InjectionSettings(IMAGE, "jwt-sidecar-config", Optional.of("jwt-sidecar-admin"), 8181);
        int adminPort = freePort();

        // The opt-in reads the token from a Secret that this test has not got; the ConfigMap's own token stands in.
        try (Sidecar sidecar = TestSidecars.startReady(new ConfigLoader(containerEnv(optedIn, dir.resolve("on")))
                .parse(configMap("opted-in", adminPort), dir), clock)) {
            assertThat(sidecar.adminPort()).contains(adminPort);
            assertThat(Http.get(adminPort, "/openapi.yaml").statusCode()).isEqualTo(200);
        }
    }
}
