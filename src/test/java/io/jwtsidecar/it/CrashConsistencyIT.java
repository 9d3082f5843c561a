package io.jwtsidecar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.TestSidecars;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash consistency: the sidecar runs as its own process (the built jar) while a producer
 * publishes revocations, and the test SIGKILLs it at random moments and starts it again. At
 * quiescence every acknowledged revocation is in the store and the stored offsets equal the
 * log end: nothing lost, nothing skipped.
 *
 * <p>The default suite runs the short version (10,000 events, 4 kills);
 * {@code -Dreliability.scale=full} runs 100,000 events and 20 kills (see docs/RELIABILITY.md).
 */
class CrashConsistencyIT {
    private static final boolean FULL = "full".equals(System.getProperty("reliability.scale"));
    private static final int EVENTS = FULL ? 100_000 : 10_000;
    private static final int KILLS = FULL ? 20 : 4;

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(3);

    @TempDir
    Path dir;

    private int apiPort;

    private Process startSidecar(Path config) throws Exception {
        Path jar = Path.of("target", "jwt-sidecar.jar");
        assertThat(jar).as("the shaded jar (built by mvn package before integration tests)").exists();
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sidecar.log").toFile()))
                .start();
    }

    private void awaitReady(Process p) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> p.isAlive() && Http.get(apiPort, "/health/ready").statusCode() == 200);
    }

    @Test
    void sigkill_at_random_moments_loses_no_acknowledged_revocation() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            apiPort = s.getLocalPort();
        }
        Path store = dir.resolve("store");
        Path config = Files.writeString(dir.resolve("sidecar.yaml"), TestSidecars.yaml("crash", kafka.bootstrapServers(),
                store, false).replace("api:\n  port: 0", "api:\n  port: " + apiPort));
        long now = Instant.now().getEpochSecond();
        EventCodec codec = new EventCodec();
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                    "acks", "all", "enable.idempotence", "true", "linger.ms", "5"),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < EVENTS; i++) {
                    RevocationEvent e = new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                            new RuleKey(RevocationScope.SUB, TestSidecars.ISSUER, "user-" + i), now, now + 3600,
                            "crash-test", "test");
                    p.send(new ProducerRecord<>(TestSidecars.TOPIC, e.key().toBytes(), codec.encode(e)), (m, ex) -> {
                        if (ex == null) {
                            acknowledged.incrementAndGet();
                        } else {
                            producerFailure.set(ex);
                        }
                    });
                    if (i % 500 == 0) {
                        Thread.sleep(FULL ? 20 : 40); // spread the events over the kills
                    }
                }
                p.flush();
            } catch (Throwable t) {
                producerFailure.set(t);
            }
        });

        Process sidecar = startSidecar(config);
        awaitReady(sidecar);
        producer.start();
        Random random = new Random(42);
        for (int k = 0; k < KILLS; k++) {
            Thread.sleep(200 + random.nextInt(800));
            sidecar.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close of RocksDB
            assertThat(sidecar.waitFor(30, TimeUnit.SECONDS)).isTrue();
            sidecar = startSidecar(config);
            awaitReady(sidecar);
        }
        producer.join();
        assertThat(producerFailure.get()).isNull();
        assertThat(acknowledged.get()).isEqualTo(EVENTS);

        Map<TopicPartition, Long> ends = endOffsets();
        long total = ends.values().stream().mapToLong(Long::longValue).sum();
        await().atMost(Duration.ofSeconds(120)).until(() ->
                appliedNextOffsets().values().stream().mapToLong(Long::longValue).sum() >= total);
        sidecar.destroy(); // SIGTERM: a clean stop, so the store can be opened here
        assertThat(sidecar.waitFor(60, TimeUnit.SECONDS)).isTrue();

        try (RocksDbRevocationStore s = RocksDbRevocationStore.open(store, EVENTS, 0.001)) {
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                if (s.find(new RuleKey(RevocationScope.SUB, TestSidecars.ISSUER, "user-" + i)).isEmpty()) {
                    missing.add("user-" + i);
                }
            }
            assertThat(missing).as("acknowledged revocations missing after %d kills", KILLS).isEmpty();
            Map<Integer, Long> expected = new HashMap<>();
            ends.forEach((tp, o) -> expected.put(tp.partition(), o));
            assertThat(s.nextOffsets(TestSidecars.TOPIC)).isEqualTo(expected);
        }
        Files.writeString(dir.resolve("result.txt"), "events=" + EVENTS + " kills=" + KILLS + " lost=0");
    }

    /** The running sidecar's applied offsets, from its readiness detail. */
    private Map<Integer, Long> appliedNextOffsets() {
        String body = Http.get(apiPort, "/health/ready").body();
        Map<Integer, Long> result = new HashMap<>();
        io.vertx.core.json.JsonObject offsets = new io.vertx.core.json.JsonObject(body).getJsonObject("checks")
                .getJsonObject("appliedOffsets");
        if (offsets != null) {
            offsets.forEach(e -> result.put(Integer.parseInt(e.getKey()), ((Number) e.getValue()).longValue()));
        }
        return result;
    }

    private Map<TopicPartition, Long> endOffsets() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            c.partitionsFor(TestSidecars.TOPIC).forEach(pi -> tps.add(new TopicPartition(TestSidecars.TOPIC, pi.partition())));
            return c.endOffsets(tps);
        }
    }
}
