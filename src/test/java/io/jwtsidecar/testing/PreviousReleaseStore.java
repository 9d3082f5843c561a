package io.jwtsidecar.testing;

import io.jwtsidecar.revocation.RuleKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * A RocksDB store as the release before signed events and restore marks wrote it: the column
 * families {@code rules}, {@code offsets} and {@code dead_letters}, a rule's value {@code at (8),
 * expiresAt (8), eventId} with no format byte, dead letters whole. For tests of the upgrade.
 */
public final class PreviousReleaseStore {
    private PreviousReleaseStore() {
    }

    /** A rule's value as that release stored it. */
    public static byte[] rule(long at, long expiresAt, String eventId) {
        byte[] id = eventId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(16 + id.length).putLong(at).putLong(expiresAt).put(id).array();
    }

    /**
     * Writes such a store at {@code path}.
     *
     * @param rules       rule key → value ({@link #rule})
     * @param deadLetters the dead-letter column's raw keys and values
     */
    public static void write(Path path, Map<RuleKey, byte[]> rules, Map<byte[], byte[]> deadLetters)
            throws RocksDBException {
        RocksDB.loadLibrary();
        List<ColumnFamilyDescriptor> families = List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                new ColumnFamilyDescriptor("rules".getBytes(StandardCharsets.UTF_8)),
                new ColumnFamilyDescriptor("offsets".getBytes(StandardCharsets.UTF_8)),
                new ColumnFamilyDescriptor("dead_letters".getBytes(StandardCharsets.UTF_8)));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
             RocksDB db = RocksDB.open(options, path.toString(), families, handles)) {
            for (Map.Entry<RuleKey, byte[]> r : rules.entrySet()) {
                db.put(handles.get(1), r.getKey().toBytes(), r.getValue());
            }
            for (Map.Entry<byte[], byte[]> d : deadLetters.entrySet()) {
                db.put(handles.get(3), d.getKey(), d.getValue());
            }
            handles.forEach(ColumnFamilyHandle::close);
        }
    }
}
