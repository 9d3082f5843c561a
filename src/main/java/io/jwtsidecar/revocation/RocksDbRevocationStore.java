package io.jwtsidecar.revocation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * {@link RevocationStore} on RocksDB, with a {@link RevocationIndex} in front.
 *
 * <p>Column families: {@code rules} (rule key → at, expiresAt, eventId), {@code offsets}
 * ({@code topic/partition} → next offset), {@code dead_letters} (partition, offset → reason and
 * raw record). A feed batch is one {@link WriteBatch} across all three, so after a crash the
 * stored offsets always describe exactly the rules stored: nothing is lost and nothing is
 * applied twice.
 *
 * <p>This class is the only owner of its native handles; {@link #close()} releases them once,
 * in reverse order of creation.
 */
public final class RocksDbRevocationStore implements RevocationStore {
    private static final byte[] RULES = "rules".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OFFSETS = "offsets".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DEAD_LETTERS = "dead_letters".getBytes(StandardCharsets.UTF_8);
    private static final RevocationScope[] SCOPES = RevocationScope.values();

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
    private final RevocationIndex index;
    private final AtomicLong deadLetterCount = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    private RocksDbRevocationStore(Path directory, DBOptions dbOptions, ColumnFamilyOptions cfOptions,
                                   List<ColumnFamilyHandle> handles, RocksDB db, RevocationIndex index) {
        this.directory = directory;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.writeOptions = new WriteOptions();
        this.handles = handles;
        this.db = db;
        this.rules = handles.get(1);
        this.offsets = handles.get(2);
        this.deadLetters = handles.get(3);
        this.index = index;
    }

    /**
     * Opens (or creates) the store in {@code directory} and fills the Bloom index from it.
     *
     * @throws StoreException when the directory cannot be used or the database does not open
     */
    public static RocksDbRevocationStore open(Path directory, long expectedRules, double falsePositiveRate) {
        DBOptions dbOptions = null;
        ColumnFamilyOptions cfOptions = null;
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            Files.createDirectories(directory);
            dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
            // Absent keys are the common lookup: a table Bloom filter lets RocksDB skip files for them.
            cfOptions = new ColumnFamilyOptions().setTableFormatConfig(
                    new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10)));
            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                    new ColumnFamilyDescriptor(RULES, cfOptions),
                    new ColumnFamilyDescriptor(OFFSETS, cfOptions),
                    new ColumnFamilyDescriptor(DEAD_LETTERS, cfOptions));
            RocksDB db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
            RocksDbRevocationStore store = new RocksDbRevocationStore(directory, dbOptions, cfOptions, handles, db,
                    new RevocationIndex(expectedRules, falsePositiveRate));
            store.loadIndex();
            return store;
        } catch (RocksDBException | java.io.IOException | RuntimeException e) {
            for (ColumnFamilyHandle h : handles) {
                h.close();
            }
            if (cfOptions != null) {
                cfOptions.close();
            }
            if (dbOptions != null) {
                dbOptions.close();
            }
            throw new StoreException("Error opening revocation store at " + directory, e);
        }
    }

    private void loadIndex() {
        try (RocksIterator it = db.newIterator(rules)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                index.add(RuleKey.fromBytes(it.key()));
            }
        }
        try (RocksIterator it = db.newIterator(deadLetters)) {
            long n = 0;
            for (it.seekToFirst(); it.isValid(); it.next()) {
                n++;
            }
            deadLetterCount.set(n);
        }
    }

    @Override
    public void apply(StoreBatch batch) {
        try (WriteBatch wb = new WriteBatch()) {
            for (RevocationEvent e : batch.events()) {
                if (e.type() == RevocationEvent.Type.REVOKE) {
                    // Index first: a reader must never find a stored rule missing from the filter.
                    index.add(e.key());
                    wb.put(rules, e.key().toBytes(), e.toRule().valueBytes());
                } else {
                    wb.delete(rules, e.key().toBytes());
                }
            }
            for (DeadLetter d : batch.deadLetters()) {
                wb.put(deadLetters, deadLetterKey(d.partition(), d.offset()), deadLetterValue(d));
            }
            for (Map.Entry<Integer, Long> o : batch.nextOffsets().entrySet()) {
                wb.put(offsets, offsetKey(batch.topic(), o.getKey()),
                        ByteBuffer.allocate(Long.BYTES).putLong(o.getValue()).array());
            }
            db.write(writeOptions, wb);
            deadLetterCount.addAndGet(batch.deadLetters().size());
        } catch (RocksDBException e) {
            throw new StoreException("Error applying " + batch.events().size() + " events to revocation store at "
                    + directory, e);
        }
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
        for (RevocationScope scope : SCOPES) {
            String value = token.valueFor(scope);
            if (value == null) {
                continue;
            }
            RuleKey key = new RuleKey(scope, token.issuer(), value);
            if (!index.mightContain(key)) {
                continue;
            }
            Optional<Rule> rule = find(key);
            if (rule.isPresent() && rule.get().blocks(token.issuedAt(), clockSkewSeconds)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Optional<Rule> find(RuleKey key) {
        try {
            byte[] value = db.get(rules, key.toBytes());
            return value == null ? Optional.empty() : Optional.of(Rule.fromValueBytes(key, value));
        } catch (RocksDBException e) {
            throw new StoreException("Error reading rule " + key + " from revocation store at " + directory, e);
        }
    }

    @Override
    public long deadLetterCount() {
        return deadLetterCount.get();
    }

    /** Dead letters in offset order, oldest first, at most {@code limit}. */
    public List<DeadLetter> deadLetters(int limit) {
        List<DeadLetter> result = new ArrayList<>();
        try (RocksIterator it = db.newIterator(deadLetters)) {
            for (it.seekToFirst(); it.isValid() && result.size() < limit; it.next()) {
                ByteBuffer k = ByteBuffer.wrap(it.key());
                result.add(parseDeadLetter(k.getInt(), k.getLong(), it.value()));
            }
        }
        return result;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Reverse order of creation: handles before the DB, the DB before the options it was opened with.
        for (int i = handles.size() - 1; i >= 0; i--) {
            handles.get(i).close();
        }
        db.close();
        writeOptions.close();
        cfOptions.close();
        dbOptions.close();
    }

    private static byte[] offsetKey(String topic, int partition) {
        return (topic + "/" + partition).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] deadLetterKey(int partition, long offset) {
        return ByteBuffer.allocate(12).putInt(partition).putLong(offset).array();
    }

    /** reason length, reason, key length (-1 for none), key, value (rest; absent for null). */
    private static byte[] deadLetterValue(DeadLetter d) {
        byte[] reason = d.reason().getBytes(StandardCharsets.UTF_8);
        byte[] key = d.key() == null ? new byte[0] : d.key();
        byte[] value = d.value() == null ? new byte[0] : d.value();
        return ByteBuffer.allocate(8 + reason.length + key.length + value.length)
                .putInt(reason.length).put(reason)
                .putInt(d.key() == null ? -1 : key.length).put(key)
                .put(value).array();
    }

    private static DeadLetter parseDeadLetter(int partition, long offset, byte[] bytes) {
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
        return new DeadLetter(partition, offset, key, value, new String(reason, StandardCharsets.UTF_8));
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
