package io.jwtsidecar.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.ConfigOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Filter;
import org.rocksdb.OptionsUtil;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/** RocksDB's native memory is bounded by the store's budget, not by RocksDB's server-sized defaults. */
class StoreMemoryBudgetTest {
    static {
        RocksDB.loadLibrary();
    }

    @TempDir
    Path dir;

    @Test
    void theStoreOpensEveryColumnFamilyWithTheBudgetsSmallMemtablesAndCachedIndexBlocks() throws RocksDBException {
        try (RocksDbRevocationStore store = RocksDbRevocationStore.open(dir, 10_000, 0.001)) {
            List<RevocationEvent> events = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                events.add(new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                        new RuleKey(RevocationScope.JTI, "https://issuer.example", "jti-" + i), 1_800_000_000L,
                        1_800_003_600L, "logout", "test"));
            }
            store.apply(StoreBatch.of("jwt-revocations", events, Map.of(0, 100L), 1_800_000_000L));
        }
        // RocksDB writes the options it ran with to the OPTIONS file of the database.
        List<ColumnFamilyDescriptor> families = new ArrayList<>();
        try (ConfigOptions config = new ConfigOptions(); DBOptions loaded = new DBOptions()) {
            OptionsUtil.loadLatestOptions(config, dir.toString(), loaded, families);
            try {
                assertThat(families).hasSize(5);
                for (ColumnFamilyDescriptor family : families) {
                    ColumnFamilyOptions options = family.getOptions();
                    String name = new String(family.getName(), StandardCharsets.UTF_8);
                    assertThat(options.writeBufferSize()).as("write_buffer_size of %s", name)
                            .isEqualTo(StoreMemoryBudget.DEFAULT_WRITE_BUFFER_BYTES);
                    assertThat(options.maxWriteBufferNumber()).as("max_write_buffer_number of %s", name)
                            .isEqualTo(StoreMemoryBudget.WRITE_BUFFERS);
                    assertThat(options.tableFormatConfig()).isInstanceOfSatisfying(BlockBasedTableConfig.class,
                            // In the small cache they were evicted on every lookup of a large store.
                            table -> assertThat(table.cacheIndexAndFilterBlocks())
                                    .as("cache_index_and_filter_blocks of %s", name).isFalse());
                }
            } finally {
                families.forEach(f -> f.getOptions().close());
            }
        }
    }

    @Test
    void oneSharedCacheOfTheBudgetsSizeHoldsTheMemtablesOfEveryColumnFamily() throws RocksDBException {
        long cache = 2L << 20;
        try (StoreMemoryBudget budget = new StoreMemoryBudget(cache, 1L << 20, 256L << 10);
             Filter filter = new BloomFilter(10);
             DBOptions db = budget.applyTo(new DBOptions()).setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
             ColumnFamilyOptions cf = budget.columnFamilyOptions(filter);
             WriteOptions write = new WriteOptions()) {
            List<ColumnFamilyDescriptor> descriptors = List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cf),
                    new ColumnFamilyDescriptor("second".getBytes(StandardCharsets.UTF_8), cf));
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            try (RocksDB rocks = RocksDB.open(db, dir.toString(), descriptors, handles)) {
                try {
                    byte[] value = new byte[100];
                    for (int i = 0; i < 2_000; i++) {
                        rocks.put(handles.get(i % 2), write, ("key-" + i).getBytes(StandardCharsets.UTF_8), value);
                    }
                    for (ColumnFamilyHandle handle : handles) {
                        assertThat(rocks.getLongProperty(handle, "rocksdb.block-cache-capacity")).isEqualTo(cache);
                    }
                    // The write buffer manager reserves memtable memory in the cache (RocksDB's
                    // default cache would be 32 MiB and empty: nothing was read).
                    assertThat(rocks.getLongProperty("rocksdb.block-cache-usage")).isPositive();
                    assertThat(rocks.getLongProperty("rocksdb.cur-size-all-mem-tables")).isPositive()
                            .isLessThanOrEqualTo(rocks.getLongProperty("rocksdb.block-cache-usage"));
                } finally {
                    handles.forEach(ColumnFamilyHandle::close);
                }
            }
        }
    }

    @Test
    void memtablesMustFitInTheCacheTheyAreChargedTo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new StoreMemoryBudget(1L << 20, 2L << 20, 1L << 20));
        assertThat(e).hasMessageContaining("must fit");
        assertThrows(IllegalArgumentException.class, () -> new StoreMemoryBudget(0, 0, 1));
    }
}
