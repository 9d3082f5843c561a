package io.jwtsidecar.dev;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka cluster (KRaft, one controller, N brokers) running inside this JVM, for
 * {@code jwt-sidecar dev} and the integration tests. It is Kafka's own server code, not a fake:
 * the sidecar talks to it over TCP exactly as to a remote cluster.
 *
 * <p>Owns the cluster and its admin client; {@link #close()} stops both, once.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {
    private final KafkaClusterTestKit cluster;
    private final Admin admin;
    private final int brokers;
    private boolean closed;

    private EmbeddedKafkaCluster(KafkaClusterTestKit cluster, int brokers) {
        this.cluster = cluster;
        this.admin = cluster.admin();
        this.brokers = brokers;
    }

    /**
     * Formats and starts a cluster whose data lives under {@code baseDir}.
     *
     * @throws IllegalStateException when the brokers do not come up
     */
    public static EmbeddedKafkaCluster start(int brokers, Path baseDir) {
        int rf = Math.min(3, brokers);
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumControllerNodes(1)
                    .setNumBrokerNodes(brokers)
                    .setBaseDirectory(baseDir)
                    .build();
            // Internal topics must fit the broker count, or consumer groups and idempotent producers hang.
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("offsets.topic.replication.factor", String.valueOf(rf))
                    .setConfigProp("transaction.state.log.replication.factor", String.valueOf(rf))
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setDeleteOnClose(true)
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafkaCluster(cluster, brokers);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the embedded Kafka cluster", e);
        } catch (Exception e) {
            throw new IllegalStateException("Error starting the embedded Kafka cluster in " + baseDir, e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * Creates the revocation topic as production should have it: compacted (latest event per
     * rule) and deleted after the retention.
     */
    public void createRevocationTopic(String name, int partitions, long retentionMs) {
        createTopic(name, partitions, Map.of("cleanup.policy", "compact,delete",
                "retention.ms", String.valueOf(retentionMs)));
    }

    /**
     * The fleet status topic: compacted, one record (the latest report) per sidecar, stamped by the
     * broker's clock (what {@code topic create} makes).
     */
    public void createStatusTopic(String name) {
        createTopic(name, 1, Map.of("cleanup.policy", "compact", "segment.ms", "600000",
                "message.timestamp.type", "LogAppendTime"));
    }

    public void createTopic(String name, int partitions, Map<String, String> configs) {
        short rf = (short) Math.min(3, brokers);
        if (rf >= 3 && !configs.containsKey("min.insync.replicas")) {
            configs = new java.util.HashMap<>(configs);
            configs.put("min.insync.replicas", "2");
        }
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, rf).configs(configs)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (Exception e) {
            throw new IllegalStateException("Error creating topic " + name, e);
        }
    }

    /** The id of the broker leading a partition now. */
    public int leaderOf(String topic, int partition) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().get(partition).leader().id();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + topic, e);
        } catch (Exception e) {
            throw new IllegalStateException("Error describing topic " + topic, e);
        }
    }

    /** Stops one broker (as a crash of that broker would, minus the lost page cache). */
    public void stopBroker(int id) {
        var broker = cluster.brokers().get(id);
        broker.shutdown();
        broker.awaitShutdown();
    }

    /** Stops every broker (the controller keeps running), as in a broker outage. */
    public void stopBrokers() {
        cluster.brokers().values().forEach(b -> {
            b.shutdown();
            b.awaitShutdown();
        });
    }

    /** Starts the brokers stopped by {@link #stopBrokers()} again, on the same ports and data. */
    public void startBrokers() {
        cluster.brokers().values().forEach(b -> b.startup());
        try {
            cluster.waitForReadyBrokers();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting brokers", e);
        } catch (Exception e) {
            throw new IllegalStateException("Error restarting brokers", e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // The admin client first: it would otherwise retry against brokers that are going away.
        admin.close();
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("Error stopping the embedded Kafka cluster", e);
        }
    }
}
