package io.jwtsidecar.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.feed.TopicAdmin;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaProcessCluster;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker that stops answering must not hold up the revocations that reach the sidecar through
 * the others. Three KRaft nodes, each its own process; the revocation topic has three partitions
 * with one replica each, so each partition lives on one node. The node holding partition 0 is
 * frozen (SIGSTOP): every question the feed puts to the brokers about all partitions (the end
 * offsets that freshness needs, asked every second here) then waits for its timeout. Revocations published
 * to a partition on a live node must still be enforced at once, round after round.
 *
 * <p>The feed used to ask those questions on its own thread, between polls: frozen for the two
 * seconds of each question's timeout out of every three, so a revocation arriving meanwhile
 * waited in the consumer's buffer for up to two seconds.
 */
class SlowBrokerIT {
    private static final int ROUNDS = 6;
    /** Far above what applying takes, far below the timeout the old feed waited out. */
    private static final Duration PROMPT = Duration.ofMillis(600);

    @TempDir
    Path dir;

    @Test
    void a_frozen_broker_does_not_delay_revocations_arriving_through_the_others() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (KafkaProcessCluster kafka = KafkaProcessCluster.start(3, dir.resolve("kafka-processes"))) {
            try (TopicAdmin topics = new TopicAdmin(kafka.adminConfig())) {
                topics.create(new TopicAdmin.Plan(TestSidecars.TOPIC, TestSidecars.STATUS_TOPIC, 3, (short) 1,
                        Duration.ofDays(1), 1));
            }
            int frozen = kafka.leaderOf(TestSidecars.TOPIC, 0);
            int live = -1;
            for (int p = 1; p < 3 && live < 0; p++) {
                if (kafka.leaderOf(TestSidecars.TOPIC, p) != frozen) {
                    live = p;
                }
            }
            assertThat(live).as("a partition on another node than partition 0").isPositive();
            // A frozen node keeps the feed from confirming the log end of its partition: after maxStaleness the
            // data is stale (a 503, rightly). On a loaded machine the rounds can outlast the default 30 s, and this
            // test is about propagation through the healthy nodes, so the bound is set well past the test. The end
            // check would follow that bound to once every 10 s; asked every second, a question to the frozen node is
            // owed through most of every round, which is what the rounds must not wait for.
            try (Sidecar sidecar = TestSidecars.startReady(TestSidecars.parse(TestSidecars.yaml("a", kafka.bootstrapServers(),
                    dir.resolve("a"), "", "  maxStaleness: 10m\n  endCheckInterval: 1s\n"), dir.resolve("a")), clock);
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                         "bootstrap.servers", kafka.bootstrapServers(), "acks", "all", "linger.ms", "0"),
                         new ByteArraySerializer(), new ByteArraySerializer())) {
                int port = sidecar.apiPort();
                long iat = clock.instant().getEpochSecond() - 10;
                // Metadata and connection first, before any node is frozen.
                producer.partitionsFor(TestSidecars.TOPIC);
                kafka.pause(frozen);
                try {
                    List<Long> millis = new ArrayList<>();
                    for (int i = 0; i < ROUNDS; i++) {
                        String subject = "slow-broker-" + i;
                        String token = TestSidecars.token(subject, iat);
                        assertThat(Http.verify(port, token).statusCode()).isEqualTo(200);
                        RevocationEvent e = new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                                new RuleKey(RevocationScope.SUB, TestSidecars.ISSUER, subject), iat + 5, iat + 3600,
                                "slow-broker-test", "test");
                        producer.send(new ProducerRecord<>(TestSidecars.TOPIC, live, e.key().toBytes(),
                                new EventCodec().encode(e))).get();
                        long start = System.nanoTime();
                        while (Http.verify(port, token).statusCode() != 401
                                && System.nanoTime() - start < Duration.ofSeconds(10).toNanos()) {
                            Thread.sleep(5); // the condition is an HTTP answer; a short fixed step keeps the timing fine
                        }
                        millis.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
                        Thread.sleep(250 + 97L * i % 400); // rounds spread over the feed's one-second check cycle
                    }
                    assertThat(millis).as("milliseconds from acknowledged publish to 401, per round")
                            .allSatisfy(ms -> assertThat(ms).isLessThan(PROMPT.toMillis()));
                } finally {
                    kafka.resume(frozen);
                }
            }
        }
    }
}
