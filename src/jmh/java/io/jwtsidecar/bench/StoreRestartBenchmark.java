package io.jwtsidecar.bench;

import io.jwtsidecar.revocation.RocksDbRevocationStore;
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

/**
 * Opening the populated store after a clean close (the saved Bloom index is loaded, no scan)
 * and after an unclean one (the saved index is missing, so every rule is scanned). Shares the
 * store directory with {@link RevocationStoreBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class StoreRestartBenchmark {
    @Param("10000000")
    public int rules;

    private Path dir;

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

    @Benchmark
    public long openAfterCleanClose() {
        try (RocksDbRevocationStore store = RocksDbRevocationStore.open(dir, rules, 0.001)) {
            return store.stats().liveRules();
        }
    }

    /** As if the process had died: no saved index, so the open scans every rule. */
    @State(Scope.Benchmark)
    public static class AfterCrash {
        @Setup(Level.Iteration)
        public void dropSavedIndex(StoreRestartBenchmark outer) throws Exception {
            Files.deleteIfExists(outer.dir.resolve("revocation-index.bloom"));
        }
    }

    @Benchmark
    public long openAfterCrashScansEveryRule(AfterCrash crash) {
        try (RocksDbRevocationStore store = RocksDbRevocationStore.open(dir, rules, 0.001)) {
            return store.stats().liveRules();
        }
    }
}
