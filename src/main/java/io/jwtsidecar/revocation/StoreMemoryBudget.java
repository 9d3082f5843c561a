package io.jwtsidecar.revocation;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Filter;
import org.rocksdb.LRUCache;
import org.rocksdb.WriteBufferManager;

/**
 * The native memory RocksDB may take for the revocation store: one block cache shared by every
 * column family, with the memtables charged to it through a {@link WriteBufferManager}.
 *
 * <p><b>Why.</b> The store runs in a sidecar beside every pod, where resident memory is multiplied
 * by the fleet. RocksDB's defaults are sized for a database server: a 64 MiB memtable per column
 * family, up to two of them (five families: up to 640 MiB), and a block cache per table factory.
 * The values here are tiny (a rule is about a hundred bytes; 100,000 live rules are about 10 MiB
 * of data) and lookups rarely reach RocksDB at all (the in-heap {@link RevocationIndex} answers
 * the common, absent case), so small memtables and a small cache cost nothing measurable on the
 * request path: docs/BENCHMARKS.md, "Footprint: a sidecar in every pod", has the run.
 *
 * <p><b>Bound.</b> Data blocks and memtables count against {@link #cacheBytes()}; once memtables
 * of all families together pass {@link #memtableBytes()}, RocksDB flushes the largest. Index and
 * filter blocks are held by the table files, outside the bound: they grow with the store (about
 * 2 MB per million rules) and must never be evicted, or every lookup of a large store reads them
 * from disk. A memtable is
 * {@link #writeBufferBytes()} before it is switched for a new one.
 *
 * <p>This class owns the cache and the write buffer manager (one owner per native handle); the
 * store closes it after the database and the options that refer to it. Not thread-safe: built and
 * closed by the thread that opens and closes the store.
 */
public final class StoreMemoryBudget implements AutoCloseable {
    /** The shared block cache, memtables included: 8 MiB. */
    public static final long DEFAULT_CACHE_BYTES = 8L << 20;
    /** Memtables of all column families together, charged to the cache: 4 MiB. */
    public static final long DEFAULT_MEMTABLE_BYTES = 4L << 20;
    /** One memtable: 1 MiB, about 10,000 rules, so a flush writes a small file often rather than a large one rarely. */
    public static final long DEFAULT_WRITE_BUFFER_BYTES = 1L << 20;
    /** The active memtable and one being flushed. */
    static final int WRITE_BUFFERS = 2;

    private final long cacheBytes;
    private final long memtableBytes;
    private final long writeBufferBytes;
    private final Cache cache;
    private final WriteBufferManager writeBuffers;
    private boolean closed;

    /**
     * @throws IllegalArgumentException when a size is not positive or the memtables do not fit
     *                                  in the cache they are charged to
     */
    public StoreMemoryBudget(long cacheBytes, long memtableBytes, long writeBufferBytes) {
        if (cacheBytes <= 0 || memtableBytes <= 0 || writeBufferBytes <= 0) {
            throw new IllegalArgumentException("RocksDB memory sizes must be positive: cache " + cacheBytes
                    + ", memtables " + memtableBytes + ", write buffer " + writeBufferBytes);
        }
        if (memtableBytes > cacheBytes) {
            throw new IllegalArgumentException("RocksDB memtables (" + memtableBytes
                    + " bytes) are charged to the block cache and must fit in it (" + cacheBytes + " bytes)");
        }
        this.cacheBytes = cacheBytes;
        this.memtableBytes = memtableBytes;
        this.writeBufferBytes = writeBufferBytes;
        this.cache = new LRUCache(cacheBytes);
        this.writeBuffers = new WriteBufferManager(memtableBytes, cache);
    }

    /** The budget the sidecar runs with. */
    public static StoreMemoryBudget defaults() {
        return new StoreMemoryBudget(DEFAULT_CACHE_BYTES, DEFAULT_MEMTABLE_BYTES, DEFAULT_WRITE_BUFFER_BYTES);
    }

    /** Sets the database-wide pieces (the write buffer manager) on {@code options}, and returns it. */
    public DBOptions applyTo(DBOptions options) {
        return options.setWriteBufferManager(writeBuffers);
    }

    /**
     * Column family options that use the shared cache and small memtables, with {@code filter} as
     * the table's filter policy. The caller owns (and closes) the returned options and the filter.
     */
    public ColumnFamilyOptions columnFamilyOptions(Filter filter) {
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setFilterPolicy(filter)
                .setBlockCache(cache)
                // Index and filter blocks stay with their table files, outside the cache: they grow
                // with the store (about 2 MB per million rules), and in an 8 MiB cache a store of
                // millions of rules evicted them on every lookup, so a positive check (a revoked
                // token, on the event loop) read them from disk: 2.8 ms instead of 14 µs at ten
                // million rules, and applying events slowed a hundredfold (RevocationStoreBenchmark).
                .setCacheIndexAndFilterBlocks(false);
        return new ColumnFamilyOptions()
                .setTableFormatConfig(table)
                .setWriteBufferSize(writeBufferBytes)
                .setMaxWriteBufferNumber(WRITE_BUFFERS);
    }

    public long cacheBytes() {
        return cacheBytes;
    }

    public long memtableBytes() {
        return memtableBytes;
    }

    public long writeBufferBytes() {
        return writeBufferBytes;
    }

    /** Releases the write buffer manager, then the cache it charges; once. Call after the database and its options are closed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writeBuffers.close();
        cache.close();
    }
}
