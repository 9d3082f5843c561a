package io.jwtsidecar.revocation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Filter;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RevocationStore} on RocksDB, with a {@link RevocationIndex} in front.
 *
 * <p>Column families: {@code rules} (rule key → the live rule and its provenance, see
 * {@link StoredValues}), {@code restores} (rule key → the restore mark), {@code offsets}
 * ({@code topic/partition} → next offset), {@code dead_letters} (sequence number → a bounded
 * record of the pill, see {@link DeadLetterBudget}). A feed batch is one {@link WriteBatch} across
 * all of them, so after a crash the stored offsets always describe exactly the state stored:
 * nothing is lost and nothing is applied twice. Events merge into the stored state by
 * {@link RuleMerge}: a rule only weakens through a restore.
 *
 * <p><b>Bloom index lifecycle.</b> At open the index is read from its newest checkpoint
 * ({@link IndexCheckpoint}: written by {@link #checkpointIndex()} while the store runs and at a
 * clean close, with the sequence number it covers) and caught up with the rule keys the
 * write-ahead log holds after that number ({@link WalTail}); the log is kept for
 * {@code walRetention} after its memtables are flushed so that it reaches back to the last
 * checkpoint. Without a usable checkpoint or a complete tail, the index is rebuilt by scanning
 * the live rules. {@link #rebuildIndex()} builds a fresh
 * index from a RocksDB snapshot on the calling thread while the feed keeps applying: from the
 * moment the snapshot is taken, every applied key also goes into the new index, so the new
 * index holds every live rule when it is swapped in, and the old one stays in use until then.
 *
 * <p><b>Threads.</b> {@link #apply} (the feed thread), {@link #sweepExpired} and the start and
 * swap of a rebuild (the maintenance thread) take one write lock; lookups take none.
 *
 * <p>This class is the only owner of its native handles; {@link #close()} releases them once,
 * in reverse order of creation.
 */
public final class RocksDbRevocationStore implements RevocationStore {
    private static final byte[] RULES = "rules".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OFFSETS = "offsets".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DEAD_LETTERS = "dead_letters".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RESTORES = "restores".getBytes(StandardCharsets.UTF_8);
    /** The dead-letter budget of {@link #open(Path, long, double)}. */
    public static final long DEFAULT_DEAD_LETTER_BYTES = 16L << 20;
    private static final Logger log = LoggerFactory.getLogger(RocksDbRevocationStore.class);
    /**
     * How long RocksDB keeps write-ahead log files after their data is flushed, so an open can
     * catch a checkpoint up from the log instead of scanning: twenty of the maintenance's default
     * checkpoint intervals. RocksDB checks for expired files every half of it, so the log on disk
     * is at most what was written in the last 1.5 retention periods beside the live log.
     */
    public static final Duration DEFAULT_WAL_RETENTION = Duration.ofMinutes(10);
    /** Changes whenever the filter's hashing changes, so an index saved by another version is rebuilt. */
    static final long SNAPSHOT_MAGIC = 0x4a57_5342_4c4f_4f04L;
    private static final int SWEEP_CHUNK = 10_000;

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final WriteOptions writeOptions;
    private final List<ColumnFamilyHandle> handles;
    private final RocksDB db;
    private final ColumnFamilyHandle rules;
    private final ColumnFamilyHandle offsets;
    private final ColumnFamilyHandle deadLetters;
    private final ColumnFamilyHandle restores;
    private final Filter tableFilter;
    private final StoreMemoryBudget memory;
    private final long designSize;
    private final double falsePositiveRate;
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile RevocationIndex index;
    /** The index being rebuilt, if any: applies add to it as well. Guarded by writeLock for writes. */
    private volatile @Nullable RevocationIndex rebuilding;
    private final DeadLetterBudget deadLetterBudget;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final IndexCheckpoint checkpoint;
    /** One checkpoint write at a time (the maintenance thread's and the close's). Taken before writeLock. */
    private final ReentrantLock checkpointLock = new ReentrantLock();
    /** The sequence number the newest checkpoint covers; -1 when the index on disk covers nothing. */
    private volatile long checkpointSequence = -1;
    private volatile IndexLoad indexLoad;

    // open() fills the index (loadIndex) before it hands the store out.
    @SuppressWarnings("NullAway.Init")
    private RocksDbRevocationStore(Path directory, StoreMemoryBudget memory, DBOptions dbOptions,
                                   ColumnFamilyOptions cfOptions, Filter tableFilter, List<ColumnFamilyHandle> handles,
                                   RocksDB db, long designSize, double falsePositiveRate, long deadLetterBytes) {
        this.directory = directory;
        this.memory = memory;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.tableFilter = tableFilter;
        this.writeOptions = new WriteOptions();
        this.handles = handles;
        this.db = db;
        this.rules = handles.get(1);
        this.offsets = handles.get(2);
        this.deadLetters = handles.get(3);
        this.restores = handles.get(4);
        this.deadLetterBudget = new DeadLetterBudget(deadLetterBytes);
        this.designSize = designSize;
        this.falsePositiveRate = falsePositiveRate;
        this.checkpoint = new IndexCheckpoint(directory, SNAPSHOT_MAGIC);
    }

    /**
     * Opens (or creates) the store in {@code directory} and fills the Bloom index from it.
     *
     * @throws StoreException when the directory cannot be used or the database does not open
     */
    public static RocksDbRevocationStore open(Path directory, long expectedRules, double falsePositiveRate) {
        return open(directory, expectedRules, falsePositiveRate, DEFAULT_DEAD_LETTER_BYTES);
    }

    /**
     * Opens (or creates) the store in {@code directory} and fills the Bloom index from it.
     *
     * @param deadLetterBytes the most bytes of dead letters kept; the oldest are pruned beyond it
     * @throws StoreException when the directory cannot be used or the database does not open
     */
    public static RocksDbRevocationStore open(Path directory, long expectedRules, double falsePositiveRate,
                                              long deadLetterBytes) {
        return open(directory, expectedRules, falsePositiveRate, deadLetterBytes, DEFAULT_WAL_RETENTION);
    }

    /**
     * Opens (or creates) the store in {@code directory} and fills the Bloom index from it.
     *
     * @param deadLetterBytes the most bytes of dead letters kept; the oldest are pruned beyond it
     * @param walRetention how long write-ahead log files are kept after their data is flushed: it
     *     must cover a few checkpoint intervals, or an open after a crash scans every rule; zero
     *     deletes them at once
     * @throws StoreException when the directory cannot be used or the database does not open
     */
    public static RocksDbRevocationStore open(Path directory, long expectedRules, double falsePositiveRate,
                                              long deadLetterBytes, Duration walRetention) {
        StoreMemoryBudget memory = null;
        DBOptions dbOptions = null;
        ColumnFamilyOptions cfOptions = null;
        Filter tableFilter = null;
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            Files.createDirectories(directory);
            memory = StoreMemoryBudget.defaults();
            dbOptions = memory.applyTo(new DBOptions()).setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                    .setParanoidChecks(true).setWalTtlSeconds(walRetention.toSeconds());
            // Absent keys are the common lookup: a table Bloom filter lets RocksDB skip files for them.
            tableFilter = new BloomFilter(10);
            cfOptions = memory.columnFamilyOptions(tableFilter);
            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                    new ColumnFamilyDescriptor(RULES, cfOptions),
                    new ColumnFamilyDescriptor(OFFSETS, cfOptions),
                    new ColumnFamilyDescriptor(DEAD_LETTERS, cfOptions),
                    new ColumnFamilyDescriptor(RESTORES, cfOptions));
            RocksDB db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
            RocksDbRevocationStore store = new RocksDbRevocationStore(directory, memory, dbOptions, cfOptions, tableFilter,
                    handles, db, expectedRules, falsePositiveRate, deadLetterBytes);
            store.loadIndex();
            return store;
        } catch (RocksDBException | IOException | RuntimeException e) {
            for (ColumnFamilyHandle h : handles) {
                h.close();
            }
            if (cfOptions != null) {
                cfOptions.close();
            }
            if (tableFilter != null) {
                tableFilter.close();
            }
            if (dbOptions != null) {
                dbOptions.close();
            }
            if (memory != null) {
                memory.close();
            }
            throw new StoreException("Error opening revocation store at " + directory, e);
        }
    }

    /**
     * Fills the index: the checkpoint plus the log after it when both are usable, else a scan.
     * A checkpoint the rules have outgrown is used all the same (an overfull filter only has more
     * false positives); the maintenance grows it in the background ({@link #indexOutgrown()}).
     */
    private void loadIndex() {
        long started = System.nanoTime();
        long latest = db.getLatestSequenceNumber();
        String reason;
        IndexCheckpoint.Loaded saved = checkpoint.read(latest, identity());
        if (saved instanceof IndexCheckpoint.Found found) {
            WalTail.Outcome tail = WalTail.addRules(db, rules, found.sequence(), latest, found.index());
            if (tail instanceof WalTail.CaughtUp caughtUp) {
                index = found.index();
                checkpointSequence = found.sequence();
                indexLoad = new IndexLoad(true, found.sequence(), caughtUp.keysAdded(), "", millisSince(started));
                log.info("revocation index loaded from its checkpoint at sequence {} and caught up to {} from the "
                                + "write-ahead log ({} rule keys added from {} batches) in {} ms", found.sequence(), latest,
                        caughtUp.keysAdded(), caughtUp.batches(), indexLoad.millis());
                loadDeadLetters();
                return;
            }
            reason = ((WalTail.Gap) tail).reason();
        } else {
            reason = ((IndexCheckpoint.Refused) saved).reason();
            if (Files.exists(checkpoint.file())) {
                discardCheckpoint();
            }
        }
        index = scanIndex(sizeFor(liveRuleEstimate()), null);
        indexLoad = new IndexLoad(false, -1, 0, reason, millisSince(started));
        log.info("revocation index rebuilt by scanning every rule in {} ms: {}", indexLoad.millis(), reason);
        loadDeadLetters();
    }

    /**
     * A refused checkpoint is deleted, so it cannot be taken up later: one newer than a restored
     * database would otherwise pass once the database's sequence caught up with it, while vouching
     * for keys of another history.
     */
    private void discardCheckpoint() {
        try {
            checkpoint.delete();
        } catch (IOException e) {
            throw new StoreException("Error deleting the refused index checkpoint of revocation store at " + directory, e);
        }
    }

    /** The database's identity, so a checkpoint copied in from another database is refused. */
    private String identity() {
        try {
            return Files.readString(directory.resolve("IDENTITY"), StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new StoreException("Error reading the identity of revocation store at " + directory, e);
        }
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }

    /**
     * Fills the budget's ledger from the column. Dead letters of releases before the budget
     * (keyed by partition and offset, raw records of any size) are converted to the bounded form.
     */
    private void loadDeadLetters() {
        List<byte[]> legacyKeys = new ArrayList<>();
        List<KeptDeadLetter> converted = new ArrayList<>();
        try (RocksIterator it = db.newIterator(deadLetters)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (it.key().length == Long.BYTES) {
                    deadLetterBudget.loaded(ByteBuffer.wrap(it.key()).getLong(), it.value().length);
                } else {
                    legacyKeys.add(it.key());
                    ByteBuffer k = ByteBuffer.wrap(it.key());
                    converted.add(deadLetterBudget.keep(parseLegacyDeadLetter(k.getInt(), k.getLong(), it.value())));
                }
            }
        }
        if (legacyKeys.isEmpty()) {
            return;
        }
        try (WriteBatch wb = new WriteBatch()) {
            legacyKeys.forEach(k -> delete(wb, deadLetters, k));
            for (KeptDeadLetter d : converted) {
                byte[] value = DeadLetterBudget.encode(d);
                wb.put(deadLetters, DeadLetterBudget.idKey(d.id()), value);
                deadLetterBudget.added(d.id(), value.length);
            }
            for (long id : deadLetterBudget.prune()) {
                wb.delete(deadLetters, DeadLetterBudget.idKey(id));
            }
            db.write(writeOptions, wb);
        } catch (RocksDBException e) {
            throw new StoreException("Error converting the dead letters of revocation store at " + directory, e);
        }
        log.info("converted {} dead letters of an earlier release to the bounded form", converted.size());
    }

    private static void delete(WriteBatch wb, ColumnFamilyHandle cf, byte[] key) {
        try {
            wb.delete(cf, key);
        } catch (RocksDBException e) {
            throw new StoreException("Error preparing a delete", e);
        }
    }

    /** Design size for a new index: the configured size, or twice the live rules when they have outgrown it. */
    private long sizeFor(long liveRules) {
        return Math.max(designSize, 2 * liveRules);
    }

    private RevocationIndex scanIndex(long size, @Nullable Snapshot snapshot) {
        RevocationIndex fresh = new RevocationIndex(size, falsePositiveRate);
        try (ReadOptions read = new ReadOptions().setSnapshot(snapshot).setFillCache(false);
             RocksIterator it = db.newIterator(rules, read)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                fresh.add(RuleKey.fromBytes(it.key()));
            }
        }
        return fresh;
    }

    @Override
    public List<RuleMerge.Effect> apply(StoreBatch batch) {
        writeLock.lock();
        try (WriteBatch wb = new WriteBatch()) {
            ensureOpen();
            Map<RuleKey, KeyState> states = load(batch.records(), batch.unreadable().keySet());
            List<RuleMerge.Effect> effects = new ArrayList<>(batch.records().size());
            RevocationIndex next = rebuilding;
            for (EventRecord r : batch.records()) {
                RuleKey key = r.event().key();
                // load() holds a state for every key of the batch, an empty one when nothing is stored.
                RuleMerge.Result result = RuleMerge.apply(Objects.requireNonNull(states.get(key)), r, batch.nowSeconds());
                if (result.state().rule() != null) {
                    // Index first: a reader must never find a stored rule missing from the filter.
                    index.add(key);
                    if (next != null) {
                        next.add(key);
                    }
                }
                states.put(key, result.state());
                effects.add(result.effect());
            }
            // A record that could not be applied is now the newest of its key: the topic no longer says the state.
            batch.unreadable().forEach((key, recordMillis) -> {
                KeyState state = Objects.requireNonNull(states.get(key));
                if (!state.isEmpty()) {
                    states.put(key, new KeyState(key, state.rule(), state.mark(),
                            new Provenance(recordMillis, Provenance.UNSIGNED, false)));
                }
            });
            for (KeyState state : states.values()) {
                if (!state.isEmpty() || state.provenance() != null) {
                    write(wb, state);
                }
            }
            List<Integer> addedSizes = new ArrayList<>();
            List<Long> addedIds = new ArrayList<>();
            for (DeadLetter d : batch.deadLetters()) {
                KeptDeadLetter kept = deadLetterBudget.keep(d);
                byte[] value = DeadLetterBudget.encode(kept);
                wb.put(deadLetters, DeadLetterBudget.idKey(kept.id()), value);
                addedIds.add(kept.id());
                addedSizes.add(value.length);
            }
            for (int i = 0; i < addedIds.size(); i++) {
                deadLetterBudget.added(addedIds.get(i), addedSizes.get(i));
            }
            for (long id : deadLetterBudget.prune()) {
                wb.delete(deadLetters, DeadLetterBudget.idKey(id));
            }
            for (Map.Entry<Integer, Long> o : batch.nextOffsets().entrySet()) {
                wb.put(offsets, offsetKey(batch.topic(), o.getKey()),
                        ByteBuffer.allocate(Long.BYTES).putLong(o.getValue()).array());
            }
            db.write(writeOptions, wb);
            return effects;
        } catch (RocksDBException e) {
            throw new StoreException("Error applying " + batch.records().size() + " events to revocation store at "
                    + directory, e);
        } finally {
            writeLock.unlock();
        }
    }

    /** The stored state of every key the records and dead letters touch, read in one multi-get per column family. */
    private Map<RuleKey, KeyState> load(List<EventRecord> records, Set<RuleKey> unreadable)
            throws RocksDBException {
        Map<RuleKey, KeyState> states = new HashMap<>();
        List<RuleKey> keys = new ArrayList<>();
        for (EventRecord r : records) {
            if (states.putIfAbsent(r.event().key(), KeyState.empty(r.event().key())) == null) {
                keys.add(r.event().key());
            }
        }
        for (RuleKey k : unreadable) {
            if (states.putIfAbsent(k, KeyState.empty(k)) == null) {
                keys.add(k);
            }
        }
        if (keys.isEmpty()) {
            return states;
        }
        List<byte[]> raw = new ArrayList<>(keys.size() * 2);
        List<ColumnFamilyHandle> families = new ArrayList<>(keys.size() * 2);
        for (RuleKey k : keys) {
            byte[] bytes = k.toBytes();
            raw.add(bytes);
            families.add(rules);
            raw.add(bytes);
            families.add(restores);
        }
        List<byte[]> values = db.multiGetAsList(families, raw);
        for (int i = 0; i < keys.size(); i++) {
            states.put(keys.get(i), decodeState(keys.get(i), values.get(2 * i), values.get(2 * i + 1)));
        }
        return states;
    }

    private static KeyState decodeState(RuleKey key, byte @Nullable [] ruleValue, byte @Nullable [] markValue) {
        if (ruleValue == null && markValue == null) {
            return KeyState.empty(key);
        }
        Rule rule = ruleValue == null ? null : StoredValues.rule(key, ruleValue);
        RestoreMark mark = markValue == null ? null : StoredValues.mark(key, markValue);
        // The rule's value carries the key's provenance when there is a rule; otherwise the mark's does.
        Provenance provenance = StoredValues.provenance(ruleValue != null ? ruleValue : Objects.requireNonNull(markValue));
        return new KeyState(key, rule, mark, provenance);
    }

    private void write(WriteBatch wb, KeyState state) throws RocksDBException {
        byte[] key = state.key().toBytes();
        Provenance provenance = state.provenance() == null ? Provenance.unknown() : state.provenance();
        if (state.rule() == null) {
            wb.delete(rules, key);
        } else {
            wb.put(rules, key, StoredValues.encode(state.rule(), provenance));
        }
        if (state.mark() == null) {
            wb.delete(restores, key);
        } else {
            wb.put(restores, key, StoredValues.encode(state.mark(), provenance));
        }
    }

    /**
     * Deletes the rules and restore marks whose {@code expiresAt} is before {@code nowEpochSeconds}:
     * no token they could block is still valid, and no revoke they could stop still matters. Rules
     * and marks of scope {@code kid} are permanent and never swept. Scans without the lock and
     * deletes in chunks under it, re-reading each value first, so a rule renewed meanwhile by a
     * new event is kept.
     *
     * @return how many rules were deleted (marks are not counted)
     */
    public long sweepExpired(long nowEpochSeconds) {
        ensureOpen();
        sweep(restores, nowEpochSeconds);
        return sweep(rules, nowEpochSeconds);
    }

    private long sweep(ColumnFamilyHandle family, long now) {
        long deleted = 0;
        List<byte[]> candidates = new ArrayList<>();
        try (ReadOptions read = new ReadOptions().setFillCache(false);
             RocksIterator it = db.newIterator(family, read)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (StoredValues.expiresAt(RuleKey.fromBytes(it.key()), it.value()) < now) {
                    candidates.add(it.key());
                    if (candidates.size() == SWEEP_CHUNK) {
                        deleted += deleteIfExpired(family, candidates, now);
                        candidates.clear();
                    }
                }
            }
        }
        return deleted + deleteIfExpired(family, candidates, now);
    }

    private long deleteIfExpired(ColumnFamilyHandle family, List<byte[]> keys, long now) {
        if (keys.isEmpty()) {
            return 0;
        }
        writeLock.lock();
        try (WriteBatch wb = new WriteBatch()) {
            long n = 0;
            for (byte[] key : keys) {
                byte[] value = db.get(family, key);
                if (value != null && StoredValues.expiresAt(RuleKey.fromBytes(key), value) < now) {
                    wb.delete(family, key);
                    n++;
                }
            }
            db.write(writeOptions, wb);
            return n;
        } catch (RocksDBException e) {
            throw new StoreException("Error deleting expired entries from revocation store at " + directory, e);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Visits the state of every key that has a rule or a restore mark, in key order, from a
     * consistent snapshot; applies continue meanwhile. For the topic's upkeep (re-asserting rules
     * the topic would otherwise lose), not for the request path.
     */
    public void forEachState(Consumer<KeyState> visitor) {
        ensureOpen();
        Snapshot snapshot = db.getSnapshot();
        try (ReadOptions read = new ReadOptions().setSnapshot(snapshot).setFillCache(false);
             RocksIterator r = db.newIterator(rules, read);
             RocksIterator m = db.newIterator(restores, read)) {
            r.seekToFirst();
            m.seekToFirst();
            // A merge join of two sorted columns: a key may have a rule, a mark, or both.
            while (r.isValid() || m.isValid()) {
                int order = !r.isValid() ? 1 : !m.isValid() ? -1 : Arrays.compareUnsigned(r.key(), m.key());
                byte[] keyBytes = order <= 0 ? r.key() : m.key();
                RuleKey key = RuleKey.fromBytes(keyBytes);
                visitor.accept(decodeState(key, order <= 0 ? r.value() : null, order >= 0 ? m.value() : null));
                if (order <= 0) {
                    r.next();
                }
                if (order >= 0) {
                    m.next();
                }
            }
        } finally {
            db.releaseSnapshot(snapshot);
        }
    }

    /**
     * Builds a fresh index from the live rules and swaps it in, sized for them (growing when
     * they have outgrown the configured size). Runs on the calling thread; applies continue.
     */
    public void rebuildIndex() {
        RevocationIndex fresh;
        Snapshot snapshot;
        writeLock.lock();
        try {
            // From here on every applied key also lands in the new index; the scan covers the rest.
            fresh = new RevocationIndex(sizeFor(liveRuleEstimate()), falsePositiveRate);
            rebuilding = fresh;
            snapshot = db.getSnapshot();
        } finally {
            writeLock.unlock();
        }
        try (ReadOptions read = new ReadOptions().setSnapshot(snapshot).setFillCache(false);
             RocksIterator it = db.newIterator(rules, read)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                fresh.add(RuleKey.fromBytes(it.key()));
            }
        } finally {
            db.releaseSnapshot(snapshot);
            writeLock.lock();
            try {
                if (rebuilding == fresh) {
                    index = fresh;
                    rebuilding = null;
                }
            } finally {
                writeLock.unlock();
            }
        }
    }

    /** Whether the live rules have outgrown the index's design size (a rebuild would grow it). */
    public boolean indexOutgrown() {
        return liveRuleEstimate() > index.designSize();
    }

    /** RocksDB's estimate of the number of live rules. */
    public long liveRuleEstimate() {
        ensureOpen();
        try {
            return db.getLongProperty(rules, "rocksdb.estimate-num-keys");
        } catch (RocksDBException e) {
            throw new StoreException("Error reading the rule count of revocation store at " + directory, e);
        }
    }

    /** A point-in-time description for readiness and metrics. */
    public StoreStats stats() {
        RevocationIndex i = index;
        return new StoreStats(liveRuleEstimate(), i.designSize(), i.sizeInBytes(), i.expectedFalsePositiveRate(),
                deadLetterBudget.count());
    }

    @Override
    public Map<Integer, Long> nextOffsets(String topic) {
        Map<Integer, Long> result = new HashMap<>();
        byte[] prefix = (topic + "/").getBytes(StandardCharsets.UTF_8);
        try (RocksIterator it = db.newIterator(offsets)) {
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                String k = new String(it.key(), StandardCharsets.UTF_8);
                int partition = Integer.parseInt(k.substring(k.lastIndexOf('/') + 1));
                result.put(partition, ByteBuffer.wrap(it.value()).getLong());
            }
        }
        return result;
    }

    @Override
    public boolean isRevoked(TokenFacts token, long clockSkewSeconds) {
        RevocationIndex current = index;
        // Every key the token could match in a scope that has rules, hashed once, probed together.
        TokenProbe probe = TokenProbe.of(token, current);
        for (int from = 0; from < probe.count(); from += Long.SIZE) {
            for (long hits = current.mightContainEach(probe, from); hits != 0; hits &= hits - 1) {
                Optional<Rule> rule = find(probe.key(from + Long.numberOfTrailingZeros(hits)));
                if (rule.isPresent() && rule.get().blocks(token.issuedAt(), clockSkewSeconds)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** JNI calls on a closed database crash the process: refuse them with an exception instead. */
    private void ensureOpen() {
        if (closed.get()) {
            throw new StoreException("revocation store at " + directory + " is closed", null);
        }
    }

    @Override
    public Optional<Rule> find(RuleKey key) {
        ensureOpen();
        try {
            byte[] value = db.get(rules, key.toBytes());
            return value == null ? Optional.empty() : Optional.of(StoredValues.rule(key, value));
        } catch (RocksDBException e) {
            throw new StoreException("Error reading rule " + key + " from revocation store at " + directory, e);
        }
    }

    @Override
    public KeyState state(RuleKey key) {
        ensureOpen();
        try {
            byte[] bytes = key.toBytes();
            return decodeState(key, db.get(rules, bytes), db.get(restores, bytes));
        } catch (RocksDBException e) {
            throw new StoreException("Error reading the state of " + key + " from revocation store at " + directory, e);
        }
    }

    @Override
    public long deadLetterCount() {
        return deadLetterBudget.count();
    }

    @Override
    public long deadLetterDroppedBytes() {
        return deadLetterBudget.droppedBytes();
    }

    @Override
    public List<KeptDeadLetter> deadLetters(long afterId, int limit) {
        ensureOpen();
        List<KeptDeadLetter> result = new ArrayList<>();
        try (RocksIterator it = db.newIterator(deadLetters)) {
            for (it.seek(DeadLetterBudget.idKey(Math.max(0, afterId + 1))); it.isValid() && result.size() < limit;
                 it.next()) {
                if (it.key().length == Long.BYTES) {
                    result.add(DeadLetterBudget.decode(it.key(), it.value()));
                }
            }
        }
        return result;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        checkpointLock.lock();
        writeLock.lock();
        try {
            saveIndexAtClose();
            // Reverse order of creation: handles before the DB, the DB before the options it was opened with.
            for (int i = handles.size() - 1; i >= 0; i--) {
                handles.get(i).close();
            }
            db.close();
            writeOptions.close();
            cfOptions.close();
            tableFilter.close();
            dbOptions.close();
            // Last: the options above refer to its cache and write buffer manager.
            memory.close();
        } finally {
            writeLock.unlock();
            checkpointLock.unlock();
        }
    }

    /**
     * Saves the index as covering the database's latest sequence number, so the next open loads
     * it with nothing to catch up. Best effort: a failure only costs a longer next start.
     */
    private void saveIndexAtClose() {
        try {
            checkpoint.write(index, db.getLatestSequenceNumber(), identity());
        } catch (IOException | RuntimeException e) {
            log.warn("could not save the revocation index at {}: {}", checkpoint.file(), e.toString());
        }
    }

    /**
     * Saves the live index as a checkpoint, so an open after a crash loads it and reads only the
     * write-ahead log after it. The sequence number is read under the write lock: every rule
     * written at or below it is in the index then, because {@link #apply} adds a key before the
     * write that stores it. The file is written after the lock is released, while applies go on:
     * the filter only gains bits, so what they add meanwhile is at worst a false positive. A
     * rebuild that swaps the index meanwhile does not matter either: the index taken still holds
     * every key up to the sequence number. For the maintenance thread; one write at a time.
     *
     * @return the sequence number the checkpoint covers
     * @throws StoreException when the file cannot be written (the previous checkpoint stays)
     */
    public long checkpointIndex() {
        checkpointLock.lock();
        try {
            ensureOpen();
            RevocationIndex covered;
            long sequence;
            writeLock.lock();
            try {
                covered = index;
                sequence = db.getLatestSequenceNumber();
            } finally {
                writeLock.unlock();
            }
            checkpoint.write(covered, sequence, identity());
            checkpointSequence = sequence;
            return sequence;
        } catch (IOException e) {
            throw new StoreException("Error writing the index checkpoint of revocation store at " + directory, e);
        } finally {
            checkpointLock.unlock();
        }
    }

    /**
     * How many sequence numbers (about two per applied event: the rule and its restore mark) the
     * database has moved past the newest checkpoint; {@code Long.MAX_VALUE} when there is none.
     */
    public long writesSinceCheckpoint() {
        ensureOpen();
        long covered = checkpointSequence;
        return covered < 0 ? Long.MAX_VALUE : db.getLatestSequenceNumber() - covered;
    }

    /** How the last open filled the index. */
    public IndexLoad indexLoad() {
        return indexLoad;
    }

    private static byte[] offsetKey(String topic, int partition) {
        return (topic + "/" + partition).getBytes(StandardCharsets.UTF_8);
    }

    /** A dead letter as releases before the budget stored it: reason, key (length -1 for none), value. */
    private static DeadLetter parseLegacyDeadLetter(int partition, long offset, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte[] reason = new byte[b.getInt()];
        b.get(reason);
        int keyLength = b.getInt();
        byte[] key = null;
        if (keyLength >= 0) {
            key = new byte[keyLength];
            b.get(key);
        }
        byte[] value = new byte[b.remaining()];
        b.get(value);
        return new DeadLetter(partition, offset, 0, key, value, new String(reason, StandardCharsets.UTF_8));
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
