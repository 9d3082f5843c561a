package io.jwtsidecar.testing;

import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationMaintenance;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.StoreBatch;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A process for crash tests: opens the store in {@code args[0]}, revokes {@code before-0 …}
 * ({@code args[1]} subjects), waits for the maintenance thread's checkpoint, revokes
 * {@code after-0 …} ({@code args[2]} subjects), prints {@code READY} and
 * waits to be killed. Never closes the store: the point is what a killed process leaves.
 */
public final class CheckpointingStoreWriter {
    public static final String ISSUER = "https://issuer.example";
    public static final long AT = 1_800_000_000L;
    private static final int BATCH = 500;

    private CheckpointingStoreWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int before = Integer.parseInt(args[1]);
        int after = Integer.parseInt(args[2]);
        RocksDbRevocationStore store = RocksDbRevocationStore.open(dir, 100_000, 0.001);
        long[] offset = {0};
        revoke(store, "before-", before, offset);
        // The first checkpoint is due at once; after it, none for an hour or 10^12 writes: the tail is exactly the after- rules.
        RevocationMaintenance maintenance = new RevocationMaintenance(store, Clock.systemUTC(), Duration.ofHours(1),
                Duration.ofHours(1), 1_000_000_000_000L);
        maintenance.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (store.writesSinceCheckpoint() != 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no checkpoint within 60 s");
            }
            Thread.sleep(10);
        }
        revoke(store, "after-", after, offset);
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Revokes {@code prefix}0 … {@code prefix}(n-1) for {@link #ISSUER}, in batches of 500. */
    public static void revoke(RocksDbRevocationStore store, String prefix, int n, long[] offset) {
        List<RevocationEvent> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < n; i++) {
            batch.add(new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                    new RuleKey(RevocationScope.SUB, ISSUER, prefix + i), AT, AT + 86_400, null, null));
            if (batch.size() == BATCH || i == n - 1) {
                offset[0] += batch.size();
                store.apply(StoreBatch.of("t", batch, Map.of(0, offset[0]), AT));
                batch.clear();
            }
        }
    }
}
