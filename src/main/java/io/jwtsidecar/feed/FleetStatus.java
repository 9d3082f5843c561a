package io.jwtsidecar.feed;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet as seen from the status topic: reads every report into a {@link FleetView}, which
 * answers which sidecars have applied an event.
 *
 * <p>Owns a Kafka consumer (every partition of the status topic, read from the start) on one
 * daemon thread; the query methods are safe from any thread.
 */
public final class FleetStatus implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FleetStatus.class);

    private final Map<String, Object> consumerConfig;
    private final String statusTopic;
    private final FleetView view;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    public FleetStatus(Map<String, Object> kafkaConfig, String statusTopic, Clock clock, Duration liveWindow,
                       Duration goneAfter, String sidecarId) {
        Map<String, Object> config = AssignedConsumers.config(kafkaConfig, "jwt-sidecar-fleet-" + sidecarId);
        this.consumerConfig = config;
        this.statusTopic = statusTopic;
        this.view = new FleetView(clock, liveWindow, goneAfter);
        this.thread = new Thread(this::run, "fleet-status-" + sidecarId);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig)) {
            consumer = c;
            List<TopicPartition> partitions = new ArrayList<>();
            while (running && partitions.isEmpty()) {
                try {
                    for (PartitionInfo p : c.partitionsFor(statusTopic, Duration.ofSeconds(5))) {
                        partitions.add(new TopicPartition(statusTopic, p.partition()));
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    log.warn("status topic {} not readable yet: {}", statusTopic, e.toString());
                }
                if (partitions.isEmpty() && running) {
                    Thread.sleep(1_000);
                }
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
                    if (r.value() == null) {
                        view.forget(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8));
                        continue;
                    }
                    try {
                        view.accept(SidecarStatus.fromJson(r.value()));
                    } catch (IllegalArgumentException e) {
                        log.debug("ignoring status record at {}-{}: {}", r.partition(), r.offset(), e.getMessage());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("fleet status reader stopped", e);
        } finally {
            consumer = null;
        }
    }

    /** Every sidecar heard from within {@code goneAfter}, with its standing for the event at {@code position}. */
    public List<FleetView.Standing> standings(EventPosition position) {
        return view.standings(position);
    }

    /** Whether every live sidecar has applied the event (and at least one has). */
    public boolean appliedByAllLive(EventPosition position) {
        return view.appliedByAllLive(position);
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
