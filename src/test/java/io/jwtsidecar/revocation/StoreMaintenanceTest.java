package io.jwtsidecar.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.testing.LogCapture;
import io.jwtsidecar.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expiry sweeps, Bloom rebuilds while events arrive, growth and the saved index. */
class StoreMaintenanceTest {
    private static final String ISS = "https://issuer.example";
    private static final String TOPIC = "t";
    private static final long NOW = 1_800_000_000L;

    @TempDir
    Path dir;

    private RocksDbRevocationStore store;
    private long offset;

    @BeforeEach
    void open() {
        store = RocksDbRevocationStore.open(dir, 1_000, 0.01);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private RevocationEvent revoke(String subject, long at, long expiresAt) {
        return new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                new RuleKey(RevocationScope.SUB, ISS, subject), at, expiresAt, null, null);
    }

    private void apply(RevocationEvent... events) {
        offset += events.length;
        // Each as it arrived at its own time: these tests need rules that have expired since.
        long first = offset - events.length;
        for (int i = 0; i < events.length; i++) {
            store.apply(StoreBatch.of(TOPIC, List.of(events[i]), Map.of(0, first + i + 1), events[i].at()));
        }
    }

    private boolean revoked(String subject) {
        return store.isRevoked(new TokenFacts(ISS, null, null, subject, null, null, null, null), 0);
    }

    @Test
    void the_sweep_deletes_expired_rules_and_keeps_live_ones() {
        apply(revoke("old", NOW - 7200, NOW - 3600), revoke("live", NOW - 60, NOW + 3600));

        assertThat(store.sweepExpired(NOW)).isEqualTo(1);

        assertThat(store.find(new RuleKey(RevocationScope.SUB, ISS, "old"))).isEmpty();
        assertThat(revoked("live")).isTrue();
        assertThat(store.sweepExpired(NOW)).as("nothing left to sweep").isZero();
    }

    @Test
    void a_rule_renewed_after_it_expired_survives_the_sweep() {
        apply(revoke("alice", NOW - 7200, NOW - 3600));
        apply(revoke("alice", NOW - 10, NOW + 3600));

        assertThat(store.sweepExpired(NOW)).isZero();
        assertThat(revoked("alice")).isTrue();
    }

