package io.jwtsidecar.bench;

import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import io.jwtsidecar.revocation.StoreBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The process {@link StoreRestartBenchmark} kills: opens the populated store, checkpoints its
 * index (as the maintenance thread does every 30 s), revokes {@code args[2]} new subjects named
 * {@code args[1]}0 … in batches of 10,000, prints {@code READY} and waits for its SIGKILL.
 */
public final class StoreCrashWriter {
    private static final int BATCH = 10_000;

    private StoreCrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String prefix = args[1];
        int tail = Integer.parseInt(args[2]);
        long designSize = Long.parseLong(args[3]);
        // Never closed: a close would leave a checkpoint with nothing to catch up.
        RocksDbRevocationStore store = RocksDbRevocationStore.open(dir, designSize, 0.001);
        store.checkpointIndex();
        List<RevocationEvent> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < tail; i++) {
            batch.add(RevocationStoreBenchmark.revoke(prefix + i));
            if (batch.size() == BATCH || i == tail - 1) {
                store.apply(StoreBatch.of("bench-tail", batch, Map.of(0, (long) i + 1), RevocationStoreBenchmark.AT));
                batch.clear();
            }
        }
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
