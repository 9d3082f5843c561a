package io.jwtsidecar.testing;

import io.jwtsidecar.dev.EmbeddedKafkaCluster;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker in this JVM for one test class, with the revocation topic created (or
 * not, for tests that create it themselves). Use as
 * {@code @RegisterExtension static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(3);}.
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {
    private final int partitions;
    private EmbeddedKafkaCluster cluster;

    private KafkaBroker(int partitions) {
        this.partitions = partitions;
    }

    /** A broker with the test revocation topic of {@code partitions} partitions. */
    public static KafkaBroker withRevocationTopic(int partitions) {
        return new KafkaBroker(partitions);
    }

    /** A broker with no topics. */
    public static KafkaBroker empty() {
        return new KafkaBroker(0);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster = EmbeddedKafkaCluster.start(1, Files.createTempDirectory("kafka-"));
        if (partitions > 0) {
            cluster.createRevocationTopic(TestSidecars.TOPIC, partitions, Duration.ofDays(1).toMillis());
            cluster.createStatusTopic(TestSidecars.STATUS_TOPIC);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        cluster.close();
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public EmbeddedKafkaCluster cluster() {
        return cluster;
    }
}
