package io.jwtsidecar.testing;

import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.EventSigner;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RuleKey;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes records straight to the revocation topic, as anyone with write access to it could:
 * events as a publisher encodes them (signed or not), and any bytes at all. No admin API, no
 * credential, no audit line.
 */
public final class RawTopic implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String bootstrapServers;
    private final String topic;
    private final EventCodec codec = new EventCodec();

    public RawTopic(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, Map.of());
    }

    /** With more producer settings, e.g. {@code compression.type}. */
    public RawTopic(String bootstrapServers, String topic, Map<String, Object> producerSettings) {
        Map<String, Object> settings = new java.util.HashMap<>(Map.of("bootstrap.servers", bootstrapServers, "acks", "all",
                "max.request.size", String.valueOf(2 << 20)));
        settings.putAll(producerSettings);
        this.producer = new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer());
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
    }

    /** A revoke of the test issuer's rule, with its own event id. */
    public static RevocationEvent revoke(RevocationScope scope, String value, long at, long expiresAt) {
        return new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                new RuleKey(scope, TestSidecars.ISSUER, value), at, expiresAt, "test", "raw-writer");
    }

    /** A restore of the test issuer's rule, with its own event id. */
    public static RevocationEvent restore(RevocationScope scope, String value, long at, long expiresAt) {
        return new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.RESTORE,
                new RuleKey(scope, TestSidecars.ISSUER, value), at, expiresAt, "test", "raw-writer");
    }

    /** The record a publisher would write for {@code event}, unsigned. */
    public ProducerRecord<byte[], byte[]> record(RevocationEvent event) {
        return new ProducerRecord<>(topic, event.key().toBytes(), codec.encode(event));
    }

    /** The record a publisher holding {@code key} would write for {@code event}. */
    public ProducerRecord<byte[], byte[]> signed(RevocationEvent event, EventSigner key, long nowSeconds) {
        ProducerRecord<byte[], byte[]> r = record(event);
        r.headers().add(EventSigner.HEADER, key.sign(topic, r.key(), r.value(), nowSeconds));
        return r;
    }

    /** Writes a record and waits for the acknowledgement. */
    public RecordMetadata write(ProducerRecord<byte[], byte[]> record) throws Exception {
        return producer.send(record).get();
    }

    /** Writes arbitrary bytes under arbitrary key bytes. */
    public RecordMetadata write(byte[] key, byte[] value) throws Exception {
        return write(new ProducerRecord<>(topic, key, value));
    }

    /** Reads the record at {@code offset} of {@code partition} back, headers included (to capture and replay it). */
    public ConsumerRecord<byte[], byte[]> read(int partition, long offset) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers,
                "enable.auto.commit", "false"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, partition);
            c.assign(List.of(tp));
            c.seek(tp, offset);
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(java.time.Duration.ofMillis(200))) {
                    if (r.offset() == offset) {
                        return r;
                    }
                }
            }
            throw new AssertionError("no record at " + topic + "-" + partition + "@" + offset);
        }
    }

    /** Every record of the topic whose key is {@code key}, in partition order, read from the start. */
    public List<ConsumerRecord<byte[], byte[]>> recordsOf(RuleKey key) {
        List<ConsumerRecord<byte[], byte[]>> found = new java.util.ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers,
                "enable.auto.commit", "false"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = c.endOffsets(partitions);
            byte[] wanted = key.toBytes();
            while (partitions.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(java.time.Duration.ofMillis(200))) {
                    if (java.util.Arrays.equals(r.key(), wanted)) {
                        found.add(r);
                    }
                }
            }
        }
        return found;
    }

    /** How many records were ever written to the topic: the sum of its partitions' end offsets. */
    public long recordCount() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers,
                "enable.auto.commit", "false"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return c.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Writes a record exactly as read (key, value, headers), as an attacker replaying it would. */
    public RecordMetadata replay(ConsumerRecord<byte[], byte[]> captured) throws Exception {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, captured.key(), captured.value());
        captured.headers().forEach(h -> r.headers().add(h.key(), h.value()));
        return write(r);
    }

    public EventCodec codec() {
        return codec;
    }

    @Override
    public void close() {
        producer.close();
    }
}
