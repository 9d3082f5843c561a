package io.jwtsidecar.deploy;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.testing.DockerEngine;
import io.jwtsidecar.testing.DockerEngine.Result;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.RawTopic;
import io.jwtsidecar.testing.SelfSignedTls;
import io.jwtsidecar.testing.TestSidecars;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image as a user runs it: built from the repository's Dockerfile (on bases made from Debian
 * packages, with the jar this build made), started with a read-only root file system, a noexec
 * /tmp and its own non-root user, against a real Kafka broker on the host network. Needs a Docker
 * engine (CI starts one; README, Tests).
 */
class DockerImageIT {
    private static final String IMAGE = "jwt-sidecar:it";
    /** What Docker's {@code --tmpfs /tmp} mounts, spelled out: the natives must not need exec there. */
    private static final String NOEXEC_TMP = "/tmp:rw,noexec,nosuid,nodev,size=64m";

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static DockerEngine docker;
    private final List<String> containers = new ArrayList<>();
    private int named;

    @BeforeAll
    static void buildImage() throws Exception {
        docker = new DockerEngine(shared);
        docker.requireEngine();
        docker.ensureDebianBase();
        docker.docker(600, "build", "--network", "host", "-q", "--force-rm",
                "--build-arg", "BUILD_BASE=" + DockerEngine.DEBIAN_BASE,
                "--build-arg", "RUNTIME_BASE=" + DockerEngine.DEBIAN_BASE,
                "--build-arg", "JAR=target/jwt-sidecar.jar",
                "-t", IMAGE, ".").orFail("docker build");
    }

    @AfterEach
    void removeContainers() throws Exception {
        for (String name : containers) {
            docker.docker(60, "rm", "-f", "-v", name);
        }
    }

