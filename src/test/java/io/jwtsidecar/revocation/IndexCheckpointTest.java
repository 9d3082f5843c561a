package io.jwtsidecar.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Index checkpoints and the write-ahead log tail after them: an open after a crash finds every
 * rule, whichever way it fills the index. A crash is simulated by a crash image: the store's
 * files copied while it is open and idle, as a killed process leaves them (memtables lost, the
 * write-ahead log on disk). {@code IndexCheckpointCrashIT} does the same with a real SIGKILL.
 */
class IndexCheckpointTest {
    private static final String ISS = "https://issuer.example";
    private static final long AT = 1_800_000_000L;

    @TempDir
    Path root;

    private Path dir;
    private RocksDbRevocationStore store;
    private final List<RocksDbRevocationStore> others = new ArrayList<>();
    private long offset;

    @BeforeEach
    void open() {
        dir = root.resolve("store");
        store = RocksDbRevocationStore.open(dir, 10_000, 0.001);
    }

    @AfterEach
    void close() {
        store.close();
        others.forEach(RocksDbRevocationStore::close);
    }

    private static RevocationEvent revoke(String subject) {
        return new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                new RuleKey(RevocationScope.SUB, ISS, subject), AT, AT + 3600, null, null);
    }

    /** Applies revokes of {@code prefix}0 … {@code prefix}(n-1), one batch each. */
    private static void revokeAll(RocksDbRevocationStore s, String prefix, int n, long[] offset) {
        for (int i = 0; i < n; i++) {
            offset[0]++;
            s.apply(StoreBatch.of("t", List.of(revoke(prefix + i)), Map.of(0, offset[0]), AT));
        }
    }

    private void revokeAll(String prefix, int n) {
        long[] o = {offset};
        revokeAll(store, prefix, n, o);
        offset = o[0];
    }

    private static boolean revoked(RocksDbRevocationStore s, String subject) {
        return s.isRevoked(new TokenFacts(ISS, null, null, subject, null, null, null, AT - 10), 0);
    }

    private static List<String> notRevoked(RocksDbRevocationStore s, String prefix, int n) {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!revoked(s, prefix + i)) {
                missing.add(prefix + i);
            }
        }
        return missing;
    }

    /** The store's files as a killed process leaves them; {@code from} must be open and idle. */
    private Path crashImage(Path from, String name) throws IOException {
        Path to = root.resolve(name);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!f.getFileName().toString().equals("LOCK")) {
                    Files.copy(f, target);
                }
            }
        }
        return to;
    }

    private RocksDbRevocationStore openImage(Path image, Duration walRetention) {
        RocksDbRevocationStore s = RocksDbRevocationStore.open(image, 10_000, 0.001,
                RocksDbRevocationStore.DEFAULT_DEAD_LETTER_BYTES, walRetention);
        others.add(s);
        return s;
    }

    @Test
    void rules_written_after_the_last_checkpoint_are_found_after_a_crash_from_the_write_ahead_log() throws Exception {
        revokeAll("before-", 20);
        long covered = store.checkpointIndex();
        revokeAll("after-", 30);

        RocksDbRevocationStore reopened = openImage(crashImage(dir, "crash"), RocksDbRevocationStore.DEFAULT_WAL_RETENTION);

        IndexLoad load = reopened.indexLoad();
        assertThat(load.fromCheckpoint()).as("loaded from the checkpoint: %s", load).isTrue();
        assertThat(load.checkpointSequence()).isEqualTo(covered);
        assertThat(load.tailKeys()).as("the rules written after the checkpoint, read from the log").isEqualTo(30);
        assertThat(notRevoked(reopened, "before-", 20)).isEmpty();
        assertThat(notRevoked(reopened, "after-", 30)).isEmpty();
    }

    @Test
    void a_clean_close_leaves_a_checkpoint_with_nothing_to_catch_up() {
        revokeAll("u", 10);
        store.close();

        store = RocksDbRevocationStore.open(dir, 10_000, 0.001);

        assertThat(store.indexLoad().fromCheckpoint()).isTrue();
        assertThat(store.indexLoad().tailKeys()).isZero();
        assertThat(notRevoked(store, "u", 10)).isEmpty();
    }

    @Test
    void when_the_write_ahead_log_was_deleted_the_open_scans_every_rule() throws Exception {
        revokeAll("before-", 20);
        store.checkpointIndex();
        revokeAll("after-", 30);

        // Without retention, recovery flushes the log's data to tables and deletes the log at once.
        RocksDbRevocationStore reopened = openImage(crashImage(dir, "crash"), Duration.ZERO);

        IndexLoad load = reopened.indexLoad();
        assertThat(load.fromCheckpoint()).as("scanned: %s", load).isFalse();
        assertThat(load.reason()).contains("write-ahead log");
        assertThat(notRevoked(reopened, "before-", 20)).isEmpty();
        assertThat(notRevoked(reopened, "after-", 30)).isEmpty();
    }

    @Test
    void when_the_write_ahead_log_resumes_after_a_deleted_stretch_the_open_scans_every_rule() throws Exception {
        revokeAll("before-", 20);
        store.checkpointIndex();
        revokeAll("lost-", 30);
        // Recovery without retention moves the lost- rules to tables and deletes their log; the checkpoint stays.
        Path first = crashImage(dir, "first-crash");
        RocksDbRevocationStore purged = openImage(first, Duration.ZERO);
        assertThat(purged.indexLoad().fromCheckpoint()).isFalse();
        long[] o = {50};
        revokeAll(purged, "later-", 10, o);

        // The log now holds the later- rules only: it starts after a stretch the checkpoint does not cover.
        RocksDbRevocationStore reopened = openImage(crashImage(first, "second-crash"),
                RocksDbRevocationStore.DEFAULT_WAL_RETENTION);

        assertThat(reopened.indexLoad().fromCheckpoint()).as("scanned: %s", reopened.indexLoad()).isFalse();
        assertThat(reopened.indexLoad().reason()).contains("jumps");
        assertThat(notRevoked(reopened, "lost-", 30)).isEmpty();
        assertThat(notRevoked(reopened, "later-", 10)).isEmpty();
    }

    @Test
    void a_checkpoint_newer_than_the_database_is_refused_and_never_taken_up_later() throws Exception {
        revokeAll("old-", 10);
        Path restored = crashImage(dir, "restored");
        revokeAll("newer-", 40);
        store.checkpointIndex();
        // An older copy of the data directory restored under the newer checkpoint.
        Files.copy(dir.resolve(IndexCheckpoint.FILE), restored.resolve(IndexCheckpoint.FILE));

        RocksDbRevocationStore older = openImage(restored, RocksDbRevocationStore.DEFAULT_WAL_RETENTION);

        assertThat(older.indexLoad().fromCheckpoint()).isFalse();
        assertThat(older.indexLoad().reason()).contains("newer than the database");
        assertThat(notRevoked(older, "old-", 10)).isEmpty();

        // The restored database writes its own history, past the refused checkpoint's sequence number, then dies.
        long[] o = {10};
        revokeAll(older, "own-", 80, o);
        RocksDbRevocationStore afterCrash = openImage(crashImage(restored, "restored-crash"),
                RocksDbRevocationStore.DEFAULT_WAL_RETENTION);

        assertThat(notRevoked(afterCrash, "own-", 80)).as("rules of the restored history").isEmpty();
    }

    @Test
    void a_truncated_checkpoint_is_refused() throws Exception {
        revokeAll("u", 20);
        store.close();
        Path file = dir.resolve(IndexCheckpoint.FILE);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));

        store = RocksDbRevocationStore.open(dir, 10_000, 0.001);

        assertThat(store.indexLoad().fromCheckpoint()).isFalse();
        assertThat(notRevoked(store, "u", 20)).isEmpty();
    }

    @Test
    void a_checkpoint_with_bits_lost_is_refused() throws Exception {
        revokeAll("u", 200);
        store.close();
        Path file = dir.resolve(IndexCheckpoint.FILE);
        byte[] bytes = Files.readAllBytes(file);
        // The second half of the bit array cleared, the length intact: only the checksum can tell.
        for (int i = bytes.length / 2; i < bytes.length - Long.BYTES; i++) {
            bytes[i] = 0;
        }
        Files.write(file, bytes);

        store = RocksDbRevocationStore.open(dir, 10_000, 0.001);

        assertThat(store.indexLoad().fromCheckpoint()).isFalse();
        assertThat(store.indexLoad().reason()).contains("checksum");
        assertThat(notRevoked(store, "u", 200)).isEmpty();
    }

    @Test
    void checkpoints_taken_while_events_are_applied_and_the_index_is_rebuilt_never_miss_a_rule() throws Exception {
        int n = 3_000;
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread rebuilder = new Thread(() -> {
            try {
                while (!done.get()) {
                    store.rebuildIndex();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Thread feed = new Thread(() -> {
            try {
                revokeAll("u", n);
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                done.set(true);
            }
        });
        rebuilder.start();
        feed.start();
        int checkpoints = 0;
        while (!done.get()) {
            store.checkpointIndex();
            checkpoints++;
        }
        feed.join();
        rebuilder.join();
        assertThat(failure.get()).isNull();
        assertThat(checkpoints).isGreaterThan(1);

        RocksDbRevocationStore reopened = openImage(crashImage(dir, "crash"), RocksDbRevocationStore.DEFAULT_WAL_RETENTION);

        assertThat(reopened.indexLoad().fromCheckpoint()).isTrue();
        assertThat(notRevoked(reopened, "u", n)).isEmpty();
    }
}
