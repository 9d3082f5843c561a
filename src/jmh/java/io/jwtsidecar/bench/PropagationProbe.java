package io.jwtsidecar.bench;

import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.RevocationEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes revocations one at a time, paced, and times each until every sidecar has applied
 * it. The clock starts just before the send; the publish is acknowledged by every in-sync
 * replica ({@code acks=all}, as the admin plane's publisher) before the probe learns the
 * record's offset and asks each sidecar to say when it has applied that offset
 * ({@code RevocationFeed.whenApplied}, completed on the feed's thread right after the store
 * write). A sidecar that applied the record before it was asked counts as applying it at that
 * moment, so a latency is never below the acknowledgement.
 */
final class PropagationProbe implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final EventCodec codec = new EventCodec();
    private int published;

    /** Latencies of every (sidecar, event) pair that arrived, and how many did not in time. */
    record Result(List<Long> latenciesNanos, int missing) {
    }

    PropagationProbe(String bootstrap, String topic) {
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, "fleet-bench-publisher", ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0), new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    /** Publishes {@code events} revocations, one every {@code pace}, and waits up to {@code timeout} after the last. */
    Result run(List<FleetSidecar> sidecars, int events, Duration pace, Duration timeout)
            throws InterruptedException, ExecutionException {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < events; i++) {
            long due = start + i * pace.toNanos();
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            RevocationEvent e = RevocationStoreBenchmark.revoke("fleet-" + published++, Instant.now().getEpochSecond());
            long sent = System.nanoTime();
            RecordMetadata m = producer.send(new ProducerRecord<>(topic, e.key().toBytes(), codec.encode(e))).get();
            for (FleetSidecar s : sidecars) {
                waits.add(s.whenApplied(m.partition(), m.offset()).thenRun(() -> latencies.add(System.nanoTime() - sent)));
            }
        }
        try {
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Counted below as missing; the figures say how many.
        }
        List<Long> arrived = new ArrayList<>(latencies);
        return new Result(arrived, waits.size() - arrived.size());
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
