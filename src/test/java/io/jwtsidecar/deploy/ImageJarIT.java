package io.jwtsidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's jar: the Dockerfile keeps only its platform's RocksDB library
 * (deploy/image/keep-platform-natives.sh), and the slimmed jar still runs the dev self-test,
 * which is also what the image build runs to record its AOT cache.
 */
class ImageJarIT {
    @TempDir
    Path dir;

    @Test
    void the_slimmed_jar_has_one_rocksdb_library_and_passes_the_self_test() throws Exception {
        // The dev jar, slimmed the way the image slims the production jar, so that the self-test
        // (which needs dev mode's broker) can prove the slimmed jar still loads its libraries.
        Path jar = dir.resolve("jwt-sidecar-dev.jar");
        Files.copy(Path.of("target", "jwt-sidecar-dev.jar"), jar, StandardCopyOption.REPLACE_EXISTING);
        long before = Files.size(jar);

        // This machine's architecture, so that the self-test below can load the library kept.
        boolean arm = System.getProperty("os.arch").equals("aarch64");
        Result slim = run(List.of("sh", "deploy/image/keep-platform-natives.sh", jar.toString(), arm ? "arm64" : "amd64"), 60);

        assertThat(slim.code()).as(slim.output()).isZero();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            assertThat(zip.stream().map(e -> e.getName()).filter(n -> n.startsWith("librocksdbjni-")).toList())
                    .containsExactly(arm ? "librocksdbjni-linux-aarch64.so" : "librocksdbjni-linux64.so");
        }
        assertThat(Files.size(jar)).as("less than 60 %% of %d bytes", before).isLessThan(before * 6 / 10);

        String java = ProcessHandle.current().info().command().orElse("java");
        Result selfTest = run(List.of(java, "-jar", jar.toString(), "dev", "--api-port", "0", "--admin-port", "0",
                "--self-test"), 180);
        assertThat(selfTest.code()).as(selfTest.output()).isZero();
        assertThat(selfTest.output()).contains("jwt-sidecar dev self-test passed.");
    }

    @Test
    void an_unknown_architecture_is_refused_by_name() throws Exception {
        Path jar = dir.resolve("any.jar");
        Files.copy(Path.of("target", "jwt-sidecar.jar"), jar, StandardCopyOption.REPLACE_EXISTING);

        Result r = run(List.of("sh", "deploy/image/keep-platform-natives.sh", jar.toString(), "sparc"), 60);

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.output()).contains("architecture 'sparc'");
    }

    private record Result(int code, String output) {
    }

    /** Output goes to a file: a pipe nobody reads while the process runs could fill up and stall it. */
    private Result run(List<String> command, int seconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "process", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = p.waitFor(seconds, TimeUnit.SECONDS);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (!exited) {
            p.destroyForcibly();
            throw new AssertionError("did not exit within " + seconds + " s: " + command + "\n" + output);
        }
        return new Result(p.exitValue(), output);
    }
}
