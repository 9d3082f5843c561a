// Fills the revocation topic with COUNT live revoke rules (jti scope, random jtis that no minted
// token carries, expiring in TTL_SECONDS), straight to the topic as an identity provider would
// publish them, unsigned (the load-test sidecars list no publisher keys). Waits for every ack.
//
//   java -cp target/jwt-sidecar-dev.jar load-tests/peer/PublishRules.java BOOTSTRAP TOPIC ISSUER COUNT TTL_SECONDS
//
// Record key and value as docs/EVENTS.md describes them. Uses kafka-clients from the shaded jar.

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class PublishRules {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        String issuer = args[2];
        int count = Integer.parseInt(args[3]);
        long ttl = Long.parseLong(args[4]);
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024, ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        long now = Instant.now().getEpochSecond();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                String jti = "revoked-" + UUID.randomUUID();
                String key = "jti\u001f" + issuer + "\u001f" + jti;
                String value = "{\"v\":1,\"eventId\":\"" + UUID.randomUUID() + "\",\"type\":\"revoke\",\"scope\":\"jti\","
                        + "\"issuer\":\"" + issuer + "\",\"value\":\"" + jti + "\",\"at\":" + now + ",\"expiresAt\":"
                        + (now + ttl) + ",\"reason\":\"footprint load test\",\"actor\":\"publish-rules\"}";
                producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
        System.out.println("published " + count + " rules");
    }
}
