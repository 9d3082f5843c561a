package io.jwtsidecar.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.revocation.IndexLoad;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import io.jwtsidecar.revocation.TokenFacts;
import io.jwtsidecar.testing.CheckpointingStoreWriter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash after a checkpoint: a child JVM ({@link CheckpointingStoreWriter}) writes rules,
 * lets its maintenance thread checkpoint the index, writes more (held only in memtables and the
 * write-ahead log) and is SIGKILLed. The reopened store must load the checkpoint, read the
 * rules written after it from the log, and find every rule through the index.
 */
class IndexCheckpointCrashIT {
    private static final int BEFORE = 20_000;
    private static final int AFTER = 5_000;

    @TempDir
    Path dir;

    @Test
    void every_rule_is_found_after_a_sigkill_that_followed_a_checkpoint() throws Exception {
        Path store = dir.resolve("store");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), CheckpointingStoreWriter.class.getName(),
                store.toString(), String.valueOf(BEFORE), String.valueOf(AFTER))
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("writer.log").toFile()))
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).as("the writer's report (its log: %s)", dir.resolve("writer.log")).isEqualTo("READY");
        } finally {
            child.destroyForcibly(); // SIGKILL: no close, no final checkpoint, memtables lost
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        try (RocksDbRevocationStore reopened = RocksDbRevocationStore.open(store, 100_000, 0.001)) {
            IndexLoad load = reopened.indexLoad();
            assertThat(load.fromCheckpoint()).as("the checkpoint was used: %s", load).isTrue();
            assertThat(load.tailKeys()).as("the rules after the checkpoint, from the log").isEqualTo(AFTER);
            assertThat(notRevoked(reopened, "before-", BEFORE)).isEmpty();
            assertThat(notRevoked(reopened, "after-", AFTER)).isEmpty();
        }
    }

    private static List<String> notRevoked(RocksDbRevocationStore store, String prefix, int n) {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TokenFacts token = new TokenFacts(CheckpointingStoreWriter.ISSUER, null, null, prefix + i, null, null, null,
                    CheckpointingStoreWriter.AT - 10);
            if (!store.isRevoked(token, 0)) {
                missing.add(prefix + i);
            }
        }
        return missing;
    }
}
