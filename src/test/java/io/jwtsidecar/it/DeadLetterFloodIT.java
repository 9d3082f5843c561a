package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawTopic;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison pills cost a bounded amount (issue: "poison pills are stored whole and never pruned").
 * Before, 50 records of 1 MB added 50 MB to every sidecar's store and the dead-letter listing
 * answered with one 68 MB body. Now each pill keeps a prefix, its sizes and a digest, the total is
 * bounded with the oldest pruned first, the listing pages, and the bytes left out are counted.
 */
class DeadLetterFloodIT {
    private static final int PILLS = 50;
    private static final int PILL_BYTES = 1_000_000;
    private static final long BUDGET = 1 << 20;

    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    private static long sizeOf(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void fifty_one_megabyte_pills_cost_the_store_and_the_listing_a_bounded_amount() throws Exception {
        MutableClock clock = MutableClock.atNow();
        Path store = dir.resolve("store");
        String yaml = TestSidecars.yaml("flood", kafka.bootstrapServers(), store, "  token: " + ADMIN_TOKEN + "\n",
                "  deadLetterMaxBytes: " + BUDGET + "\n");
        try (Sidecar s = TestSidecars.startReady(TestSidecars.parse(yaml, store), clock);
             RawTopic topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC)) {
            long before = sizeOf(store);
            byte[] pill = new byte[PILL_BYTES];
            Arrays.fill(pill, (byte) '{');
            for (int i = 0; i < PILLS; i++) {
                topic.write(("pill-" + i).getBytes(StandardCharsets.UTF_8), pill);
            }
            long now = clock.epochSecond();
            topic.write(topic.record(RawTopic.revoke(RevocationScope.SUB, "after-the-flood", now, now + 3600)));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                    Http.verify(s.apiPort(), token("after-the-flood", now - 60)).statusCode())
                    .as("the feed goes on after the pills").isEqualTo(401));

            assertThat(s.feed().deadLettered()).isEqualTo(PILLS);
            assertThat(sizeOf(store) - before).as("bytes the pills added to the store").isLessThan(8L << 20);

            HttpResponse<String> all = Http.getWithBearer(s.adminPort().orElseThrow(), "/v1/dead-letters?limit=1000",
                    ADMIN_TOKEN);
            assertThat(all.statusCode()).isEqualTo(200);
            assertThat(all.body().length()).as("the listing's size").isLessThan(512 * 1024);
            JsonObject listing = new JsonObject(all.body());
            JsonArray kept = listing.getJsonArray("deadLetters");
            assertThat(kept.size()).as("within a 1 MiB budget, the newest pills").isBetween(1, PILLS);
            assertThat(listing.getLong("count")).isEqualTo(kept.size());
            JsonObject newest = kept.getJsonObject(kept.size() - 1);
            assertThat(newest.getLong("offset")).isEqualTo(PILLS - 1);
            assertThat(newest.getInteger("valueSize")).isEqualTo(PILL_BYTES);
            assertThat(newest.getBoolean("truncated")).isTrue();
            assertThat(java.util.Base64.getDecoder().decode(newest.getString("value"))).hasSize(1024);
            assertThat(newest.getString("sha256")).hasSize(64);
            assertThat(listing.getLong("droppedBytes")).isGreaterThan((long) PILLS * PILL_BYTES - BUDGET);
            assertThat(Http.get(s.apiPort(), "/metrics").body()).contains("jwt_sidecar_dead_letter_dropped_bytes_total");

            // Paging: pages of 7 cover every kept pill once, in order.
            Set<Long> seen = new HashSet<>();
            Long after = null;
            do {
                JsonObject page = new JsonObject(Http.getWithBearer(s.adminPort().orElseThrow(), "/v1/dead-letters?limit=7"
                        + (after == null ? "" : "&after=" + after), ADMIN_TOKEN).body());
                page.getJsonArray("deadLetters").forEach(d -> assertThat(seen.add(((JsonObject) d).getLong("offset")))
                        .isTrue());
                after = page.getLong("next");
            } while (after != null);
            assertThat(seen).hasSize(kept.size());
        }
    }
}
