package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.feed.ServedClients;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node-level mode with real parts: two node-level sidecars (each its own RocksDB store and Kafka
 * reader) serve their pods over unix domain sockets, an admin-plane sidecar publishes, one real
 * broker. Several clients ask each node, in raw HTTP/1.1 over JDK socket channels (nothing shared
 * with the sidecar's HTTP stack). A revocation reaches every client of both nodes, and the fleet
 * receipt lists each node with the pods it answers for.
 */
class NodeModeIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(20);
    private static final List<String> NODE_1_PODS = List.of("shop/cart-0", "shop/web-0", "shop/web-1");
    private static final List<String> NODE_2_PODS = List.of("billing/api-0", "shop/web-2");

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(3);

    @TempDir
    Path dir;

    /** A node-level sidecar serving on {@code socket}, with no admin API (as the DaemonSet runs it). */
    private Sidecar node(String name, Path socket, MutableClock clock) throws Exception {
        String yaml = TestSidecars.yaml(name, kafka.bootstrapServers(), dir.resolve(name), false)
                .replace("api:\n  port: 0\n", "api:\n  port: 0\n  socketPath: " + socket + "\n");
        SidecarConfig config = new ConfigLoader(Map.of()).parse(yaml, dir);
        assertThat(config.apiSocket()).contains(socket);
        return TestSidecars.startReady(config, clock);
    }

    /**
     * GET {@code path} over the unix socket as the pod {@code pod} (no name when null), with
     * {@code token} as a bearer token (none when null): raw HTTP/1.1 over a JDK socket channel, one
     * connection a request, so nothing on this side shares code or connections with the sidecar.
     */
    private static Answer ask(Path socket, String pod, String path, String token) {
        CompletableFuture<Answer> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return exchange(socket, pod, path, token);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            return answer.get(ANSWER_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            answer.cancel(true);
            throw new AssertionError("no answer over " + socket + " to " + path, e);
        }
    }

    private static Answer exchange(Path socket, String pod, String path, String token) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n");
            if (token != null) {
                request.append("Authorization: Bearer ").append(token).append("\r\n");
            }
            if (pod != null) {
                request.append(ServedClients.HEADER).append(": ").append(pod).append("\r\n");
            }
            request.append("Connection: close\r\n\r\n");
            channel.write(ByteBuffer.wrap(request.toString().getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                read.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            String text = read.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
            return new Answer(status, text.substring(text.indexOf("\r\n\r\n") + 4));
        }
    }

    private record Answer(int status, String body) {
    }

    private static Optional<JsonObject> standing(JsonObject receipt, String id) {
        return receipt.getJsonArray("sidecars").stream().map(JsonObject.class::cast)
                .filter(s -> s.getString("id").equals(id)).findFirst();
    }

    @Test
    void a_revocation_reaches_every_client_of_every_node_and_the_receipt_lists_each_node_with_its_pods() throws Exception {
        MutableClock clock = MutableClock.atNow();
        Path run1 = Files.createDirectories(dir.resolve("node-1-run"));
        Path run2 = Files.createDirectories(dir.resolve("node-2-run"));
        Path socket1 = run1.resolve("api.sock");
        Path socket2 = run2.resolve("api.sock");
        try (Sidecar admin = TestSidecars.startReady("admin-plane", kafka.bootstrapServers(), dir.resolve("admin"), true, clock);
             Sidecar node1 = node("node-1", socket1, clock);
             Sidecar node2 = node("node-2", socket2, clock)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket1)))
                    .as("any pod user on the node may connect; the directory mount is the access control")
                    .isEqualTo("rw-rw-rw-");
            String alice = token("alice", clock.epochSecond() - 60);
            for (String pod : NODE_1_PODS.subList(0, 2)) {
                assertThat(ask(socket1, pod, "/v1/verify", alice).status()).isEqualTo(200);
            }
            assertThat(ask(socket1, NODE_1_PODS.get(2), "/v1/verify", alice).status()).isEqualTo(200);
            for (String pod : NODE_2_PODS) {
                assertThat(ask(socket2, pod, "/v1/verify", alice).status()).isEqualTo(200);
            }
            assertThat(ask(socket1, "Not A Pod Name", "/v1/verify", alice).status())
                    .as("a bad client name changes nothing about the answer").isEqualTo(200);
            assertThat(Http.verify(node1.apiPort(), alice).statusCode()).as("the TCP listener stays").isEqualTo(200);

            int adminPort = admin.adminPort().orElseThrow();
            var published = Http.postJson(adminPort, "/v1/revocations?wait=all&timeout=20s", ADMIN_TOKEN,
                    "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"alice\"}");
            assertThat(published.statusCode()).as(published.body()).isEqualTo(202);
            JsonObject fleet = new JsonObject(published.body()).getJsonObject("fleet");
            assertThat(fleet.getBoolean("complete")).as(published.body()).isTrue();
            assertThat(fleet.getLong("applied")).as("the admin plane and both nodes").isEqualTo(3);

            for (String pod : NODE_1_PODS.subList(0, 2)) {
                Answer refused = ask(socket1, pod, "/v1/verify", alice);
                assertThat(refused.status()).isEqualTo(401);
                assertThat(refused.body()).contains("\"error\":\"revoked\"");
            }
            assertThat(ask(socket1, NODE_1_PODS.get(2), "/v1/verify", alice).body()).contains("\"error\":\"revoked\"");
            for (String pod : NODE_2_PODS) {
                assertThat(ask(socket2, pod, "/v1/verify", alice).body()).contains("\"error\":\"revoked\"");
            }

            String eventId = new JsonObject(published.body()).getString("eventId");
            await().atMost(PATIENCE).untilAsserted(() -> {
                JsonObject receipt = new JsonObject(Http.getWithBearer(adminPort, "/v1/revocations/" + eventId + "/status",
                        ADMIN_TOKEN).body());
                JsonObject n1 = standing(receipt, "node-1").orElseThrow();
                assertThat(n1.getString("state")).isEqualTo("applied");
                assertThat(n1.getJsonArray("clients")).isEqualTo(new JsonArray(NODE_1_PODS));
                assertThat(n1.getInteger("clientCount")).isEqualTo(3);
                JsonObject n2 = standing(receipt, "node-2").orElseThrow();
                assertThat(n2.getString("state")).isEqualTo("applied");
                assertThat(n2.getJsonArray("clients")).isEqualTo(new JsonArray(NODE_2_PODS));
                assertThat(standing(receipt, "admin-plane").orElseThrow().getInteger("clientCount")).isZero();
            });

            String metrics = ask(socket1, null, "/metrics", null).body();
            assertThat(metrics).contains("jwt_sidecar_served_clients 3.0")
                    .contains("jwt_sidecar_served_clients_refused_total{reason=\"malformed\"} 1.0");
        }
        assertThat(Files.exists(socket1)).as("a stopped node-level sidecar removes its socket").isFalse();
        assertThat(Files.list(run1)).as("and leaves no bound name behind").isEmpty();
    }

    @Test
    void a_successor_takes_over_the_socket_and_its_predecessor_stopping_does_not_remove_it() throws Exception {
        MutableClock clock = MutableClock.atNow();
        Path socket = Files.createDirectories(dir.resolve("run")).resolve("api.sock");
        String alice = token("alice", clock.epochSecond() - 60);
        Sidecar old = node("node-1", socket, clock);
        try (Sidecar successor = TestSidecars.startReady(new ConfigLoader(Map.of()).parse(
                TestSidecars.yaml("node-1-new", kafka.bootstrapServers(), dir.resolve("node-1-new"), false)
                        .replace("api:\n  port: 0\n", "api:\n  port: 0\n  socketPath: " + socket + "\n"), dir), clock)) {
            old.close();

            assertThat(Files.exists(socket)).isTrue();
            assertThat(ask(socket, "shop/web-0", "/v1/verify", alice).status()).isEqualTo(200);
        }
    }

    /**
     * A sidecar in a pod of its own serves no node: whatever a request names itself in the header
     * came through the pod's proxy, which forwards an end user's headers unless told otherwise, so
     * anyone on the internet could fill its status (and the admin sidecars' name budget) with pods
     * of their choosing and have each made-up name trigger a status report.
     */
    @Test
    void a_sidecar_in_a_pod_of_its_own_names_no_clients_whatever_its_requests_say() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar admin = TestSidecars.startReady("admin-plane", kafka.bootstrapServers(), dir.resolve("admin"), true, clock);
             Sidecar pod = TestSidecars.startReady("pod-1", kafka.bootstrapServers(), dir.resolve("pod-1"), false, clock)) {
            assertThat(pod.apiPort()).isPositive();
            String alice = token("alice", clock.epochSecond() - 60);
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pod.apiPort() + "/v1/verify"))
                    .header("Authorization", "Bearer " + alice).header(ServedClients.HEADER, "victim/forged-pod")
                    .timeout(ANSWER_WITHIN).build();
            assertThat(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);

            int adminPort = admin.adminPort().orElseThrow();
            var published = Http.postJson(adminPort, "/v1/revocations?wait=all&timeout=20s", ADMIN_TOKEN,
                    "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"bob\"}");
            assertThat(published.statusCode()).as(published.body()).isEqualTo(202);
            String eventId = new JsonObject(published.body()).getString("eventId");
            JsonObject[] seen = new JsonObject[1];
            await().atMost(PATIENCE).untilAsserted(() -> {
                JsonObject receipt = new JsonObject(Http.getWithBearer(adminPort, "/v1/revocations/" + eventId + "/status",
                        ADMIN_TOKEN).body());
                seen[0] = standing(receipt, "pod-1").orElseThrow();
                assertThat(seen[0].getString("state")).isEqualTo("applied");
            });
            assertThat(seen[0].getInteger("clientCount")).as(seen[0].encode()).isZero();
        }
    }
}
