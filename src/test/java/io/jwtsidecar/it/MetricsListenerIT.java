package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics listener ({@code metrics.host:metrics.port}), over real HTTP against a real
 * sidecar: it serves the whole registry on {@code GET /metrics} and nothing else, binds loopback
 * unless told otherwise, and is not there at all unless a port is configured.
 */
class MetricsListenerIT {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** What a scrape must have: the sidecar's own families and the JVM's, from the one registry. */
    private static final List<String> FAMILIES = List.of("# TYPE jwt_sidecar_verify_latency_seconds histogram",
            "# TYPE jwt_sidecar_feed_staleness_seconds gauge", "# TYPE jvm_memory_used_bytes gauge",
            "# TYPE process_cpu_usage gauge", "# TYPE jvm_threads_live_threads gauge");

    @TempDir
    Path dir;

    private SidecarConfig withMetricsPort(String id, Map<String, String> env) {
        String yaml = TestSidecars.yaml(id, kafka.bootstrapServers(), dir.resolve(id), true) + "metrics:\n  port: 0\n";
        return new ConfigLoader(env).parse(yaml, dir);
    }

    private static HttpResponse<String> send(String host, int port, String method, String path, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("request to " + host + ":" + port + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An IPv4 address of this machine other than loopback: where a pod's neighbours would connect. */
    private static Optional<InetAddress> podAddress() throws SocketException {
        return NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return i.isUp() && !i.isLoopback();
            } catch (SocketException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .findFirst();
    }

    private static void assertRefused(InetAddress address, int port) {
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 2000);
            }
        }, "nothing may listen on " + address.getHostAddress() + ":" + port);
    }

    @Test
    void the_metrics_port_serves_sidecar_and_jvm_metrics_and_nothing_else() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar s = TestSidecars.startReady(withMetricsPort("m", Map.of()), clock)) {
            int metrics = s.metricsPort().orElseThrow();
            String alice = token("alice", clock.epochSecond() - 60);
            assertThat(Http.verify(s.apiPort(), alice).statusCode()).isEqualTo(200);

            HttpResponse<String> scrape = Http.get(metrics, "/metrics");

            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(scrape.body()).contains(FAMILIES).contains("jwt_sidecar_verify_total{verdict=\"accepted\"} 1");
            assertThat(Http.get(s.apiPort(), "/metrics").body()).as("the API keeps its /metrics, same registry")
                    .contains(FAMILIES).contains("jwt_sidecar_verify_total{verdict=\"accepted\"} 1");

            // Every other route of the sidecar, with credentials that would work on its own listener.
            record Probe(String method, String path, String bearer) {
            }
            for (Probe p : List.of(
                    new Probe("GET", "/v1/verify", alice),
                    new Probe("POST", "/v1/verify", alice),
                    new Probe("GET", "/v1/authz", alice),
                    new Probe("GET", "/v1/authz/orders/42", alice),
                    new Probe("POST", "/oauth2/introspect", null),
                    new Probe("GET", "/health/ready", null),
                    new Probe("GET", "/health/live", null),
                    new Probe("GET", "/noop", null),
                    new Probe("GET", "/openapi.yaml", null),
                    new Probe("GET", "/v1/dead-letters", ADMIN_TOKEN),
                    new Probe("POST", "/v1/revocations", ADMIN_TOKEN),
                    new Probe("GET", "/v1/revocations/sub/https%3A%2F%2Fissuer.test/alice", ADMIN_TOKEN),
                    new Probe("GET", "/", null),
                    new Probe("GET", "/metrics/../health/ready", null))) {
                assertThat(send("127.0.0.1", metrics, p.method(), p.path(), p.bearer()).statusCode())
                        .as("%s %s on the metrics port", p.method(), p.path()).isEqualTo(404);
            }
            assertThat(Http.get(metrics, "/metrics").body()).as("no verification happened on the metrics port")
                    .contains("jwt_sidecar_verify_total{verdict=\"accepted\"} 1");
        }
    }

    @Test
    void the_metrics_listener_binds_loopback_by_default() throws Exception {
        try (Sidecar s = TestSidecars.startReady(withMetricsPort("loopback", Map.of()), MutableClock.atNow())) {
            int metrics = s.metricsPort().orElseThrow();

            assertThat(Http.get(metrics, "/metrics").statusCode()).isEqualTo(200);
            Optional<InetAddress> pod = podAddress();
            assumeTrue(pod.isPresent(), "this machine has no address besides loopback to try");
            assertRefused(pod.get(), metrics);
        }
    }

    @Test
    void on_the_pod_address_the_metrics_port_answers_while_the_api_stays_on_loopback() throws Exception {
        Optional<InetAddress> pod = podAddress();
        assumeTrue(pod.isPresent(), "this machine has no address besides loopback to bind");
        String host = pod.get().getHostAddress();
        // As the injector configures it: through the environment, over the ConfigMap's file.
        SidecarConfig config = withMetricsPort("pod", Map.of("JWT_SIDECAR_METRICS_HOST", host));

        try (Sidecar s = TestSidecars.startReady(config, MutableClock.atNow())) {
            int metrics = s.metricsPort().orElseThrow();

            HttpResponse<String> scrape = send(host, metrics, "GET", "/metrics", null);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains(FAMILIES);
            assertThat(send(host, metrics, "GET", "/health/ready", null).statusCode()).isEqualTo(404);
            assertRefused(pod.get(), s.apiPort());
            assertRefused(pod.get(), s.adminPort().orElseThrow());
        }
    }

    @Test
    void without_a_metrics_port_there_is_no_metrics_listener() throws Exception {
        SidecarConfig config = TestSidecars.config("plain", kafka.bootstrapServers(), dir.resolve("plain"), true);

        try (Sidecar s = TestSidecars.startReady(config, MutableClock.atNow())) {
            assertThat(config.metrics()).isEmpty();
            assertThat(s.metricsPort()).isEmpty();
            assertThat(Http.get(s.apiPort(), "/metrics").body()).as("the API's /metrics has the JVM families too")
                    .contains(FAMILIES);
        }
    }
}
