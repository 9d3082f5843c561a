package io.jwtsidecar.feed;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Settings shared by the sidecar's consumers. They all assign themselves every partition of a
 * topic instead of joining a group (every sidecar must see everything), keep their position
 * elsewhere than in Kafka, read from the beginning, see committed records only, and must not
 * create topics by reading them.
 */
final class AssignedConsumers {
    private AssignedConsumers() {
    }

    /**
     * @param base     bootstrap servers and the user's passthrough settings (kept unless they
     *                 would break the above)
     * @param clientId the client id, unless the user set one
     */
    static Map<String, Object> config(Map<String, Object> base, String clientId) {
        Map<String, Object> config = new HashMap<>(base);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Forced, not defaults (the configuration loader refuses other values, naming them): a reset to
        // the log end would skip revocations; uncommitted reads would apply a transactional publisher's
        // aborted records; reading must never create the topic with a broker's default settings.
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.CHECK_CRCS_CONFIG, true);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        // Blocking calls give up quickly, so the loops keep measuring freshness while brokers are away.
        config.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        return config;
    }
}
