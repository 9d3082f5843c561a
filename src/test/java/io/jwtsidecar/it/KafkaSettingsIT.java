package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.ConfigException;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawTopic;
import io.jwtsidecar.testing.TestSidecars;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumer passthrough settings cannot break the feed's guarantees (issue: "consumer passthrough
 * settings can break the feed's guarantees"). The feed reads committed records only, so a
 * transactional publisher's aborted revocation never applies; and a configuration asking for
 * another offset reset or uncommitted reads is refused at load, naming the key.
 */
class KafkaSettingsIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @Test
    void an_aborted_transaction_of_a_transactional_publisher_revokes_nothing() throws Exception {
        MutableClock clock = MutableClock.atNow();
        long now = clock.epochSecond();
        EventCodec codec = new EventCodec();
        try (Sidecar s = TestSidecars.startReady("tx", kafka.bootstrapServers(), dir.resolve("tx"), false, clock);
             KafkaProducer<byte[], byte[]> publisher = new KafkaProducer<>(Map.of("bootstrap.servers",
                     kafka.bootstrapServers(), "transactional.id", "revocation-bridge"), new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            publisher.initTransactions();
            RevocationEvent aborted = RawTopic.revoke(RevocationScope.SUB, "aborted", now, now + 3600);
            publisher.beginTransaction();
            publisher.send(new ProducerRecord<>(TestSidecars.TOPIC, aborted.key().toBytes(), codec.encode(aborted))).get();
            publisher.abortTransaction();
            RevocationEvent committed = RawTopic.revoke(RevocationScope.SUB, "committed", now, now + 3600);
            publisher.beginTransaction();
            publisher.send(new ProducerRecord<>(TestSidecars.TOPIC, committed.key().toBytes(), codec.encode(committed)));
            publisher.commitTransaction();

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                    Http.verify(s.apiPort(), token("committed", now - 60)).statusCode()).isEqualTo(401));
            assertThat(Http.verify(s.apiPort(), token("aborted", now - 60)).statusCode())
                    .as("the aborted revocation was never committed").isEqualTo(200);
            assertThat(Http.get(s.apiPort(), "/health/ready").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void a_configuration_asking_for_a_later_offset_reset_or_uncommitted_reads_is_refused_naming_the_key() {
        String yaml = TestSidecars.yaml("bad", kafka.bootstrapServers(), dir.resolve("bad"), false)
                .replace("  statusTopic:", "  consumer:\n    auto.offset.reset: latest\n    isolation.level: read_uncommitted\n"
                        + "  statusTopic:");

        ConfigException e = assertThrows(ConfigException.class, () -> TestSidecars.parse(yaml, dir.resolve("bad")));

        assertThat(e.errors()).hasSize(2);
        assertThat(e.errors().get(0)).startsWith("kafka.consumer.auto.offset.reset: 'latest' is not allowed");
        assertThat(e.errors().get(1)).startsWith("kafka.consumer.isolation.level: 'read_uncommitted' is not allowed");
    }
}
