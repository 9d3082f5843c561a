package io.jwtsidecar.testing;

import io.jwtsidecar.config.SidecarConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Test sidecars ({@link TestSidecars}, admin API on) that take Shared Signals from an
 * {@link SsfTransmitter}: the transmitter is one more configured issuer (its JWKS verifies the
 * SETs), allowed to speak for the test issuer whose tokens the tests verify.
 */
public final class SsfSidecars {
    public static final String PUSH_TOKEN = "ssf-push-credential-0123456789abcdef0123";
    public static final String POLL_TOKEN = "ssf-poll-credential-0123456789abcdef0123";

    private SsfSidecars() {
    }

    /**
     * A sidecar configuration taking SETs of {@code tx} by push, and by poll when {@code poll};
     * {@code ssfLines} adds keys under {@code signals.ssf} (four spaces, newline-terminated).
     */
    public static SidecarConfig config(String id, String bootstrap, Path dataDir, SsfTransmitter tx, boolean poll,
                                       String ssfLines) {
        String yaml = TestSidecars.yaml(id, bootstrap, dataDir, true)
                + "  - issuer: " + tx.issuer() + "\n"
                + "    audiences: [not-for-access-tokens]\n"
                + "    algorithms: [ES256]\n"
                + "    jwksUri: " + tx.url("/jwks") + "\n"
                + "    jwksMinRefreshInterval: 200ms\n"
                + "signals:\n"
                + "  ssf:\n"
                + "    issuer: " + tx.issuer() + "\n"
                + "    audience: " + tx.audience() + "\n"
                + "    speaksFor: [" + TestSidecars.ISSUER + "]\n"
                + "    pushToken: " + PUSH_TOKEN + "\n"
                + "    poll: " + poll + "\n"
                + "    pollToken: " + POLL_TOKEN + "\n"
                + "    pollIdleWait: 50ms\n"
                + "    pollMinBackoff: 200ms\n"
                + "    pollMaxBackoff: 800ms\n"
                + "    pollTimeout: 5s\n"
                + ssfLines;
        return TestSidecars.parse(yaml, dataDir);
    }

    /** Records on the revocation topic, every partition. */
    public static long recordsOnTopic(String bootstrap) {
        Map<String, Object> settings = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(settings)) {
            List<TopicPartition> parts = c.partitionsFor(TestSidecars.TOPIC).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            long end = c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
            long begin = c.beginningOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
            return end - begin;
        }
    }
}
