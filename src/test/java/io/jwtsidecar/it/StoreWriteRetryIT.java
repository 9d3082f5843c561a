package io.jwtsidecar.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.feed.RevocationFeed;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.EventSignatureCheck;
import io.jwtsidecar.revocation.KeptDeadLetter;
import io.jwtsidecar.revocation.KeyState;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RevocationStore;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import io.jwtsidecar.revocation.Rule;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.RuleMerge;
import io.jwtsidecar.revocation.StoreBatch;
import io.jwtsidecar.revocation.StoreException;
import io.jwtsidecar.revocation.TokenFacts;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.RawTopic;
import io.jwtsidecar.testing.TestSidecars;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store write that fails is tried again a second later, from the store's offsets. The
 * consumer has its next fetch in flight by then, held by the broker up to 10 s on a quiet topic;
 * a seek alone would read the batch again only after that hold. The feed starts a new consumer
 * instead, so the retry is not held up.
 */
class StoreWriteRetryIT {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    Path dir;

    /** The real store, whose next {@code failures} writes fail as a full disk's would. */
    private static final class FailingWrites implements RevocationStore {
        private final RevocationStore store;
        private final AtomicInteger failures = new AtomicInteger();

        FailingWrites(RevocationStore store) {
            this.store = store;
        }

        @Override
        public List<RuleMerge.Effect> apply(StoreBatch batch) {
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new StoreException("test: the write fails", null);
            }
            return store.apply(batch);
        }

        @Override
        public Map<Integer, Long> nextOffsets(String topic) {
            return store.nextOffsets(topic);
        }

        @Override
        public boolean isRevoked(TokenFacts token, long clockSkewSeconds) {
            return store.isRevoked(token, clockSkewSeconds);
        }

        @Override
        public Optional<Rule> find(RuleKey key) {
            return store.find(key);
        }

        @Override
        public KeyState state(RuleKey key) {
            return store.state(key);
        }

        @Override
        public long deadLetterCount() {
            return store.deadLetterCount();
        }

        @Override
        public List<KeptDeadLetter> deadLetters(long afterId, int limit) {
            return store.deadLetters(afterId, limit);
        }

        @Override
        public long deadLetterDroppedBytes() {
            return store.deadLetterDroppedBytes();
        }

        @Override
        public void close() {
            store.close();
        }
    }

    @Test
    void a_batch_whose_write_failed_is_applied_a_second_later_not_after_the_fetch_hold() throws Exception {
        try (FailingWrites store = new FailingWrites(RocksDbRevocationStore.open(dir.resolve("store"), 1000, 0.001));
             RawTopic topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC);
             RevocationFeed feed = new RevocationFeed(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                     new RevocationFeed.Settings(TestSidecars.TOPIC, "retry", Duration.ofSeconds(10), Duration.ofSeconds(10)),
                     store, new EventCodec(), new EventSignatureCheck(List.of(), false), new SidecarMetrics(),
                     System::nanoTime, Clock.systemUTC())) {
            feed.start();
            feed.caughtUp().get(60, TimeUnit.SECONDS);
            long now = System.currentTimeMillis() / 1000;
            topic.write(topic.record(RawTopic.revoke(RevocationScope.SUB, "warm-up", now, now + 3600)));
            feed.whenApplied(0, 0).get(30, TimeUnit.SECONDS);

            store.failures.set(1);
            RecordMetadata written = topic.write(topic.record(RawTopic.revoke(RevocationScope.SUB, "alice", now, now + 3600)));
            long start = System.nanoTime();
            feed.whenApplied(written.partition(), written.offset()).get(30, TimeUnit.SECONDS);

            assertThat(store.failures.get()).as("the first write failed").isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("the one-second pause before the retry and a new consumer; a seek alone waited out the 10 s hold")
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(feed.storeFailingFor()).isZero();
        }
    }
}
