package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawTopic;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partitions added to a live revocation topic (issue: "partitions added to a live topic are never
 * read"). Three sidecars read a 3-partition topic; it grows to 6 and a rule is published onto every
 * partition, new ones included: every sidecar enforces all of them within maxStaleness, and none
 * reports fresh data for a moment at which it was not reading a partition that existed.
 */
class PartitionGrowthIT {
    private static final Duration MAX_STALENESS = Duration.ofSeconds(6);
    private static final int BEFORE = 3;
    private static final int AFTER = 6;

    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(BEFORE);

    /** One /health/ready answer and when it was taken. */
    private record Sample(String sidecar, long takenAtMillis, JsonObject checks) {
    }

    /** A subject whose sub rule the default partitioner puts on {@code partition} of {@code AFTER}. */
    private static String subjectOn(int partition) {
        for (int i = 0; ; i++) {
            String subject = "user-" + partition + "-" + i;
            byte[] key = RawTopic.revoke(RevocationScope.SUB, subject, 0, 1).key().toBytes();
            if (Utils.toPositive(Utils.murmur2(key)) % AFTER == partition) {
                return subject;
            }
        }
    }

    @Test
    void partitions_added_to_a_live_topic_are_read_from_their_start_by_every_sidecar_within_max_staleness()
            throws Exception {
        MutableClock clock = MutableClock.atNow();
        List<Sidecar> sidecars = new ArrayList<>();
        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        Thread sampler = null;
        try (RawTopic topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC);
             Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            for (String id : List.of("a", "b", "c")) {
                String yaml = TestSidecars.yaml(id, kafka.bootstrapServers(), dir.resolve(id), "",
                        "  maxStaleness: " + MAX_STALENESS.toSeconds() + "s\n  partitionCheckInterval: 1s\n");
                sidecars.add(TestSidecars.startReady(TestSidecars.parse(yaml, dir.resolve(id)), clock));
            }
            List<Sidecar> watched = List.copyOf(sidecars);
            sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    for (int i = 0; i < watched.size(); i++) {
                        long taken = System.currentTimeMillis();
                        JsonObject body = new JsonObject(Http.get(watched.get(i).apiPort(), "/health/ready").body());
                        samples.add(new Sample("abc".substring(i, i + 1), taken, body.getJsonObject("checks")));
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "readiness-sampler");
            sampler.start();

            admin.createPartitions(Map.of(TestSidecars.TOPIC, NewPartitions.increaseTo(AFTER))).all()
                    .get(30, TimeUnit.SECONDS);
            // From here the brokers answer 6: a sidecar confirming a later moment must have counted them.
            long grownAt = System.currentTimeMillis();
            long now = clock.epochSecond();
            List<String> subjects = new ArrayList<>();
            List<Long> publishedAt = new ArrayList<>();
            for (int p = 0; p < AFTER; p++) {
                String subject = subjectOn(p);
                RevocationEvent e = RawTopic.revoke(RevocationScope.SUB, subject, now, now + 3600);
                ProducerRecord<byte[], byte[]> r = topic.record(e);
                // Where a producer that knows the new partition count puts it.
                topic.write(new ProducerRecord<>(r.topic(), p, r.key(), r.value()));
                subjects.add(subject);
                publishedAt.add(System.currentTimeMillis());
            }

            for (int i = 0; i < subjects.size(); i++) {
                String revoked = token(subjects.get(i), now - 60);
                for (Sidecar s : sidecars) {
                    long left = publishedAt.get(i) + MAX_STALENESS.toMillis() - System.currentTimeMillis();
                    int port = s.apiPort();
                    org.awaitility.Awaitility.await(String.format(Locale.ROOT,
                                    "the rule on partition %d reached sidecar port %d within maxStaleness", i, port))
                            .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                            .atMost(Duration.ofMillis(Math.max(1, left)))
                            .until(() -> Http.verify(port, revoked).statusCode() == 401);
                }
            }
            for (Sidecar s : sidecars) {
                JsonObject partitions = new JsonObject(Http.get(s.apiPort(), "/health/ready").body())
                        .getJsonObject("checks").getJsonObject("partitions");
                assertThat(partitions.getInteger("assigned")).isEqualTo(AFTER);
                assertThat(partitions.getInteger("existing")).isEqualTo(AFTER);
            }
            sampler.interrupt();
            sampler.join();

            // A fresh answer from a sidecar reading the old partitions only must speak for a moment before the growth.
            List<Sample> fresh = samples.stream().filter(s -> "fresh".equals(s.checks().getString("revocationFeed")))
                    .toList();
            assertThat(fresh).isNotEmpty();
            for (Sample s : fresh) {
                JsonObject partitions = s.checks().getJsonObject("partitions");
                if (partitions.getInteger("assigned") < AFTER) {
                    long confirmedAt = s.takenAtMillis() - (long) (s.checks().getDouble("stalenessSeconds") * 1000);
                    assertThat(confirmedAt).as("sidecar %s said fresh as of %d while reading %d of %d partitions "
                                    + "(they grew at %d)", s.sidecar(), confirmedAt, partitions.getInteger("assigned"),
                            AFTER, grownAt)
                            .isLessThanOrEqualTo(grownAt + 250);
                }
            }
            assertThat(fresh).as("every sidecar said fresh again once it read the new partitions")
                    .filteredOn(s -> s.checks().getJsonObject("partitions").getInteger("assigned") == AFTER)
                    .extracting(Sample::sidecar).contains("a", "b", "c");
        } finally {
            if (sampler != null) {
                sampler.interrupt();
            }
            sidecars.forEach(Sidecar::close);
        }
    }
}
