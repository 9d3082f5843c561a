package io.jwtsidecar.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code jwt-sidecar dev --self-test} from the built jar, as the container image build runs it:
 * the tour passes over real HTTP and Kafka, and the process exits 0 on its own. And a stop, with
 * or without the self-test, closes the sidecar's Kafka clients before the embedded broker.
 */
class DevSelfTestIT {
    @Test
    void the_self_test_runs_the_tour_and_exits_zero() throws Exception {
        // Output to a file: a pipe nobody reads while the process runs could fill up and stall it.
        Path log = Files.createTempFile("dev-self-test", ".log");
        Process p = new ProcessBuilder(List.of(java(), "-jar", jar().toString(), "dev", "--api-port", "0", "--admin-port", "0",
                "--self-test")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = p.waitFor(180, TimeUnit.SECONDS);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        if (!exited) {
            p.destroyForcibly();
        }

        assertThat(exited).as("exits by itself: " + output).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(clientWarnings(output)).as("the sidecar's Kafka clients stop before the broker: " + output).isEmpty();
        assertThat(output).contains("self-test 1. a fresh token is accepted: ok",
                "self-test 2. the admin API logs alice out everywhere: ok",
                "self-test 3. the same token is refused as revoked: ok",
                "jwt-sidecar dev self-test passed.");
        assertNoTemporaryDirectoryLeft();
    }

    @Test
    void stopping_dev_with_sigterm_closes_the_sidecar_s_clients_before_the_broker() throws Exception {
        Path log = Files.createTempFile("dev-stop", ".log");
        Process p = new ProcessBuilder(List.of(java(), "-jar", jar().toString(), "dev", "--api-port", "0", "--admin-port", "0"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> !p.isAlive()
                    || Files.readString(log, StandardCharsets.UTF_8).contains("Press Ctrl-C to stop."));
            assertThat(p.isAlive()).as(Files.readString(log, StandardCharsets.UTF_8)).isTrue();

            p.destroy(); // SIGTERM, as Ctrl-C or a container stop would
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("stops within a minute").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertThat(output).contains("sidecar dev stopped");
        assertThat(clientWarnings(output)).as(output).isEmpty();
        assertNoTemporaryDirectoryLeft();
    }

    /** Warnings logged by one of the sidecar's own Kafka clients (all are named jwt-sidecar-…). */
    private static List<String> clientWarnings(String output) {
        return output.lines().filter(l -> l.contains(" WARN ") && l.contains("clientId=jwt-sidecar")).toList();
    }

    private static Path jar() {
        Path jar = Path.of("target", "jwt-sidecar-dev.jar");
        assertThat(jar).as("built by the package phase").exists();
        return jar;
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static void assertNoTemporaryDirectoryLeft() throws Exception {
        long started = ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
        try (var temp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(temp.filter(f -> f.getFileName().toString().startsWith("jwt-sidecar-dev-"))
                    .filter(f -> f.toFile().lastModified() > started).toList())
                    .as("its temporary directory is removed").isEmpty();
        }
    }
}
