package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.dev.EmbeddedKafkaCluster;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged store: the sidecar moves it aside, rebuilds from the topic, and enforces every rule again. */
class StoreRecoveryIT {
    @TempDir
    Path dir;

    @Test
    void a_corrupt_store_is_rebuilt_from_the_topic_from_offset_zero() throws Exception {
        MutableClock clock = MutableClock.atNow();
        String alice = token("alice", clock.epochSecond() - 60);
        Path store = dir.resolve("store");
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(1, dir.resolve("kafka"))) {
            kafka.createRevocationTopic(TestSidecars.TOPIC, 3, Duration.ofDays(1).toMillis());
            try (Sidecar s = TestSidecars.startReady("s", kafka.bootstrapServers(), store, true, clock)) {
                var r = Http.postJson(s.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                        "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"alice\"}");
                assertThat(r.statusCode()).isEqualTo(202);
                assertThat(Http.verify(s.apiPort(), alice).body()).contains("revoked");
            }

            // Damage every file RocksDB needs to open: CURRENT, the MANIFEST and the write-ahead log.
            try (Stream<Path> files = Files.list(store)) {
                for (Path f : files.toList()) {
                    String name = f.getFileName().toString();
                    if (name.equals("CURRENT") || name.startsWith("MANIFEST") || name.endsWith(".log")
                            || name.endsWith(".sst")) {
                        Files.write(f, "garbage, not a RocksDB file".getBytes());
                    }
                }
            }

            try (Sidecar s = io.jwtsidecar.app.Sidecar.start(
                    TestSidecars.config("s", kafka.bootstrapServers(), store, true), clock)) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(
                        () -> assertThat(Http.get(s.apiPort(), "/health/ready").statusCode()).isEqualTo(200));
                assertThat(Http.verify(s.apiPort(), alice).body()).as("the rule came back from the topic")
                        .contains("\"error\":\"revoked\"");
                assertThat(s.feed().recordsConsumed()).as("replayed from offset 0").isEqualTo(1);
            }
            try (Stream<Path> siblings = Files.list(dir)) {
                List<String> names = siblings.map(p -> p.getFileName().toString()).toList();
                assertThat(names).anySatisfy(n -> assertThat(n).startsWith("store.unusable-"));
            }
        }
    }
}
