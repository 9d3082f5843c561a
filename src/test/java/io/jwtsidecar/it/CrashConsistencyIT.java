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
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash consistency: the sidecar runs as its own process (the built jar) and is SIGKILLed where a
 * crash hurts most, then started again; afterwards every acknowledged revocation must be enforced
 * (a token of each revoked subject gets 401 from the API, through the Bloom index, not only a row
 * in RocksDB) and the stored offsets must equal the log end.
 *
 * <p>In order: a clean stop first, so an index snapshot exists (a restart must not trust it once
 * the store moved on); kills in the middle of catching up with a backlog (each kill is checked to
 * land with records still unread, so inside the batches of the replay); kills while a producer
 * publishes steadily (each checked to land while it still publishes); a last kill at rest; then
 * the checks. The default suite runs the short version (one kill of each kind);
 * {@code -Dreliability.scale=full} a larger one (docs/RELIABILITY.md).
 */
class CrashConsistencyIT {
    private static final boolean FULL = "full".equals(System.getProperty("reliability.scale"));
    private static final int BEFORE_CLEAN_STOP = 1_000;
    /**
     * The default suite kills once in each phase: most of its time is process starts (one per kill)
     * and asking the API for every subject, and one kill per phase already goes through each
     * recovery path (a replay cut short, a kill while publishing, a kill at rest, each restart
     * recovering from the crash before). The backlog stays long enough that the replay is still
     * running when the API first answers and when the kill lands. The full scale repeats them.
     */
    private static final int BACKLOG = FULL ? 1_000_000 : 40_000;
    private static final int CATCH_UP_KILLS = FULL ? 8 : 1;
    private static final int LIVE_KILLS = FULL ? 12 : 1;
    /** Events a second the live producer sends; it publishes from before the first live kill to after the last. */
    private static final int LIVE_RATE = 2_000;

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(3);

    @TempDir
    Path dir;

