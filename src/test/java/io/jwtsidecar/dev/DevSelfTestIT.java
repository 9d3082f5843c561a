package io.jwtsidecar.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code jwt-sidecar dev --self-test} from the built jar, as the container image build runs it:
 * the tour passes over real HTTP and Kafka, and the process exits 0 on its own.
 */
class DevSelfTestIT {
    @Test
    void the_self_test_runs_the_tour_and_exits_zero() throws Exception {
        Path jar = Path.of("target", "jwt-sidecar-dev.jar");
        assertThat(jar).as("built by the package phase").exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        // Output to a file: a pipe nobody reads while the process runs could fill up and stall it.
        Path log = Files.createTempFile("dev-self-test", ".log");
        Process p = new ProcessBuilder(List.of(java, "-jar", jar.toString(), "dev", "--api-port", "0", "--admin-port", "0",
                "--self-test")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = p.waitFor(180, TimeUnit.SECONDS);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        if (!exited) {
            p.destroyForcibly();
        }

        assertThat(exited).as("exits by itself: " + output).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("self-test 1. a fresh token is accepted: ok",
                "self-test 2. the admin API logs alice out everywhere: ok",
                "self-test 3. the same token is refused as revoked: ok",
                "jwt-sidecar dev self-test passed.");
        long started = ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
        try (var temp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(temp.filter(f -> f.getFileName().toString().startsWith("jwt-sidecar-dev-"))
                    .filter(f -> f.toFile().lastModified() > started).toList())
                    .as("its temporary directory is removed").isEmpty();
        }
    }
}
