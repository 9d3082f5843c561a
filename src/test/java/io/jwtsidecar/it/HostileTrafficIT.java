package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile traffic against both listeners at once: malformed tokens, oversized headers and
 * bodies, slow clients holding connections open, and a connection flood. Good requests sent
 * meanwhile must all succeed, and the process must stay up.
 */
class HostileTrafficIT {
    private static final boolean FULL = "full".equals(System.getProperty("reliability.scale"));
    private static final int ROUNDS = FULL ? 20_000 : 1_500;

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    Path dir;

    /** Every oversized request must get its own status; a dropped connection fails the test. */
    private static int status(HttpClient client, HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void good_requests_keep_succeeding_under_hostile_traffic() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar s = TestSidecars.startReady("h", kafka.bootstrapServers(), dir.resolve("h"), true, clock)) {
            int api = s.apiPort();
            int admin = s.adminPort().orElseThrow();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger hostileSent = new AtomicInteger();
            List<Socket> slow = new ArrayList<>();
            ExecutorService attackers = Executors.newFixedThreadPool(4);
            List<Future<?>> attacks = new ArrayList<>();
            try {
                // Slow clients: half a request line, then nothing.
                for (int i = 0; i < 100; i++) {
                    Socket sock = new Socket("127.0.0.1", i % 2 == 0 ? api : admin);
                    sock.getOutputStream().write("GET /v1/verify HTTP/1.1\r\nHost: x\r\nAuthoriz".getBytes(StandardCharsets.US_ASCII));
                    slow.add(sock);
                }
                attacks.add(attackers.submit(() -> {
                    for (int i = 0; i < ROUNDS && !stop.get(); i++) {
                        Http.verify(api, "garbage." + i + ".x");
                        hostileSent.incrementAndGet();
                    }
                    return null;
                }));
                attacks.add(attackers.submit(() -> {
                    String huge = "a".repeat(64 * 1024);
                    for (int i = 0; i < ROUNDS / 10 && !stop.get(); i++) {
                        // Past the header limit (token limit plus room for other headers): the codec's 431.
                        assertThat(status(client, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api
                                + "/v1/verify")).header("Authorization", "Bearer " + huge))).isEqualTo(431);
                        assertThat(status(client, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api
                                + "/v1/verify")).POST(HttpRequest.BodyPublishers.ofString(huge + huge + huge))))
                                .isEqualTo(413);
                        // The admin body is read (and refused) before the credential is looked at.
                        assertThat(status(client, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin
                                + "/v1/revocations")).header("Authorization", "Bearer wrong").POST(
                                HttpRequest.BodyPublishers.ofString(huge)))).isEqualTo(413);
                        hostileSent.addAndGet(3);
                    }
                    return null;
                }));
                attacks.add(attackers.submit(() -> {
                    for (int i = 0; i < ROUNDS / 5 && !stop.get(); i++) {
                        try (Socket sock = new Socket("127.0.0.1", api)) {
                            OutputStream out = sock.getOutputStream();
                            out.write("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                        hostileSent.incrementAndGet();
                    }
                    return null;
                }));

                int good = 0;
                String alice = token("alice", clock.epochSecond() - 10);
                while (attacks.stream().anyMatch(f -> !f.isDone()) || good < 200) {
                    HttpResponse<String> r = Http.verify(api, alice);
                    assertThat(r.statusCode()).as("good request %d", good).isEqualTo(200);
                    good++;
                }
                for (Future<?> f : attacks) {
                    f.get(); // rethrows an attacker's failed assertion
                }
                assertThat(hostileSent.get()).isGreaterThan(ROUNDS);
                assertThat(Http.get(api, "/health/live").statusCode()).isEqualTo(200);
                assertThat(Http.get(api, "/metrics").body()).contains("jwt_sidecar_verify_total{verdict=\"malformed\"}");
            } finally {
                stop.set(true);
                attackers.shutdownNow();
                attackers.awaitTermination(10, TimeUnit.SECONDS);
                for (Socket sock : slow) {
                    sock.close();
                }
            }
        }
    }
}
