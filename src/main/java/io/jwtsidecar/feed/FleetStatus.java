package io.jwtsidecar.feed;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.record.TimestampType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet as seen from the status topic: reads every record, in topic order, into a
 * {@link FleetView}, which answers which sidecars have applied an event. A record's broker
 * timestamp is passed on only when the topic is stamped by the broker ({@code LogAppendTime});
 * a producer's own timestamp is ignored, as the report carries its time anyway.
 *
 * <p>Owns a Kafka consumer (every partition of the status topic, read from the start) on one
 * daemon thread ({@link KafkaLoop}), which also removes silent sidecars from the view every
 * second; the query methods are safe from any thread.
 */
public final class FleetStatus implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FleetStatus.class);
    private static final long EXPIRY_INTERVAL_MILLIS = 1_000;

    private final Map<String, Object> consumerConfig;
    private final String statusTopic;
    private final Clock clock;
    private final FleetView view;
    private final KafkaLoop loop;

    public FleetStatus(Map<String, Object> kafkaConfig, String statusTopic, Clock clock, Duration liveWindow,
                       Duration goneAfter, String sidecarId) {
        Map<String, Object> config = AssignedConsumers.config(kafkaConfig, "jwt-sidecar-fleet-" + sidecarId);
        this.consumerConfig = config;
        this.statusTopic = statusTopic;
        this.clock = clock;
        this.view = new FleetView(clock, liveWindow, goneAfter);
        this.loop = new KafkaLoop("fleet-status-" + sidecarId, Duration.ofSeconds(1), Duration.ofSeconds(10), this::run);
    }

    public void start() {
        loop.start();
    }

    /** One life of the consumer; a restart reads the topic from the start again (reports are idempotent). */
    private void run() throws InterruptedException {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig);
        try {
            loop.onStop(c::wakeup);
            List<TopicPartition> partitions = new ArrayList<>();
            while (loop.running() && partitions.isEmpty()) {
                try {
                    for (PartitionInfo p : c.partitionsFor(statusTopic, Duration.ofSeconds(5))) {
                        partitions.add(new TopicPartition(statusTopic, p.partition()));
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    log.warn("status topic {} not readable yet: {}", statusTopic, e.toString());
                }
                if (partitions.isEmpty() && loop.pause(Duration.ofSeconds(1))) {
                    return;
                }
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            long nextExpiry = clock.millis();
            while (loop.running()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
                    deliver(r);
                }
                if (clock.millis() >= nextExpiry) {
                    view.expire();
                    nextExpiry = clock.millis() + EXPIRY_INTERVAL_MILLIS;
                }
            }
        } finally {
            AssignedConsumers.close(c);
        }
    }

    /** One record of the status topic, decoded and handed to the view. Consumer thread only. */
    void deliver(ConsumerRecord<byte[], byte[]> r) {
        if (r.key() == null) {
            view.refuse("(no key)", FleetView.Refusal.MALFORMED, "a status record needs its sidecar id as key, at "
                    + r.partition() + "-" + r.offset());
            return;
        }
        String key = new String(r.key(), StandardCharsets.UTF_8);
        if (r.value() == null) {
            view.forget(key);
            return;
        }
        SidecarStatus report;
        try {
            report = SidecarStatus.fromJson(r.value());
        } catch (IllegalArgumentException e) {
            view.refuse(key, FleetView.Refusal.MALFORMED, e.getMessage() + ", at " + r.partition() + "-" + r.offset());
            return;
        }
        view.accept(key, report, r.timestampType() == TimestampType.LOG_APPEND_TIME
                ? OptionalLong.of(r.timestamp()) : OptionalLong.empty());
    }

    /** Every sidecar heard from within {@code goneAfter}, with its standing for the event at {@code position}. */
    public FleetView.Receipt receipt(EventPosition position) {
        return view.receipt(position);
    }

    /** Status records refused for {@code why} since start (a candidate for a metric). */
    public long refused(FleetView.Refusal why) {
        return view.refused(why);
    }

    /** Sidecar ids held in memory. */
    public int trackedSidecars() {
        return view.tracked();
    }

    @Override
    public void close() {
        loop.close();
    }
}
