package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.TestSidecars;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop (SIGTERM, as Kubernetes and Docker send it) drains: the listeners take no new
 * connections, and a request already in flight completes with its answer, here an admin revoke
 * whose body is still arriving when the signal does.
 */
class GracefulShutdownIT {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    Path dir;

    @Test
    void a_request_in_flight_when_sigterm_arrives_completes_and_new_connections_are_refused() throws Exception {
        int api = freePort();
        int admin = freePort();
        Path config = Files.writeString(dir.resolve("sidecar.yaml"),
                TestSidecars.yaml("drain", kafka.bootstrapServers(), dir.resolve("store"), true)
                        .replace("api:\n  port: 0\n", "api:\n  port: " + api + "\n")
                        .replace("admin:\n  port: 0\n", "admin:\n  port: " + admin + "\n")
                        + "shutdown:\n  gracePeriod: 20s\n");
        Path log = dir.resolve("sidecar.log");
        Process sidecar = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                Path.of("target", "jwt-sidecar.jar").toString(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> Http.get(api, "/health/ready").statusCode() == 200);
            byte[] body = ("{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"in-flight\",\"reason\":\"logout_all\"}")
                    .getBytes(StandardCharsets.UTF_8);
            try (Socket inFlight = new Socket(InetAddress.getLoopbackAddress(), admin)) {
                inFlight.setSoTimeout(30_000);
                OutputStream out = inFlight.getOutputStream();
                out.write(("POST /v1/revocations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN_TOKEN
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, body.length / 2);
                out.flush();
                Thread.sleep(300);

                sidecar.destroy(); // SIGTERM
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", api), 1000))
                                .as("no new connections once stopping").isInstanceOf(ConnectException.class));
                out.write(body, body.length / 2, body.length - body.length / 2);
                out.flush();
                String status = new BufferedReader(new InputStreamReader(inFlight.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();

                assertThat(status).as(Files.readString(log)).isEqualTo("HTTP/1.1 202 Accepted");
            }
            assertThat(sidecar.waitFor(30, TimeUnit.SECONDS)).as("it stops once drained").isTrue();
            assertThat(Files.readString(log)).contains("sidecar drain stopped");
        } finally {
            sidecar.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
