package io.jwtsidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code topic check} with no broker at the address: one sentence naming the address, within the
 * command's own timeout, instead of a minute of retries ending in "TimeoutException".
 */
class TopicUnreachableTest {
    @TempDir
    Path dir;

    @Test
    void an_unreachable_kafka_is_one_sentence_naming_the_address_within_the_timeout() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("sidecar.yaml"), "kafka:\n  bootstrapServers: 127.0.0.1:" + closed + "\n"
                + "issuers:\n  - issuer: https://idp.example\n    audiences: [api]\n    keys:\n"
                + "      - {kid: k1, alg: HS256, secret: 0123456789abcdef0123456789abcdef}\n");
        PrintStream stderr = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int code;
        System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            code = JwtSidecarCommand.commandLine().execute("topic", "check", "--config", config.toString(), "--timeout", "3");
        } finally {
            System.setErr(stderr);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        String out = printed.toString(StandardCharsets.UTF_8);

        assertThat(code).isEqualTo(3);
        assertThat(took).as(out).isLessThan(Duration.ofSeconds(10));
        assertThat(out.strip().lines().filter(l -> l.startsWith("jwt-sidecar topic: ")).toList()).singleElement()
                .asString().contains("cannot reach Kafka at 127.0.0.1:" + closed + " within 3 s");
        assertThat(out).doesNotContain("\tat ");
    }
}
