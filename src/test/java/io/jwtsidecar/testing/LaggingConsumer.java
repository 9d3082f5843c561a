package io.jwtsidecar.testing;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer that hands over each record the milliseconds {@link #LAG_KEY} says after it was written, as a
 * loaded consumer might: set through {@code kafka.consumer.interceptor.classes} to make one
 * sidecar's feed lag behind the others on a real broker. (A large {@code fetch.min.bytes} did
 * this once; the sidecar refuses any other value than 1 now.)
 */
public final class LaggingConsumer implements ConsumerInterceptor<byte[], byte[]> {
    /** The consumer setting that says how late, in milliseconds. */
    public static final String LAG_KEY = "jwt.test.lagMillis";

    private long lagMillis;

    @Override
    public void configure(Map<String, ?> configs) {
        Object lag = configs.get(LAG_KEY);
        lagMillis = lag == null ? 0 : Long.parseLong(lag.toString());
    }

    @Override
    public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
        long newest = Long.MIN_VALUE;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            newest = Math.max(newest, r.timestamp());
        }
        // Each record is handed over lagMillis after it was written, not lagMillis after the one before.
        long wait = records.isEmpty() ? 0 : newest + lagMillis - System.currentTimeMillis();
        if (wait > 0) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    @Override
    public void close() {
    }
}
