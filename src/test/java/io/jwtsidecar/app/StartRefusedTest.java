package io.jwtsidecar.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwtsidecar.config.ConfigKeys;
import io.jwtsidecar.testing.LogCapture;
import io.jwtsidecar.testing.TestSidecars;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What this machine refuses is the operator's to fix: one sentence naming the key, the value and
 * what to do, as a {@link StartRefused} the command line turns into exit status 4. Real binds and
 * a real file system; Kafka is never reached (the start fails before the feed would need it).
 */
class StartRefusedTest {
    @TempDir
    Path dir;

    private io.jwtsidecar.config.SidecarConfig config(String yaml) {
        return TestSidecars.parse(yaml, dir);
    }

    private String yaml(Path dataDir) {
        return TestSidecars.yaml("refused", "127.0.0.1:1", dataDir, false);
    }

    @Test
    void a_data_dir_that_cannot_be_created_stops_the_start_with_one_sentence_naming_key_path_and_reason() {
        // /proc takes no new directories, even for root.
        Path dataDir = Path.of("/proc/jwt-sidecar-test/revocations");
        var config = TestSidecars.parse(yaml(dataDir), dataDir);

        try (LogCapture errors = LogCapture.warn(Sidecar.class.getName())) {
            assertThatThrownBy(() -> Sidecar.start(config, Clock.systemUTC()))
                    .isInstanceOfSatisfying(StartRefused.class, e -> assertThat(e.key()).isEqualTo(ConfigKeys.DATA_DIR))
                    .hasMessage("revocation.dataDir: cannot create " + dataDir + ": no such file or directory; set "
                            + "revocation.dataDir (JWT_SIDECAR_REVOCATION_DATA_DIR) to a directory this user can write");
            assertThat(errors.messages()).noneMatch(m -> m.contains("rebuilding"));
        }
    }

    @Test
    void a_port_another_process_holds_is_one_sentence_naming_key_address_and_what_to_do() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = busy.getLocalPort();
            var config = config(yaml(dir.resolve("store")).replace("api:\n  port: 0\n", "api:\n  port: " + port + "\n"));

            assertThatThrownBy(() -> Sidecar.start(config, Clock.systemUTC()))
                    .isInstanceOfSatisfying(StartRefused.class, e -> assertThat(e.key()).isEqualTo(ConfigKeys.API_PORT))
                    .hasMessage("api.port: cannot listen on 127.0.0.1:" + port + ": the port is in use by another process; "
                            + "stop it, or set api.port (JWT_SIDECAR_API_PORT) to a free port");
            // A failed start leaves nothing behind to log into whatever runs next.
            assertThat(topicChecksRunning()).isZero();
        }
    }

    @Test
    void a_closed_sidecar_leaves_no_topic_check_running_even_with_kafka_unreachable() {
        try (Sidecar sidecar = Sidecar.start(config(yaml(dir.resolve("store"))), Clock.systemUTC())) {
            assertThat(sidecar.apiPort()).isPositive();
        }
        assertThat(topicChecksRunning()).isZero();
    }

    private static long topicChecksRunning() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("topic-check") && t.isAlive())
                .count();
    }

    @Test
    void an_address_this_machine_does_not_have_is_one_sentence_naming_the_host_key() {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this machine.
        var config = config(yaml(dir.resolve("store")).replace("api:\n  port: 0\n", "api:\n  host: 192.0.2.1\n  port: 0\n"));

        assertThatThrownBy(() -> Sidecar.start(config, Clock.systemUTC()))
                .isInstanceOfSatisfying(StartRefused.class, e -> assertThat(e.key()).isEqualTo(ConfigKeys.API_HOST))
                .hasMessage("api.host: cannot listen on 192.0.2.1:0: this machine has no such address; set api.host "
                        + "(JWT_SIDECAR_API_HOST) to one of its addresses, such as 127.0.0.1");
    }
}
