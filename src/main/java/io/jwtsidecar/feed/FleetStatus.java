package io.jwtsidecar.feed;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet as seen from the status topic: the latest report of every sidecar, and for a
 * given event which sidecars have applied it.
 *
 * <p>A sidecar is <em>live</em> while its last report is at most {@code liveWindow} old,
 * <em>lagging</em> when it has been silent longer (stopped, partitioned, stuck) and <em>gone</em>
 * after {@code goneAfter}, when it is no longer listed. Waiting for "all" means all live
 * sidecars: a stopped one cannot hold a revocation up for longer than the live window.
 *
 * <p>Owns a Kafka consumer (every partition of the status topic, read from the start) on one
 * daemon thread; the query methods are safe from any thread.
 */
public final class FleetStatus implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FleetStatus.class);

    private final Map<String, Object> consumerConfig;
    private final String statusTopic;
    private final Clock clock;
    private final Duration liveWindow;
    private final Duration goneAfter;
    private final Map<String, SidecarStatus> latest = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    /** One sidecar's standing with respect to one event. */
    public enum State { APPLIED, PENDING, LAGGING }

    /**
     * @param sidecarId    the sidecar id
     * @param state        applied, pending (live, not yet) or lagging (silent)
     * @param delayMillis  for applied sidecars, an upper bound of the time from the event's
     *                     timestamp to its application there (exact when it was the last record
     *                     applied); else -1
     * @param silentMillis how long ago its last report was
     */
    public record Standing(String sidecarId, State state, long delayMillis, long silentMillis) {
    }

    public FleetStatus(Map<String, Object> kafkaConfig, String statusTopic, Clock clock, Duration liveWindow,
                       Duration goneAfter, String sidecarId) {
        Map<String, Object> config = AssignedConsumers.config(kafkaConfig, "jwt-sidecar-fleet-" + sidecarId);
        this.consumerConfig = config;
        this.statusTopic = statusTopic;
        this.clock = clock;
        this.liveWindow = liveWindow;
        this.goneAfter = goneAfter;
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
                        latest.remove(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8));
                        continue;
                    }
                    try {
                        SidecarStatus s = SidecarStatus.fromJson(r.value());
                        latest.merge(s.sidecarId(), s, (old, neu) -> neu.reportedAt() >= old.reportedAt() ? neu : old);
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
    public List<Standing> standings(EventPosition position) {
        long now = clock.millis();
        List<Standing> result = new ArrayList<>();
        for (SidecarStatus s : latest.values()) {
            long silent = now - s.reportedAt();
            if (silent > goneAfter.toMillis()) {
                continue;
            }
            if (s.hasApplied(position.partition(), position.offset())) {
                long appliedAt = s.appliedAt().getOrDefault(position.partition(), s.reportedAt());
                result.add(new Standing(s.sidecarId(), State.APPLIED, Math.max(0, appliedAt - position.timestamp()),
                        silent));
            } else {
                result.add(new Standing(s.sidecarId(), silent <= liveWindow.toMillis() ? State.PENDING : State.LAGGING,
                        -1, silent));
            }
        }
        result.sort(java.util.Comparator.comparing(Standing::sidecarId));
        return result;
    }

    /** Whether every live sidecar has applied the event (and at least one has). */
    public boolean appliedByAllLive(EventPosition position) {
        List<Standing> standings = standings(position);
        return standings.stream().noneMatch(s -> s.state() == State.PENDING)
                && standings.stream().anyMatch(s -> s.state() == State.APPLIED);
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