    @Test
    void the_bloom_filter_never_gives_a_false_negative_across_rebuilds_with_concurrent_applies() throws Exception {
        List<String> applied = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread feed = new Thread(() -> {
            try {
                for (int i = 0; !stop.get(); i++) {
                    String subject = "user-" + i;
                    apply(revoke(subject, NOW, NOW + 3600));
                    applied.add(subject);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Thread checker = new Thread(() -> {
            try {
                while (!stop.get()) {
                    int n = applied.size();
                    for (int i = 0; i < n; i++) {
                        if (!revoked(applied.get(i))) {
                            throw new AssertionError("false negative for " + applied.get(i));
                        }
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        feed.start();
        checker.start();
        int rebuilds = 0;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while ((rebuilds < 20 || applied.size() < 2_000) && failure.get() == null && System.nanoTime() < deadline) {
            store.rebuildIndex();
            rebuilds++;
        }
        stop.set(true);
        feed.join();
        checker.join();

        assertThat(failure.get()).isNull();
        assertThat(applied).hasSizeGreaterThanOrEqualTo(2_000);
        assertThat(rebuilds).isGreaterThanOrEqualTo(20);
        for (String subject : applied) {
            assertThat(revoked(subject)).as(subject).isTrue();
        }
    }

    @Test
    void an_index_the_rules_outgrew_is_loaded_at_open_and_grown_by_the_maintenance_at_once() throws Exception {
        List<RevocationEvent> events = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            events.add(revoke("u" + i, NOW, NOW + 3600));
        }
        apply(events.toArray(RevocationEvent[]::new));
        store.close();
        store = RocksDbRevocationStore.open(dir, 1_000, 0.01);

        assertThat(store.indexLoad().fromCheckpoint()).as("an overfull filter still has every key").isTrue();
        assertThat(revoked("u0")).isTrue();
        assertThat(store.indexOutgrown()).isTrue();
        // A sweep interval of an hour: only the pass at start can grow it within the test.
        try (RevocationMaintenance m = new RevocationMaintenance(store, Clock.systemUTC(), Duration.ofHours(1))) {
            m.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (store.stats().indexDesignSize() < 3_000 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        assertThat(store.stats().indexDesignSize()).as("sized for what it found at start").isGreaterThanOrEqualTo(3_000);
    }

    @Test
    void the_index_grows_by_rebuild_when_the_live_rules_pass_its_design_size() {
        List<RevocationEvent> events = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            events.add(revoke("u" + i, NOW, NOW + 3600));
        }
        apply(events.toArray(RevocationEvent[]::new));
        store.rebuildIndex();

        assertThat(store.stats().indexDesignSize()).as("sized for what it found").isGreaterThanOrEqualTo(3_000);

        for (int i = 3_000; i < 10_000; i++) {
            apply(revoke("u" + i, NOW, NOW + 3600));
        }
        store.rebuildIndex();

        assertThat(store.stats().indexDesignSize()).isGreaterThanOrEqualTo(10_000);
        assertThat(store.stats().indexFalsePositiveRate()).isLessThan(0.02);
        assertThat(revoked("u0")).isTrue();
        assertThat(revoked("u9999")).isTrue();
    }

    @Test
    void a_clean_close_saves_the_index_and_the_next_open_uses_it() throws Exception {
        apply(revoke("alice", NOW, NOW + 3600));
        store.close();
        assertThat(Files.exists(dir.resolve("revocation-index.bloom"))).isTrue();

        store = RocksDbRevocationStore.open(dir, 1_000, 0.01);

        assertThat(revoked("alice")).isTrue();
    }

    @Test
    void a_saved_index_that_does_not_match_the_database_is_ignored() throws Exception {
        apply(revoke("alice", NOW, NOW + 3600));
        store.close();
        // An index saved from another state of the database (here: an empty one) must not be trusted.
        Path other = dir.resolveSibling(dir.getFileName() + "-other");
        RocksDbRevocationStore empty = RocksDbRevocationStore.open(other, 1_000, 0.01);
        empty.close();
        Files.copy(other.resolve("revocation-index.bloom"), dir.resolve("revocation-index.bloom"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        store = RocksDbRevocationStore.open(dir, 1_000, 0.01);

        assertThat(revoked("alice")).as("the index was rebuilt from the rules").isTrue();
    }

    @Test
    void an_index_saved_in_an_earlier_format_is_ignored_and_rebuilt() throws Exception {
        apply(revoke("alice", NOW, NOW + 3600));
        store.close();
        String identity = Files.readString(dir.resolve("IDENTITY"), StandardCharsets.UTF_8).trim();
        IndexCheckpoint.Loaded saved = new IndexCheckpoint(dir, RocksDbRevocationStore.SNAPSHOT_MAGIC)
                .read(Long.MAX_VALUE, identity);
        assertThat(saved).isInstanceOf(IndexCheckpoint.Found.class);
        long sequence = ((IndexCheckpoint.Found) saved).sequence();
        // A checkpoint that matches the database but holds an index without alice: the magic alone decides.
        new IndexCheckpoint(dir, RocksDbRevocationStore.SNAPSHOT_MAGIC)
                .write(new RevocationIndex(1_000, 0.01), sequence, identity);
        store = RocksDbRevocationStore.open(dir, 1_000, 0.01);
        assertThat(revoked("alice")).as("control: a current checkpoint is trusted as it is").isFalse();
        store.close();

        new IndexCheckpoint(dir, PREVIOUS_SNAPSHOT_MAGIC).write(new RevocationIndex(1_000, 0.01), sequence, identity);
        store = RocksDbRevocationStore.open(dir, 1_000, 0.01);

        assertThat(RocksDbRevocationStore.SNAPSHOT_MAGIC).isNotEqualTo(PREVIOUS_SNAPSHOT_MAGIC);
        assertThat(revoked("alice")).as("the earlier format was ignored and the index rebuilt").isTrue();
    }

    /** The filter version of the index saved by releases whose filter was Guava's. */
    private static final long PREVIOUS_SNAPSHOT_MAGIC = 0x4a57_5342_4c4f_4f03L;

    @Test
    void maintenance_checkpoints_when_the_interval_passed_or_enough_was_written_and_only_when_the_store_moved() {
        MutableClock clock = new MutableClock(Instant.ofEpochSecond(NOW));
        try (RevocationMaintenance m = new RevocationMaintenance(store, clock, Duration.ofHours(1),
                Duration.ofSeconds(30), 100)) {
            assertThat(store.writesSinceCheckpoint()).as("a new store has no checkpoint").isEqualTo(Long.MAX_VALUE);
            assertThat(m.checkpointIfDue()).as("the first is written at once").isTrue();
            assertThat(store.writesSinceCheckpoint()).isZero();

            apply(revoke("alice", NOW, NOW + 3600));
            assertThat(m.checkpointIfDue()).as("moved a little, interval not passed").isFalse();
            clock.advance(Duration.ofSeconds(31));
            assertThat(m.checkpointIfDue()).as("the interval passed").isTrue();
            assertThat(store.writesSinceCheckpoint()).isZero();

            for (int i = 0; i < 60; i++) {
                apply(revoke("u" + i, NOW, NOW + 3600));
            }
            assertThat(m.checkpointIfDue()).as("100 sequence numbers written: at once").isTrue();

            clock.advance(Duration.ofMinutes(5));
            assertThat(m.checkpointIfDue()).as("nothing written since").isFalse();
        }
    }

    @Test
    void a_failing_checkpoint_is_tried_again_an_interval_later_not_every_second() {
        MutableClock clock = new MutableClock(Instant.ofEpochSecond(NOW));
        try (RevocationMaintenance m = new RevocationMaintenance(store, clock, Duration.ofHours(1),
                Duration.ofSeconds(30), 100);
             LogCapture warnings = LogCapture.warn(RevocationMaintenance.class.getName())) {
            store.close(); // from here on every attempt fails
            m.checkpointQuietly();
            clock.advance(Duration.ofSeconds(1));
            m.checkpointQuietly();
            clock.advance(Duration.ofSeconds(10));
            m.checkpointQuietly();
            assertThat(warnings.messages()).as("one attempt within the interval after a failure").hasSize(1);

            clock.advance(Duration.ofSeconds(20));
            m.checkpointQuietly();
            assertThat(warnings.messages()).as("tried again once the interval passed").hasSize(2);
        }
    }

    @Test
    void a_rebuild_by_the_maintenance_is_checkpointed() {
        apply(revoke("old", NOW - 7200, NOW - 3600), revoke("live", NOW, NOW + 3600));
        MutableClock clock = new MutableClock(Instant.ofEpochSecond(NOW));
        try (RevocationMaintenance m = new RevocationMaintenance(store, clock, Duration.ofHours(1))) {
            m.runOnce();
        }
        assertThat(store.writesSinceCheckpoint()).isZero();
    }

    @Test
    void maintenance_sweeps_and_rebuilds_in_one_pass() {
        apply(revoke("old", NOW - 7200, NOW - 3600), revoke("live", NOW, NOW + 3600));
        io.jwtsidecar.testing.MutableClock clock = new io.jwtsidecar.testing.MutableClock(java.time.Instant.ofEpochSecond(NOW));
        try (RevocationMaintenance m = new RevocationMaintenance(store, clock, java.time.Duration.ofHours(1))) {
            assertThat(m.runOnce()).isEqualTo(1);
        }
        assertThat(revoked("live")).isTrue();
        assertThat(revoked("old")).isFalse();
    }

    @Test
    void scopes_nobody_revoked_by_are_skipped_and_a_new_scope_is_seen_at_once_and_after_restart() {
        apply(revoke("alice", NOW, NOW + 3600));
        TokenFacts jtiOnly = new TokenFacts(ISS, "jti-1", null, "bob", null, null, null, NOW - 10);
        assertThat(store.isRevoked(jtiOnly, 0)).isFalse();

        apply(new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                new RuleKey(RevocationScope.JTI, ISS, "jti-1"), NOW, NOW + 3600, null, null));
        assertThat(store.isRevoked(jtiOnly, 0)).as("the first rule of a scope is found at once").isTrue();

        store.rebuildIndex();
        assertThat(store.isRevoked(jtiOnly, 0)).as("after a rebuild").isTrue();
        store.close();
        store = RocksDbRevocationStore.open(dir, 1_000, 0.01);
        assertThat(store.isRevoked(jtiOnly, 0)).as("after a restart with the saved index").isTrue();
    }
}
