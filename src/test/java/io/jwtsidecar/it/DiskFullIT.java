package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk under the store: the store sits on a small tmpfs, a filler file takes the last
 * byte, and a revocation arrives. The sidecar keeps running and says it is stale (fail-closed:
 * 503), never passing a token it cannot check; liveness then asks for a restart, and once space
 * has returned the restarted sidecar applies the revocation. Needs root for mount (as CI runs).
 */
class DiskFullIT {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    Path dir;

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", List.of(command), out).isZero();
    }

    @Test
    void a_full_disk_makes_the_sidecar_stale_not_wrong_and_it_recovers_when_space_returns() throws Exception {
        Path mount = Files.createDirectories(dir.resolve("small-disk"));
        run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount.toString());
        try {
            MutableClock clock = MutableClock.atNow();
            String yaml = TestSidecars.yaml("disk", kafka.bootstrapServers(), mount.resolve("store"), true)
                    .replace("revocation:\n", "revocation:\n  maxStaleness: 3s\n");
            try (Sidecar s = Sidecar.start(new ConfigLoader(Map.of()).parse(yaml, dir), clock)) {
                s.feedCaughtUp().get(30, TimeUnit.SECONDS);
                String alice = token("alice", clock.epochSecond() - 60);
                assertThat(Http.verify(s.apiPort(), alice).statusCode()).isEqualTo(200);

                Path filler = mount.resolve("filler");
                try (OutputStream out = Files.newOutputStream(filler)) {
                    byte[] block = new byte[64 * 1024];
                    while (true) {
                        out.write(block);
                    }
                } catch (java.io.IOException full) {
                    // the disk is full now
                }
                var r = Http.postJson(s.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                        "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"alice\"}");
                assertThat(r.statusCode()).isEqualTo(202);
                assertThat(r.body()).as("it could not apply it locally").contains("\"appliedLocally\":false");

                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    var v = Http.verify(s.apiPort(), alice);
                    assertThat(v.statusCode()).as("stale, never a silent pass").isEqualTo(503);
                    assertThat(v.body()).contains("revocation_data_stale");
                });
                // RocksDB keeps refusing writes after a failed log append: liveness asks for a restart.
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(Http.get(s.apiPort(), "/health/live").statusCode()).isEqualTo(503));
                Files.delete(filler);
            }
            // The orchestrator restarts it; with space back, the store reopens and the revocation applies.
            try (Sidecar restarted = Sidecar.start(new ConfigLoader(Map.of()).parse(yaml, dir), clock)) {
                restarted.feedCaughtUp().get(30, TimeUnit.SECONDS);
                String alice = token("alice", clock.epochSecond() - 60);
                assertThat(Http.verify(restarted.apiPort(), alice).body()).contains("\"error\":\"revoked\"");
                assertThat(Http.get(restarted.apiPort(), "/health/live").statusCode()).isEqualTo(200);
            }
        } finally {
            run("umount", "-l", mount.toString());
        }
    }
}
