package io.jwtsidecar.bench;

import io.jwtsidecar.dev.EmbeddedKafkaCluster;
import io.jwtsidecar.feed.RevocationFeed;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.EventSignatureCheck;
import io.jwtsidecar.revocation.EventSigner;
import io.jwtsidecar.revocation.PublisherKey;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeyLoader;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Applying events from Kafka: a fresh sidecar store reads {@code events} revocations from a
 * real broker in this JVM (three partitions) and applies them, from offset 0 to caught up:
 * consumer, JSON decoding and validation, signature check ({@code signing}: none, or every event
 * signed with an Ed25519 or P-256 publisher key), merge, RocksDB write batches, Bloom filter.
 * Score: time per event (its inverse is events per second).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FeedThroughputBenchmark {
    private static final String TOPIC = "bench-revocations";

    @Param("300000")
    public int events;

    /**
     * none, EdDSA or ES256: how the events are signed, and what the feed requires. Only none by
     * default, which keeps a full run short; docs/BENCHMARKS.md gives the command for all three.
     */
    @Param("none")
    public String signing;

    /** native: Amazon Corretto Crypto Provider first (as the sidecar runs); jdk: JDK providers only. */
    @Param("native")
    public String provider;

    private List<PublisherKey> trusted = List.of();

    private EmbeddedKafkaCluster kafka;
    private Path dir;

    @Setup(Level.Trial)
    public void publish() throws Exception {
        BenchSetup.useProvider(provider);
        dir = Files.createTempDirectory("bench-feed");
        kafka = EmbeddedKafkaCluster.start(1, dir.resolve("kafka"));
        kafka.createRevocationTopic(TOPIC, 3, 86_400_000L);
        EventCodec codec = new EventCodec();
        EventSigner signer = null;
        if (!signing.equals("none")) {
            KeyPairGenerator g = KeyPairGenerator.getInstance(signing.equals("EdDSA") ? "Ed25519" : "EC");
            if (signing.equals("ES256")) {
                g.initialize(new ECGenParameterSpec("secp256r1"));
            }
            KeyPair pair = g.generateKeyPair();
            signer = new EventSigner("bench", pair.getPrivate());
            trusted = List.of(new PublisherKey("bench", StaticKeyLoader.pem("bench", JwsAlgorithm.valueOf(signing),
                    "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPublic().getEncoded())
                            + "\n-----END PUBLIC KEY-----\n"), PublisherKey.Trust.CURRENT));
        }
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "acks", "all", "linger.ms", "20", "batch.size", "262144"), new ByteArraySerializer(), new ByteArraySerializer())) {
            // Dated now: the feed dead-letters events dated more than ten minutes after their record.
            long now = Instant.now().getEpochSecond();
            for (int i = 0; i < events; i++) {
                RevocationEvent e = RevocationStoreBenchmark.revoke("user-" + i, now);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(TOPIC, e.key().toBytes(), codec.encode(e));
                if (signer != null) {
                    record.headers().add(EventSigner.HEADER, signer.sign(TOPIC, record.key(), record.value(), 0));
                }
                p.send(record);
            }
            p.flush();
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        kafka.close();
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public long readAllFromOffsetZero() throws Exception {
        Path storeDir = Files.createTempDirectory(dir, "store");
        try (RocksDbRevocationStore store = RocksDbRevocationStore.open(storeDir, events, 0.001);
             RevocationFeed feed = new RevocationFeed(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                     new RevocationFeed.Settings(TOPIC, "bench", Duration.ofSeconds(5), Duration.ofSeconds(1)), store, new EventCodec(),
                     new EventSignatureCheck(trusted, !trusted.isEmpty()), new SidecarMetrics(), System::nanoTime,
                     Clock.systemUTC())) {
            feed.start();
            feed.caughtUp().get(10, TimeUnit.MINUTES);
            if (feed.eventsApplied() != events) {
                throw new IllegalStateException("applied " + feed.eventsApplied() + " of " + events);
            }
            return feed.eventsApplied();
        }
    }
}
