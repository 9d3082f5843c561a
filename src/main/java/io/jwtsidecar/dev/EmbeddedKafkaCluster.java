package io.jwtsidecar.dev;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.security.auth.SecurityProtocol;
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
    /** The listener clients (and brokers among themselves) connect to. */
    public static final String CLIENT_LISTENER = "EXTERNAL";
    /** The listener of the KRaft controller (brokers register and heartbeat there). */
    public static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** The JVM-wide JAAS file setting, which the test kit points at a file of its own for a SASL listener. */
    private static final String JAAS_PROPERTY = "java.security.auth.login.config";

    private final KafkaClusterTestKit cluster;
    private final Admin admin;
    private final int brokers;
    private final String jaasPropertyBefore;
    private boolean closed;

    /**
     * How the cluster's listeners are secured.
     *
     * @param protocol     the protocol of both listeners, {@link #CLIENT_LISTENER} and {@link #CONTROLLER_LISTENER}
     * @param serverConfig settings added to every node's (e.g. SASL mechanisms, the listeners' JAAS configs
     *                     prefixed {@code listener.name.<listener>.}, the authorizer and its super users); they
     *                     win over the cluster's own
     * @param adminConfig  the security settings of the cluster's own admin client, which creates topics: with an
     *                     authorizer, a super user's
     */
    public record Security(SecurityProtocol protocol, Map<String, String> serverConfig, Map<String, Object> adminConfig) {
        /** No authentication, no authorizer: dev mode and most tests. */
        public static final Security PLAINTEXT = new Security(SecurityProtocol.PLAINTEXT, Map.of(), Map.of());

        public Security {
            serverConfig = Map.copyOf(serverConfig);
            adminConfig = Map.copyOf(adminConfig);
        }
    }

    private EmbeddedKafkaCluster(KafkaClusterTestKit cluster, int brokers, Map<String, Object> adminConfig,
                                 String jaasPropertyBefore) {
        this.cluster = cluster;
        this.admin = cluster.admin(adminConfig);
        this.brokers = brokers;
        this.jaasPropertyBefore = jaasPropertyBefore;
    }

    /**
     * Formats and starts a cluster whose data lives under {@code baseDir}, without authentication.
     *
     * @throws IllegalStateException when the brokers do not come up
     */
    public static EmbeddedKafkaCluster start(int brokers, Path baseDir) {
        return start(brokers, baseDir, Security.PLAINTEXT);
    }

    /**
     * Formats and starts a cluster whose data lives under {@code baseDir}, its listeners secured as
     * {@code security} says.
     *
     * @throws IllegalStateException when the brokers do not come up
     */
    public static EmbeddedKafkaCluster start(int brokers, Path baseDir, Security security) {
        int rf = Math.min(3, brokers);
        // For a SASL listener the test kit writes a JAAS file and sets this JVM-wide property; close() puts it back.
        String jaasPropertyBefore = System.getProperty(JAAS_PROPERTY);
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumControllerNodes(1)
                    .setNumBrokerNodes(brokers)
                    .setBaseDirectory(baseDir)
                    .setBrokerListenerName(new ListenerName(CLIENT_LISTENER))
                    .setBrokerSecurityProtocol(security.protocol())
                    .setControllerListenerName(new ListenerName(CONTROLLER_LISTENER))
                    .setControllerSecurityProtocol(security.protocol())
                    .build();
            // Internal topics must fit the broker count, or consumer groups and idempotent producers hang.
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("offsets.topic.replication.factor", String.valueOf(rf))
                    .setConfigProp("transaction.state.log.replication.factor", String.valueOf(rf))
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setDeleteOnClose(true);
            security.serverConfig().forEach(builder::setConfigProp);
            KafkaClusterTestKit cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafkaCluster(cluster, brokers, security.adminConfig(), jaasPropertyBefore);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            restoreJaasProperty(jaasPropertyBefore);
            throw new IllegalStateException("interrupted while starting the embedded Kafka cluster", e);
        } catch (Exception e) {
            restoreJaasProperty(jaasPropertyBefore);
            throw new IllegalStateException("Error starting the embedded Kafka cluster in " + baseDir, e);
        }
    }

    /** The test kit deletes its JAAS file on close, but leaves the JVM-wide property naming it. */
    private static void restoreJaasProperty(String before) {
        if (before == null) {
            System.clearProperty(JAAS_PROPERTY);
        } else {
            System.setProperty(JAAS_PROPERTY, before);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * Creates the revocation topic as production should have it ({@code topic create}): compacted
     * (latest event per rule) after an hour, deleted after the retention, stamped by the broker.
     */
    public void createRevocationTopic(String name, int partitions, long retentionMs) {
        createTopic(name, partitions, Map.of("cleanup.policy", "compact,delete",
                "retention.ms", String.valueOf(retentionMs), "min.compaction.lag.ms", "3600000",
                "message.timestamp.type", "LogAppendTime"));
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
            configs = new HashMap<>(configs);
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
            return Objects.requireNonNull(admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic), topic).partitions().get(partition).leader().id();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + topic, e);
        } catch (Exception e) {
            throw new IllegalStateException("Error describing topic " + topic, e);
        }
    }

    /**
     * Connections the brokers hold open on the client listener now, summed over the brokers, from
     * each broker's own socket-server metrics: what the fleet benchmark reports per sidecar.
     */
    public long clientConnections() {
        double total = 0;
        for (var broker : cluster.brokers().values()) {
            for (Map.Entry<MetricName, ? extends Metric> m : broker.metrics().metrics().entrySet()) {
                MetricName name = m.getKey();
                if (name.name().equals("connection-count") && name.group().equals("socket-server-metrics")
                        && CLIENT_LISTENER.equals(name.tags().get("listener"))) {
                    total += ((Number) m.getValue().metricValue()).doubleValue();
                }
            }
        }
        return Math.round(total);
    }

    /** Stops one broker (as a crash of that broker would, minus the lost page cache). */
    public void stopBroker(int id) {
        var broker = Objects.requireNonNull(cluster.brokers().get(id), () -> "no broker " + id);
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
        } finally {
            restoreJaasProperty(jaasPropertyBefore);
        }
    }
}