    @Test
    void the_image_runs_read_only_as_its_own_user_accepts_a_token_refuses_it_once_revoked_and_reports_healthy()
            throws Exception {
        int api = freePort();
        int admin = freePort();
        Path config = readable(Files.writeString(dir.resolve("sidecar.yaml"), config(api, admin)));
        String name = start("--health-interval", "1s", "-e", "JWT_SIDECAR_API_PORT=" + api,
                "-v", config + ":/config/sidecar.yaml:ro", IMAGE);

        awaitOrShowLogs(name, () -> Http.get(api, "/health/ready").statusCode() == 200);
        String token = TestSidecars.token("alice", System.currentTimeMillis() / 1000 - 5);
        assertThat(Http.verify(api, token).statusCode()).isEqualTo(200);

        HttpResponse<String> revoked = Http.postJson(admin, "/v1/revocations", ADMIN_TOKEN,
                "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"alice\",\"reason\":\"logout_all\"}");
        assertThat(revoked.statusCode()).as(revoked.body()).isBetween(200, 299);
        await().atMost(Duration.ofSeconds(10)).until(() -> Http.verify(api, token).statusCode() == 401);
        // Records a producer compressed: their codecs' natives load from /app/native, never /tmp.
        long now = System.currentTimeMillis() / 1000;
        for (String codec : List.of("snappy", "lz4", "zstd", "gzip")) {
            String user = "user-" + codec;
            String compressed = TestSidecars.token(user, now - 5);
            assertThat(Http.verify(api, compressed).statusCode()).isEqualTo(200);
            try (RawTopic topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC,
                    Map.of("compression.type", codec))) {
                topic.write(topic.record(RawTopic.revoke(RevocationScope.SUB, user, now - 1, now + 3600)));
            }
            await("a " + codec + "-compressed revocation applies").atMost(Duration.ofSeconds(10))
                    .until(() -> Http.verify(api, compressed).statusCode() == 401);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> inspect(name, "{{.State.Health.Status}}").equals("healthy"));
        assertThat(inspect(name, "{{.Config.User}}")).isEqualTo("10001:10001");
        assertThat(docker.docker(30, "exec", name, "id", "-u").output().strip()).isEqualTo("10001");
        assertThat(inspect(name, "{{.HostConfig.ReadonlyRootfs}}")).isEqualTo("true");
        Result written = docker.docker(30, "exec", "-u", "0", name, "touch", "/written");
        assertThat(written.code()).as("not even root writes the root file system").isNotZero();
        assertThat(written.output()).contains("Read-only file system");
        assertThat(docker.docker(30, "exec", name, "grep", " /tmp ", "/proc/mounts").output()).contains("noexec");
        assertThat(docker.docker(30, "logs", name).output()).contains("(native AWS-LC)");
        // The class archive the build trained: -Xshare:on makes a JVM that cannot map it fail.
        Result shared = docker.docker(60, "run", "--rm", "--read-only", "--tmpfs", NOEXEC_TMP, "--entrypoint", "java",
                IMAGE, "@/app/jvm.options", "-Xshare:on", "-Djava.library.path=/app/native", "-jar",
                "/app/jwt-sidecar.jar", "--version");
        assertThat(shared.code()).as(shared.output()).isZero();
    }

    @Test
    void a_bad_configuration_ends_the_container_within_five_seconds_with_one_line_naming_the_key() throws Exception {
        Path config = readable(Files.writeString(dir.resolve("sidecar.yaml"),
                config(freePort(), freePort()).replace("bloomExpectedRules: 10000", "bloomExpectedRules: lots")));

        long start = System.nanoTime();
        Result r = runToEnd("-v", config + ":/config/sidecar.yaml:ro", IMAGE);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(r.code()).as(r.output()).isNotZero();
        assertThat(took).as(r.output()).isLessThan(Duration.ofSeconds(5));
        assertThat(r.output().strip().lines().toList()).as(r.output()).singleElement().asString()
                .startsWith("jwt-sidecar: invalid configuration in /config/sidecar.yaml: ")
                .contains("revocation.bloomExpectedRules").contains("lots");
    }

    @Test
    void the_webhook_in_the_image_answers_an_admission_review_with_the_sidecar_patch() throws Exception {
        SelfSignedTls tls = SelfSignedTls.generate(dir, "jwt-sidecar-webhook.jwt-sidecar.svc");
        readable(tls.certFile());
        readable(tls.keyFile());
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port = freePort();
        String name = start("-v", dir + ":/tls:ro", IMAGE, "inject-webhook", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--image", "registry.example/jwt-sidecar:1.0.0", "--config-map", "jwt-sidecar-config",
                "--tls-cert", "/tls/" + tls.certFile().getFileName(), "--tls-key", "/tls/" + tls.keyFile().getFileName());
        HttpClient client = HttpClient.newBuilder().sslContext(tls.trustingIt()).build();

        awaitOrShowLogs(name, () -> client.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/mutate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofFile(Path.of("src/test/resources/admission/pod-annotated.json"))).build(),
                HttpResponse.BodyHandlers.ofString());

        ObjectMapper json = new ObjectMapper();
        JsonNode response = json.readTree(answer.body()).get("response");
        assertThat(response.get("allowed").asBoolean()).as(answer.body()).isTrue();
        JsonNode patch = json.readTree(Base64.getDecoder().decode(response.get("patch").asText()));
        JsonNode sidecar = null;
        for (JsonNode op : patch) {
            if (op.get("path").asText().equals("/spec/initContainers")) {
                sidecar = op.get("value").get(0);
            }
        }
        assertThat(sidecar).as("the sidecar in %s", patch).isNotNull();
        assertThat(sidecar.get("image").asText()).isEqualTo("registry.example/jwt-sidecar:1.0.0");
        assertThat(sidecar.get("restartPolicy").asText()).isEqualTo("Always");
    }

    @Test
    void the_webhook_without_its_certificate_ends_the_container_within_five_seconds_with_one_line() throws Exception {
        long start = System.nanoTime();
        Result r = runToEnd(IMAGE, "inject-webhook", "--image", "jwt-sidecar:1", "--tls-cert", "/tls/missing.crt",
                "--tls-key", "/tls/missing.key");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(r.code()).as(r.output()).isNotZero();
        assertThat(took).as(r.output()).isLessThan(Duration.ofSeconds(5));
        assertThat(r.output().strip().lines().toList()).as(r.output()).hasSize(1);
        assertThat(r.output()).contains("/tls/missing.crt");
    }

    private static String config(int api, int admin) {
        return TestSidecars.yaml("docker-it", kafka.bootstrapServers(), Path.of("/var/lib/jwt-sidecar/revocations"), true)
                .replace("api:\n  port: 0\n", "api:\n  port: " + api + "\n")
                .replace("admin:\n  port: 0\n", "admin:\n  port: " + admin + "\n");
    }

    /** The container's user (10001) reads what the test wrote; test keys only. */
    private static Path readable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    /** {@code docker run -d} as the image is meant to run, with {@code args} (options, image, command). */
    private String start(String... args) throws Exception {
        String name = "jwt-sidecar-it-" + ProcessHandle.current().pid() + "-" + ++named;
        containers.add(name);
        docker.run(runCommand(List.of("-d", "--name", name), args), 60).orFail("docker run");
        return name;
    }

    /** {@code docker run} until the container ends. */
    private Result runToEnd(String... args) throws Exception {
        String name = "jwt-sidecar-it-" + ProcessHandle.current().pid() + "-" + ++named;
        containers.add(name);
        return docker.run(runCommand(List.of("--name", name), args), 60);
    }

    private static List<String> runCommand(List<String> first, String... args) {
        List<String> command = new ArrayList<>(List.of("docker", "run"));
        command.addAll(first);
        command.addAll(List.of("--network", "host", "--read-only", "--tmpfs", NOEXEC_TMP, "--cap-drop", "ALL",
                "--security-opt", "no-new-privileges"));
        command.addAll(List.of(args));
        return command;
    }

    /** Waits up to a minute for {@code ready}; on time-out, fails with the container's output. */
    private void awaitOrShowLogs(String name, Callable<Boolean> ready) throws Exception {
        try {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(ready);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("not ready within a minute; the container printed:\n"
                    + docker.docker(30, "logs", name).output(), e);
        }
    }

    private String inspect(String name, String format) throws Exception {
        return docker.docker(30, "inspect", "--format", format, name).orFail("docker inspect").output().strip();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
