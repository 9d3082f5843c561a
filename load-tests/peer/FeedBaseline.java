// Kafka's own produce→consume latency on the revocation topic, for load-tests/peer/propagation-probe.py.
//
//   java -cp target/jwt-sidecar.jar load-tests/peer/FeedBaseline.java BOOTSTRAP TOPIC CONSUMERS
//
// Runs CONSUMERS plain Kafka consumers, each with the settings of a sidecar's revocation feed
// (every partition assigned, no group, read_committed, max.poll.records 5000, poll 100 ms; see
// io.jwtsidecar.feed.AssignedConsumers and RevocationFeed), starting at the log end. For every
// record it prints "consumer value-of-the-key nanoTime" on stdout the moment poll returns it, on
// the CLOCK_MONOTONIC clock that Python's time.monotonic_ns() also reads, so the probe sets it
// against its own send times. Prints "ready" once every consumer has its position.
//
// The consumers read the very records the sidecars read (same topic, partitions and offsets), so
// the baseline is the record's own path through the broker, not a look-alike on another topic.

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class FeedBaseline {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        int consumers = Integer.parseInt(args[2]);
        CountDownLatch ready = new CountDownLatch(consumers);
        Object out = new Object();
        for (int i = 0; i < consumers; i++) {
            int id = i;
            Thread t = new Thread(() -> consume(bootstrap, topic, id, ready, out), "baseline-" + i);
            t.setDaemon(true);
            t.start();
        }
        ready.await();
        synchronized (out) {
            System.out.println("ready");
            System.out.flush();
        }
        // Runs until the probe closes our stdin (or kills us).
        while (System.in.read() >= 0) {
            // nothing to read; the probe never writes
        }
    }

    static void consume(String bootstrap, String topic, int id, CountDownLatch ready, Object out) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "feed-baseline-" + id);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.CHECK_CRCS_CONFIG, true);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : c.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            c.assign(partitions);
            c.seekToEnd(partitions);
            partitions.forEach(c::position);
            ready.countDown();
            while (true) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
                long now = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    String key = r.key() == null ? "" : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                    String value = key.substring(key.lastIndexOf('\u001f') + 1);
                    synchronized (out) {
                        System.out.println(id + " " + value + " " + now);
                        System.out.flush();
                    }
                }
            }
        }
    }
}
