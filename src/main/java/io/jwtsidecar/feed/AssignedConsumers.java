package io.jwtsidecar.feed;

import io.jwtsidecar.config.KafkaSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Settings shared by the sidecar's consumers. They all assign themselves every partition of a
 * topic instead of joining a group (every sidecar must see everything), keep their position
 * elsewhere than in Kafka, read from the beginning, see committed records only, and must not
 * create topics by reading them.
 */
final class AssignedConsumers {
    /**
     * How long closing a consumer waits for its fetch sessions to be closed on the brokers. A broker
     * answers the closing request only after the fetch it holds for the same connection, so waiting
     * would hold a stop (or a new consumer) up to the fetch hold; the broker drops an unused session
     * itself.
     */
    private static final CloseOptions CLOSE = CloseOptions.timeout(Duration.ZERO);

    private AssignedConsumers() {
    }

    /** Closes a consumer without waiting for the fetch a broker holds (see {@link #CLOSE}). */
    static void close(Consumer<?, ?> consumer) {
        consumer.close(CLOSE);
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
        // fetch.min.bytes 1 makes a broker answer a held fetch as soon as one record is there, so the hold
        // costs a revocation nothing; forced (the loader refuses another value): a larger one would make a
        // lone revocation wait up to the hold.
        config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        // The hold is then what a quiet topic costs the brokers: one fetch per leader broker per hold, from
        // every sidecar. 10 s instead of Kafka's 0.5 s cuts that twentyfold (docs/SCALE.md, "Ways down",
        // step 1). What waits for a held fetch: a partition assigned or a position sought while one is in
        // flight to its broker; the feed starts a new consumer for those (RevocationFeed) rather than wait.
        config.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, KafkaSettings.SIDECAR_FETCH_MAX_WAIT_MILLIS);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        // Blocking calls give up quickly, so the loops keep measuring freshness while brokers are away.
        config.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        return config;
    }
}
