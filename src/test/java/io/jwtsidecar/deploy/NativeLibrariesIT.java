package io.jwtsidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.TestSidecars;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production jar as the image runs it: with /tmp a noexec tmpfs (what Docker mounts for
 * {@code --tmpfs /tmp}), the native libraries must come from a directory the image owns
 * (deploy/image/extract-natives.sh), and any fatal start error must end the process with one
 * line and a non-zero status instead of leaving a JVM without a listener. Needs root for mount
 * (as CI runs).
 */
class NativeLibrariesIT {
    private static final Path JAR = Path.of("target", "jwt-sidecar.jar");

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    Path dir;
    private Path noexecTmp;

    @BeforeEach
    void mountNoexecTmp() throws Exception {
        noexecTmp = Files.createDirectories(dir.resolve("tmp"));
        run(List.of("mount", "-t", "tmpfs", "-o", "size=64m,noexec,mode=1777", "tmpfs", noexecTmp.toString()), 10);
    }

    @AfterEach
    void unmount() throws Exception {
        run(List.of("umount", "-l", noexecTmp.toString()), 10);
    }

    private record Result(int code, String output) {
    }

    /** A started process and the file its output goes to. */
    private record Started(Process process, Path output) {
    }

    private int started;

    /**
     * How long a command that must end by itself gets: the defect these tests guard was a JVM that
     * never ended. A refused start (JVM start-up, the store, the Kafka clients, then the stop) took
     * 4 s on an idle two-core machine and 9-10 s with a CPU hog of twice the cores, so a tighter
     * bound measured the machine's load, not a hang.
     */
    private static final int ENDS_WITHIN_SECONDS = 30;

    private Result run(List<String> command, int seconds) throws IOException, InterruptedException {
        Started s = start(command);
        Process p = s.process();
        boolean exited = p.waitFor(seconds, TimeUnit.SECONDS);
        String output = Files.readString(s.output(), StandardCharsets.UTF_8);
        if (!exited) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("did not exit within " + seconds + " s: " + command + "\n" + output);
        }
        return new Result(p.exitValue(), output);
    }

    /** Output goes to a file: a pipe nobody reads while the process runs could fill up and stall it. */
    private Started start(List<String> command) throws IOException {
        Path output = dir.resolve("out-" + ++started);
        return new Started(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start(),
                output);
    }

    private List<String> java(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Djava.io.tmpdir=" + noexecTmp);
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(JAR.toString());
        command.addAll(List.of(args));
        return command;
    }

    private Path config(String bootstrap, int apiPort) throws IOException {
        String yaml = TestSidecars.yaml("natives", bootstrap, dir.resolve("store"), false)
                .replace("api:\n  port: 0\n", "api:\n  port: " + apiPort + "\n");
        return Files.writeString(dir.resolve("sidecar.yaml"), yaml);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The last line of the output that is not a log line. */
    private static String message(String output) {
        List<String> lines = output.lines().filter(l -> l.startsWith("jwt-sidecar")).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    @Test
    void a_native_library_that_cannot_be_mapped_ends_the_process_with_one_line_not_a_hang() throws Exception {
        Result r = run(java(List.of(), "run", "--config", config(kafka.bootstrapServers(), 0).toString()),
                ENDS_WITHIN_SECONDS);

        assertThat(r.code()).as(r.output()).isNotZero();
        assertThat(message(r.output())).as(r.output()).startsWith("jwt-sidecar").contains("cannot continue")
                .contains("failed to map segment");
        assertThat(r.output()).as("no stack trace").doesNotContain("\tat ");
    }

    @Test
    void natives_extracted_into_a_directory_of_the_image_load_with_a_noexec_tmp() throws Exception {
        Path natives = dir.resolve("native");
        boolean arm = System.getProperty("os.arch").equals("aarch64");
        Result extract = run(List.of("sh", "deploy/image/extract-natives.sh", JAR.toString(), arm ? "arm64" : "amd64",
                natives.toString()), 60);
        assertThat(extract.code()).as(extract.output()).isZero();

        int port = freePort();
        Started sidecar = start(java(List.of("-Djava.library.path=" + natives,
                "-Dcom.amazon.corretto.crypto.provider.useExternalLib=true"),
                "run", "--config", config(kafka.bootstrapServers(), port).toString()));
        try {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> Http.get(port, "/health/ready").statusCode() == 200);
            String log = Files.readString(sidecar.output());
            assertThat(log).contains("crypto provider: AmazonCorrettoCryptoProvider").contains("(native AWS-LC)");
            try (Stream<Path> copied = Files.list(noexecTmp)) {
                assertThat(copied.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".so")))
                        .as("nothing copied to /tmp").isEmpty();
            }
        } finally {
            sidecar.process().destroy();
            sidecar.process().waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_busy_port_ends_run_by_itself_with_one_line_naming_it_and_status_4() throws Exception {
        Path natives = dir.resolve("native");
        run(List.of("sh", "deploy/image/extract-natives.sh", JAR.toString(),
                System.getProperty("os.arch").equals("aarch64") ? "arm64" : "amd64", natives.toString()), 60);
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // run() fails the test unless the process ends by itself: the defect was a JVM that hung.
            Result r = run(java(List.of("-Djava.library.path=" + natives), "run", "--config",
                    config(kafka.bootstrapServers(), busy.getLocalPort()).toString()), ENDS_WITHIN_SECONDS);

            assertThat(r.code()).as(r.output()).isEqualTo(4);
            assertThat(message(r.output())).as(r.output()).contains(String.valueOf(busy.getLocalPort()),
                    "the port is in use by another process");
            assertThat(r.output()).as("no stack trace").doesNotContain("\tat ");
        }
    }

    @Test
    void the_webhook_with_a_missing_certificate_ends_with_one_line() throws Exception {
        Result r = run(java(List.of(), "inject-webhook", "--image", "jwt-sidecar:1", "--config-map", "jwt-sidecar",
                "--tls-cert", dir.resolve("missing.crt").toString(), "--tls-key", dir.resolve("missing.key").toString()),
                ENDS_WITHIN_SECONDS);

        assertThat(r.code()).as(r.output()).isNotZero();
        assertThat(message(r.output())).as(r.output()).contains("missing.crt");
        assertThat(r.output()).as("no stack trace").doesNotContain("\tat ");
    }
}