    private int apiPort;
    private final long at = Instant.now().getEpochSecond();
    private final EventCodec codec = new EventCodec();
    /** Subjects whose revocation the broker acknowledged. */
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Throwable> producerFailure = new AtomicReference<>();
    /** Every sidecar process started, so that one left running by a failed step is stopped too. */
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopSidecars() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                kill(p);
            }
        }
    }

    private Process startSidecar(Path config) throws Exception {
        Path jar = Path.of("target", "jwt-sidecar.jar");
        assertThat(jar).as("the shaded jar (built by mvn package before integration tests)").exists();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sidecar.log").toFile()))
                .start();
        started.add(p);
        return p;
    }

    private static void kill(Process p) throws InterruptedException {
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close of RocksDB
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /** Sends revocations of user-{from} … user-{to - 1} as fast as it can. */
    private void publish(int from, int to) {
        publish(from, to, 0, new AtomicBoolean());
    }

    /**
     * Sends revocations of user-{from} onwards until user-{to - 1} or until {@code stop} is set, at
     * most {@code perSecond} a second (0: as fast as it can); returns the number sent.
     */
    private int publish(int from, int to, int perSecond, AtomicBoolean stop) {
        int sent = 0;
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "acks", "all", "enable.idempotence", "true", "linger.ms", "5"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            for (int i = from; i < to && !stop.get(); i++, sent++) {
                String subject = "user-" + i;
                RevocationEvent e = new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                        new RuleKey(RevocationScope.SUB, TestSidecars.ISSUER, subject), at, at + 3600, "crash-test", "test");
                p.send(new ProducerRecord<>(TestSidecars.TOPIC, e.key().toBytes(), codec.encode(e)), (m, ex) -> {
                    if (ex == null) {
                        acknowledged.add(subject);
                    } else {
                        producerFailure.set(ex);
                    }
                });
                if (perSecond > 0) {
                    long due = start + (i - from + 1) * 1_000_000_000L / perSecond;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait); // pacing is the behaviour here: a steady publisher
                    }
                }
            }
            p.flush();
        } catch (Throwable t) {
            producerFailure.set(t);
        }
        return sent;
    }

    @Test
    void sigkill_mid_catch_up_and_mid_publishing_loses_no_acknowledged_revocation() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            apiPort = s.getLocalPort();
        }
        Path store = dir.resolve("store");
        Path config = Files.writeString(dir.resolve("sidecar.yaml"), TestSidecars.yaml("crash", kafka.bootstrapServers(),
                store, false).replace("api:\n  port: 0", "api:\n  port: " + apiPort)
                // Sized as a deployment would be (the default is larger still): an index snapshot from the
                // clean stop is then big enough to be taken at a later open, unless the open sees it is stale.
                .replace("bloomExpectedRules: 10000", "bloomExpectedRules: " + (FULL ? 4_000_000 : 1_000_000)));

        // 1. Caught up, then a clean stop: the store saves its index snapshot.
        publish(0, BEFORE_CLEAN_STOP);
        Process sidecar = startSidecar(config);
        awaitCaughtUpWith(sidecar, endOffsetSum());
        sidecar.destroy();
        assertThat(sidecar.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // 2. A backlog while it is down; killed again and again in the middle of the replay.
        publish(BEFORE_CLEAN_STOP, BEFORE_CLEAN_STOP + BACKLOG);
        long backlogEnd = endOffsetSum();
        Random random = new Random(42);
        List<String> killedAt = new ArrayList<>();
        for (int k = 0; k < CATCH_UP_KILLS; k++) {
            sidecar = startSidecar(config);
            long first = awaitApplied(sidecar, 1);
            long target = first + (long) ((backlogEnd - first) * (0.1 + 0.5 * random.nextDouble()));
            long applied = awaitApplied(sidecar, target);
            kill(sidecar);
            assertThat(applied).as("kill %d landed before the replay ended", k).isLessThan(backlogEnd);
            killedAt.add(applied + "/" + backlogEnd);
        }

        // 3. Killed while a producer publishes steadily.
        sidecar = startSidecar(config);
        awaitCaughtUpWith(sidecar, backlogEnd);
        AtomicBoolean stopPublishing = new AtomicBoolean();
        AtomicInteger publishedLive = new AtomicInteger();
        Thread producer = new Thread(() -> publishedLive.set(publish(BEFORE_CLEAN_STOP + BACKLOG, Integer.MAX_VALUE,
                LIVE_RATE, stopPublishing)), "live-producer");
        producer.start();
        for (int k = 0; k < LIVE_KILLS; k++) {
            Thread.sleep(300 + random.nextInt(700)); // a random moment is the point: seeded, so repeatable
            assertThat(producer.isAlive()).as("live kill %d lands while the producer publishes", k).isTrue();
            killedAt.add("live:" + appliedSum());
            kill(sidecar);
            sidecar = startSidecar(config);
            awaitApplied(sidecar, 1);
        }
        Thread.sleep(500); // and publishing on after the last restart
        stopPublishing.set(true);
        producer.join();
        assertThat(producerFailure.get()).isNull();
        int total = BEFORE_CLEAN_STOP + BACKLOG + publishedLive.get();
        assertThat(acknowledged).hasSize(total);

        // 4. A last crash at rest, then the checks on the restarted process.
        long end = endOffsetSum();
        awaitCaughtUpWith(sidecar, end);
        kill(sidecar);
        sidecar = startSidecar(config);
        try {
            awaitCaughtUpWith(sidecar, end);
            assertThat(notEnforced(total)).as("acknowledged revocations not enforced after kills at %s", killedAt).isEmpty();
            Map<Integer, Long> expected = new HashMap<>();
            endOffsets().forEach((tp, o) -> expected.put(tp.partition(), o));
            assertThat(appliedNextOffsets()).isEqualTo(expected);
        } finally {
            sidecar.destroy(); // SIGTERM: a clean stop, so the store can be opened here
            assertThat(sidecar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        try (RocksDbRevocationStore s = RocksDbRevocationStore.open(store, total, 0.001)) {
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                if (s.find(new RuleKey(RevocationScope.SUB, TestSidecars.ISSUER, "user-" + i)).isEmpty()) {
                    missing.add("user-" + i);
                }
            }
            assertThat(missing).as("acknowledged revocations missing from the store").isEmpty();
        }
        Files.writeString(dir.resolve("result.txt"), "events=" + total + " kills=" + killedAt);
    }

    /**
     * The subjects of user-0 … user-{total - 1} whose token the API does not refuse as revoked.
     * Every one is asked (several requests in flight), each with a token issued before the rule.
     */
    private List<String> notEnforced(int total) throws Exception {
        long exp = Instant.now().getEpochSecond() + 600;
        ExecutorService askers = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                String subject = "user-" + i;
                answers.add(askers.submit(() -> {
                    HttpResponse<String> r = Http.verify(apiPort, TestSidecars.token(subject, at - 1, Map.of("exp", exp)));
                    return r.statusCode() == 401 && r.body().contains("revoked") ? null : subject + " " + r.statusCode();
                }));
            }
            List<String> wrong = new ArrayList<>();
            for (Future<String> f : answers) {
                String w = f.get(60, TimeUnit.SECONDS);
                if (w != null && wrong.size() < 20) {
                    wrong.add(w);
                }
            }
            return wrong;
        } finally {
            askers.shutdownNow();
        }
    }

    /** Waits until the process has applied at least {@code records} in all; returns what it had. */
    private long awaitApplied(Process p, long records) {
        long[] seen = new long[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(10)).ignoreExceptions().until(() -> {
            assertThat(p.isAlive()).as("the sidecar process runs").isTrue();
            seen[0] = appliedSum();
            return seen[0] >= records;
        });
        return seen[0];
    }

    private void awaitCaughtUpWith(Process p, long end) {
        awaitApplied(p, end);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> Http.get(apiPort, "/health/ready").statusCode() == 200);
    }

    private long appliedSum() {
        return appliedNextOffsets().values().stream().mapToLong(Long::longValue).sum();
    }

    /** The running sidecar's applied offsets, from its readiness detail. */
    private Map<Integer, Long> appliedNextOffsets() {
        String body = Http.get(apiPort, "/health/ready").body();
        Map<Integer, Long> result = new HashMap<>();
        JsonObject offsets = new JsonObject(body).getJsonObject("checks").getJsonObject("appliedOffsets");
        if (offsets != null) {
            offsets.forEach(e -> result.put(Integer.parseInt(e.getKey()), ((Number) e.getValue()).longValue()));
        }
        return result;
    }

    private long endOffsetSum() {
        return endOffsets().values().stream().mapToLong(Long::longValue).sum();
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
