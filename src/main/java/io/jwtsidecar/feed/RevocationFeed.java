package io.jwtsidecar.feed;

import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.revocation.DeadLetter;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.EventCodec.MalformedEventException;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationStore;
import io.jwtsidecar.revocation.StoreBatch;
import io.jwtsidecar.revocation.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of the revocation topic into the {@link RevocationStore}.
 *
 * <p>No consumer group: the consumer assigns itself all partitions, because every sidecar must
 * see every event. It resumes from the offsets stored with the rules (never from Kafka's
 * committed offsets), so a restart re-reads nothing it has applied. It is <em>caught up</em>
 * once its position reaches, on every partition, the end offsets it saw at start; until then
 * the sidecar is not ready and verification answers {@code revocation_data_stale}. Afterwards
 * it asks the brokers for the log end every second and records when it last found itself
 * there ({@link #staleness()}), so staleness is measured the same way on busy and quiet topics.
 *
 * <p>A record that does not decode, or whose key is not its rule's key, is a poison pill: it is
 * logged with partition and offset, dead-lettered in the same write that advances the offset,
 * counted, and skipped. It never stalls the partition and never grants access.
 *
 * <p>Threads: the Kafka consumer and every store write live on the feed's own thread, started by
 * {@link #start()}. The getters are safe from any thread. {@link #close()} stops the thread and
 * waits for it.
 */
public final class RevocationFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RevocationFeed.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration RETRY = Duration.ofSeconds(1);
    /** How often the feed asks the brokers for the log end, also when the topic is quiet. */
    private static final Duration END_CHECK_INTERVAL = Duration.ofSeconds(1);
    private static final Duration END_CHECK_TIMEOUT = Duration.ofSeconds(2);

    private final Map<String, Object> consumerConfig;
    private final String topic;
    private final RevocationStore store;
    private final EventCodec codec;
    private final Thread thread;
    private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    private final AtomicLong recordsConsumed = new AtomicLong();
    private final AtomicLong eventsApplied = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile boolean running = true;
    private static final long NEVER = Long.MIN_VALUE;
    private final LongSupplier nanoTime;
    private volatile long lastConfirmedNanos = NEVER;
    private volatile long lag = -1;
    /** When the store started refusing writes without a success since, or NEVER. */
    private volatile long failingSinceNanos = NEVER;
    private final java.time.Clock wallClock;
    private final SidecarMetrics metrics;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    /** Next offset applied per partition, and callers waiting for an offset; guarded by itself. */
    private final Map<Integer, Long> appliedNext = new HashMap<>();
    private final Map<Integer, Long> appliedAt = new HashMap<>();
    /** Where recent events landed, for fleet receipts by event id; bounded. */
    private final com.github.benmanes.caffeine.cache.Cache<String, EventPosition> recentEvents =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(200_000).build();
    private volatile Runnable onApplied = () -> { };
    private final List<Waiter> waiters = new ArrayList<>();

    private record Waiter(int partition, long offset, CompletableFuture<Void> done) {
    }

    /**
     * @param kafkaConfig consumer settings (bootstrap servers and any passthrough settings);
     *                    the feed adds deserializers and turns auto-commit off
     */
    public RevocationFeed(Map<String, Object> kafkaConfig, String topic, RevocationStore store, EventCodec codec,
                          String sidecarId, SidecarMetrics metrics) {
        this(kafkaConfig, topic, store, codec, sidecarId, metrics, System::nanoTime, java.time.Clock.systemUTC());
    }

    /**
     * @param nanoTime monotonic clock for freshness
     * @param wallClock wall clock, compared with Kafka record timestamps for the propagation delay
     */
    public RevocationFeed(Map<String, Object> kafkaConfig, String topic, RevocationStore store, EventCodec codec,
                          String sidecarId, SidecarMetrics metrics, LongSupplier nanoTime, java.time.Clock wallClock) {
        this.nanoTime = nanoTime;
        this.wallClock = wallClock;
        this.metrics = metrics;
        Map<String, Object> config = AssignedConsumers.config(kafkaConfig, "jwt-sidecar-feed-" + sidecarId);
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        this.consumerConfig = config;
        this.topic = topic;
        this.store = store;
        this.codec = codec;
        this.thread = new Thread(this::run, "revocation-feed-" + sidecarId);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Completes once the feed has read up to the end offsets it saw at start. */
    public CompletableFuture<Void> caughtUp() {
        return caughtUp;
    }

    public boolean isCaughtUp() {
        return caughtUp.isDone();
    }

    /** Records read from Kafka since this feed started (valid or not). */
    public long recordsConsumed() {
        return recordsConsumed.get();
    }

    public long eventsApplied() {
        return eventsApplied.get();
    }

    /** Poison pills dead-lettered since this feed started. */
    public long deadLettered() {
        return deadLettered.get();
    }

    /**
     * Completes once the record at {@code offset} of {@code partition} is applied to the store
     * (at once if it already is). Callers add their own timeout; a timed-out waiter is dropped.
     */
    public CompletableFuture<Void> whenApplied(int partition, long offset) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Waiter w = new Waiter(partition, offset, done);
        synchronized (appliedNext) {
            if (appliedNext.getOrDefault(partition, 0L) > offset) {
                done.complete(null);
                return done;
            }
            waiters.add(w);
        }
        done.whenComplete((v, e) -> {
            synchronized (appliedNext) {
                waiters.remove(w);
            }
        });
        return done;
    }

    /** Called after every applied batch (the status reporter's nudge). Set before {@link #start()}. */
    public void onApplied(Runnable listener) {
        this.onApplied = listener;
    }

    /** Next applied offset per partition. */
    public Map<Integer, Long> appliedNextOffsets() {
        synchronized (appliedNext) {
            return Map.copyOf(appliedNext);
        }
    }

    /** Wall-clock millis when each partition last advanced. */
    public Map<Integer, Long> appliedAtMillis() {
        synchronized (appliedNext) {
            return Map.copyOf(appliedAt);
        }
    }

    /** Where a recently read event landed, if this feed has seen it. */
    public java.util.Optional<EventPosition> positionOf(String eventId) {
        return java.util.Optional.ofNullable(recentEvents.getIfPresent(eventId));
    }

    private void markApplied(Map<Integer, Long> nextOffsets) {
        List<Waiter> ready = new ArrayList<>();
        long now = wallClock.millis();
        synchronized (appliedNext) {
            nextOffsets.forEach((p, next) -> {
                if (appliedNext.merge(p, next, Math::max) == next) {
                    appliedAt.put(p, now);
                }
            });
            for (Waiter w : waiters) {
                if (appliedNext.getOrDefault(w.partition(), 0L) > w.offset()) {
                    ready.add(w);
                }
            }
        }
        // Completed outside the lock: completion runs callers' code.
        ready.forEach(w -> w.done().complete(null));
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig)) {
            consumer = c;
            if (!running) {
                return;
            }
            List<TopicPartition> partitions = awaitPartitions(c);
            c.assign(partitions);
            seekToStoredOffsets(c, partitions);
            Map<TopicPartition, Long> target = null;
            long nextEndCheck = 0;
            // The log end as the brokers gave it at a moment, waiting until the feed has read up to it.
            long askedAt = 0;
            Map<TopicPartition, Long> askedEnds = null;
            while (running) {
                ConsumerRecords<byte[], byte[]> records = c.poll(POLL);
                if (!records.isEmpty()) {
                    applyOrRewind(c, records, partitions);
                }
                if (askedEnds != null && reached(c, askedEnds)) {
                    // Everything published before askedAt is applied: fresh as of then (not of now, conservatively).
                    lastConfirmedNanos = askedAt;
                    askedEnds = null;
                }
                long now = nanoTime.getAsLong();
                // On a busy topic the position is rarely at the end at the very moment of a check, so
                // a check stays open until the feed has read past what was there when it asked.
                if (now - nextEndCheck >= 0 && askedEnds == null) {
                    nextEndCheck = now + END_CHECK_INTERVAL.toNanos();
                    Map<TopicPartition, Long> ends = endOffsets(c, partitions);
                    if (ends != null) {
                        lag = lag(c, ends);
                        if (target == null) {
                            target = ends;
                            log.info("revocation feed assigned {} partitions of {}; catching up to {}",
                                    partitions.size(), topic, target);
                        }
                        if (reached(c, ends)) {
                            lastConfirmedNanos = now;
                        } else {
                            askedAt = now;
                            askedEnds = ends;
                        }
                    }
                }
                if (!caughtUp.isDone() && target != null && reached(c, target)) {
                    log.info("revocation feed caught up with {} ({} records read)", topic, recordsConsumed.get());
                    caughtUp.complete(null);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                log.error("revocation feed woken up unexpectedly", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("revocation feed stopped by an unexpected error; revocation data will go stale", e);
        } finally {
            consumer = null;
        }
    }

    private List<TopicPartition> awaitPartitions(KafkaConsumer<byte[], byte[]> c) throws InterruptedException {
        while (running) {
            try {
                List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(5));
                if (infos != null && !infos.isEmpty()) {
                    List<TopicPartition> partitions = new ArrayList<>();
                    for (PartitionInfo p : infos) {
                        partitions.add(new TopicPartition(topic, p.partition()));
                    }
                    return partitions;
                }
                log.warn("revocation topic {} does not exist yet; waiting for it", topic);
            } catch (WakeupException e) {
                throw e;
            } catch (RuntimeException e) {
                log.warn("cannot read metadata of revocation topic {}: {}", topic, e.toString());
            }
            pause(RETRY);
        }
        throw new WakeupException();
    }

    private void seekToStoredOffsets(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions) {
        Map<Integer, Long> stored = store.nextOffsets(topic);
        markApplied(stored);
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            Long next = stored.get(tp.partition());
            if (next == null) {
                fresh.add(tp);
            } else {
                c.seek(tp, next);
            }
        }
        if (!fresh.isEmpty()) {
            c.seekToBeginning(fresh);
        }
    }

    private void applyOrRewind(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records,
                               List<TopicPartition> partitions) throws InterruptedException {
        List<RevocationEvent> events = new ArrayList<>();
        List<DeadLetter> deadLetters = new ArrayList<>();
        Map<Integer, Long> nextOffsets = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            recordsConsumed.incrementAndGet();
            nextOffsets.put(r.partition(), r.offset() + 1);
            try {
                RevocationEvent event = codec.decode(r.value());
                if (r.key() == null || !Arrays.equals(r.key(), event.key().toBytes())) {
                    throw new MalformedEventException("record key is not the rule key " + event.key());
                }
                events.add(event);
                recentEvents.put(event.eventId(), new EventPosition(r.partition(), r.offset(), r.timestamp()));
            } catch (MalformedEventException e) {
                log.warn("dead-lettering revocation record {}-{} at offset {}: {}", topic, r.partition(), r.offset(),
                        e.getMessage());
                deadLetters.add(new DeadLetter(r.partition(), r.offset(), r.key(), r.value(), e.getMessage()));
            }
        }
        try {
            store.apply(new StoreBatch(topic, events, deadLetters, nextOffsets));
            eventsApplied.addAndGet(events.size());
            deadLettered.addAndGet(deadLetters.size());
            markApplied(nextOffsets);
            long now = wallClock.millis();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                metrics.propagated(now - r.timestamp());
            }
            onApplied.run();
            failingSinceNanos = NEVER;
        } catch (StoreException e) {
            // Nothing of the batch was written: go back to what the store holds and try again.
            if (failingSinceNanos == NEVER) {
                failingSinceNanos = nanoTime.getAsLong();
            }
            log.error("cannot apply revocation batch; retrying in {}", RETRY, e);
            pause(RETRY);
            seekToStoredOffsets(c, partitions);
        }
    }

    /** Waits, but returns at once when {@link #close()} is called (no interrupts: they break the consumer's close). */
    private void pause(Duration d) throws InterruptedException {
        stopRequested.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * How long the store has been refusing every write (a full disk, an I/O error), or zero.
     * RocksDB stays in its error state once a write-ahead-log append fails, so only a restart
     * (reopening the store) recovers; liveness uses this to ask the orchestrator for one.
     */
    public Duration storeFailingFor() {
        long since = failingSinceNanos;
        return since == NEVER ? Duration.ZERO : Duration.ofNanos(nanoTime.getAsLong() - since);
    }

    /** Records between the position and the log end, summed; -1 when unknown. */
    public long lag() {
        return lag;
    }

    private static long lag(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> ends) {
        try {
            long sum = 0;
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                sum += Math.max(0, e.getValue() - c.position(e.getKey(), END_CHECK_TIMEOUT));
            }
            return sum;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return -1;
        }
    }

    /** The log end offsets, or null when the brokers do not answer in time (then freshness ages). */
    private Map<TopicPartition, Long> endOffsets(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions) {
        try {
            return c.endOffsets(partitions, END_CHECK_TIMEOUT);
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            log.debug("cannot read the end offsets of {}: {}", topic, e.toString());
            return null;
        }
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> target) {
        try {
            for (Map.Entry<TopicPartition, Long> e : target.entrySet()) {
                if (c.position(e.getKey(), END_CHECK_TIMEOUT) < e.getValue()) {
                    return false;
                }
            }
            return true;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return false;
        }
    }

    /**
     * How long ago the feed last confirmed, with the brokers, that it had read to the log end of
     * every partition; measured on a monotonic clock, so a quiet topic stays fresh and a lost
     * broker makes it age. {@link Duration#ofSeconds(long) Long.MAX_VALUE} seconds before the first
     * confirmation.
     */
    public Duration staleness() {
        long confirmed = lastConfirmedNanos;
        if (confirmed == NEVER) {
            return Duration.ofSeconds(Long.MAX_VALUE);
        }
        return Duration.ofNanos(nanoTime.getAsLong() - confirmed);
    }

    @Override
    public void close() {
        running = false;
        stopRequested.countDown();
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
