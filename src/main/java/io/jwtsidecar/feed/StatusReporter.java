package io.jwtsidecar.feed;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this sidecar's {@link SidecarStatus} to the compacted status topic (key = sidecar
 * id): when something changed and as a heartbeat every {@code interval}. A change is the feed
 * applying a batch or a node-level sidecar answering a new client ({@link #nudge}); the first
 * after a quiet spell is reported at once, so an admin waiting for a revocation to reach the
 * fleet learns of it within milliseconds, and the rest of a burst is folded into at most one
 * report every {@value #MIN_GAP_MILLIS} ms. Every report is a Produce request to the status
 * partition's leader from every sidecar (docs/SCALE.md): the heartbeat is what an idle fleet
 * costs, the gap what a burst costs.
 *
 * <p>Owns its Kafka producer and one daemon thread ({@link KafkaLoop}); {@link #close()} stops both.
 */
public final class StatusReporter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusReporter.class);
    private static final long MIN_GAP_MILLIS = 250;

    private final Map<String, Object> producerConfig;
    private final String statusTopic;
    private final String sidecarId;
    private final RevocationFeed feed;
    private final Clock clock;
    private final Duration interval;
    private final Supplier<List<String>> clients;
    private final KafkaLoop loop;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nudged = lock.newCondition();
    private volatile boolean pending;

    /** For a sidecar in a pod of its own: it names no clients. */
    public StatusReporter(Map<String, Object> kafkaConfig, String statusTopic, String sidecarId, RevocationFeed feed,
                          Clock clock, Duration interval) {
        this(kafkaConfig, statusTopic, sidecarId, feed, clock, interval, List::of);
    }

    /**
     * @param interval the heartbeat ({@code fleet.statusInterval})
     * @param clients  the clients to name in each report ({@link ServedClients#clients})
     */
    public StatusReporter(Map<String, Object> kafkaConfig, String statusTopic, String sidecarId, RevocationFeed feed,
                          Clock clock, Duration interval, Supplier<List<String>> clients) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "jwt-sidecar-status-" + sidecarId);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
        // A status report is superseded by the next change or heartbeat: no point retrying it for long.
        config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        this.producerConfig = config;
        this.statusTopic = statusTopic;
        this.sidecarId = sidecarId;
        this.feed = feed;
        this.clock = clock;
        this.interval = interval;
        this.clients = clients;
        this.loop = new KafkaLoop("status-reporter-" + sidecarId, Duration.ofSeconds(1), Duration.ofSeconds(5), this::run);
    }

    public void start() {
        loop.start();
    }

    /** Report soon: the feed applied something, or a client is new. Safe from any thread; never blocks. */
    public void nudge() {
        pending = true;
        if (lock.tryLock()) {
            try {
                nudged.signal();
            } finally {
                lock.unlock();
            }
        }
        // Otherwise the reporter holds the lock briefly and sees the flag before it waits.
    }

    private void run() throws InterruptedException {
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig);
        try {
            loop.onStop(this::wakeUp);
            while (loop.running()) {
                try {
                    report(producer);
                } catch (RuntimeException e) {
                    log.debug("status report of {} failed: {}", sidecarId, e.toString());
                }
                if (loop.pause(Duration.ofMillis(MIN_GAP_MILLIS))) {
                    return;
                }
                lock.lock();
                try {
                    if (!pending && loop.running()) {
                        nudged.await(interval.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    pending = false;
                } finally {
                    lock.unlock();
                }
            }
        } finally {
            loop.onStop(() -> { });
            // Bounded: a report is worthless a second later, and brokers may be gone.
            producer.close(Duration.ofSeconds(2));
        }
    }

    private void wakeUp() {
        lock.lock();
        try {
            nudged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void report(KafkaProducer<byte[], byte[]> producer) {
        Duration staleness = feed.staleness();
        RevocationFeed.PartitionCounts partitions = feed.partitionCounts();
        SidecarStatus status = new SidecarStatus(sidecarId, clock.millis(), feed.appliedNextOffsets(),
                feed.appliedAtMillis(), staleness.getSeconds() == Long.MAX_VALUE ? -1 : staleness.toMillis(),
                partitions.assigned(), partitions.existing(), clients.get());
        producer.send(new ProducerRecord<>(statusTopic, sidecarId.getBytes(StandardCharsets.UTF_8),
                status.toJson()));
    }

    @Override
    public void close() {
        loop.close();
    }
}
