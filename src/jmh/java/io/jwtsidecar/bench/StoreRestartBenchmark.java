package io.jwtsidecar.bench;

import io.jwtsidecar.revocation.IndexLoad;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Opening the populated store, three ways, side by side: after a clean close (the saved index
 * covers everything), after a real crash (a separate JVM opened the store, checkpointed the
 * index, applied {@code tail} further rules and was SIGKILLed: the open replays RocksDB's
 * write-ahead log, loads the checkpoint and reads the rules after it from the log), and with no
 * saved index at all (every rule is scanned, the way every start after a crash used to go).
 * Each operation is the open alone, until the store answers; the close is outside it. Shares
 * the store directory with {@link RevocationStoreBenchmark}; each crash iteration adds
 * {@code tail} rules to it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class StoreRestartBenchmark {
    @Param("10000000")
    public int rules;

    /** Rules applied after the checkpoint, before the kill. */
    @Param("100000")
    public int tail;

    private Path dir;
    private RocksDbRevocationStore opened;

    @Setup(Level.Trial)
    public void populate() throws Exception {
        dir = Path.of("target", "bench-store-" + rules);
        Path done = dir.resolve("POPULATED");
        if (!Files.exists(done)) {
            try (RocksDbRevocationStore store = RocksDbRevocationStore.open(dir, rules, 0.001)) {
                RevocationStoreBenchmark.populate(store, rules);
            }
            Files.writeString(done, "ok");
        }
        // Leave a clean close behind, with its saved index.
        RocksDbRevocationStore.open(dir, rules, 0.001).close();
    }

    /** Closes what the operation opened, outside the measurement; the close saves the index again. */
    @TearDown(Level.Iteration)
    public void closeOpened() {
        if (opened != null) {
            opened.close();
            opened = null;
        }
    }

    private long open(boolean expectCheckpoint) {
        opened = RocksDbRevocationStore.open(dir, rules, 0.001);
        IndexLoad load = opened.indexLoad();
        if (load.fromCheckpoint() != expectCheckpoint) {
            throw new IllegalStateException("the open took the wrong path: " + load);
        }
        return load.tailKeys();
    }

    @Benchmark
    public long openAfterCleanClose() {
        return open(true);
    }

    /** A separate JVM opens the store, checkpoints, applies the tail and is killed with SIGKILL. */
    @State(Scope.Benchmark)
    public static class AfterKill {
        private int run;

        @Setup(Level.Iteration)
        public void killWriter(StoreRestartBenchmark outer) throws Exception {
            String prefix = "tail-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + "-" + run++ + "-";
            Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), StoreCrashWriter.class.getName(),
                    outer.dir.toString(), prefix, String.valueOf(outer.tail), String.valueOf(outer.rules))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                String line = out.readLine();
                if (!"READY".equals(line)) {
                    throw new IllegalStateException("the writer did not get ready: " + line);
                }
            } finally {
                writer.destroyForcibly(); // SIGKILL: the tail is only in the write-ahead log
                writer.waitFor();
            }
        }
    }

    @Benchmark
    public long openAfterKillReplaysTheLogTail(AfterKill kill) {
        long added = open(true);
        if (added != tail) {
            throw new IllegalStateException("the log tail added " + added + " keys, not " + tail);
        }
        return added;
    }

    /** No saved index: the open scans every rule. */
    @State(Scope.Benchmark)
    public static class NoCheckpoint {
        @Setup(Level.Iteration)
        public void dropSavedIndex(StoreRestartBenchmark outer) throws Exception {
            Files.deleteIfExists(outer.dir.resolve("revocation-index.bloom"));
        }
    }

    @Benchmark
    public long openWithoutCheckpointScansEveryRule(NoCheckpoint none) {
        return open(false);
    }
}
