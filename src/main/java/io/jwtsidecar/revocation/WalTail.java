package io.jwtsidecar.revocation;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.TransactionLogIterator;
import org.rocksdb.WriteBatch;

/**
 * Catches a checkpointed index up with the database by reading RocksDB's write-ahead log from
 * the checkpoint's sequence number + 1 to the latest, adding every key put into the
 * {@code rules} column family. Keys deleted later are added too: an extra key costs a false
 * positive, a missing one would be a false negative.
 *
 * <p>Only a complete tail counts: the log must hold the batch carrying the first sequence number
 * after the checkpoint, have no gap between batches, and reach the database's latest sequence
 * number. Anything else (RocksDB deleted the files, a read error) is a {@link Gap}, and the
 * caller scans instead.
 *
 * <p>Runs at open, before the store is handed out; not for concurrent use.
 */
final class WalTail {
    private WalTail() {
    }

    sealed interface Outcome permits CaughtUp, Gap {
    }

    /** The index now covers the database; {@code keysAdded} rule puts were read from {@code batches} batches. */
    record CaughtUp(long keysAdded, long batches) implements Outcome {
    }

    record Gap(String reason) implements Outcome {
    }

    /**
     * Adds to {@code index} every rule key put after {@code checkpointSequence}, up to
     * {@code latestSequence} (the database's, read before the call with no writer running).
     */
    static Outcome addRules(RocksDB db, ColumnFamilyHandle rules, long checkpointSequence, long latestSequence,
                            RevocationIndex index) {
        if (checkpointSequence == latestSequence) {
            return new CaughtUp(0, 0);
        }
        long next = checkpointSequence + 1;
        long batches = 0;
        try (TransactionLogIterator log = db.getUpdatesSince(next);
             RulePuts puts = new RulePuts(rules.getID(), index)) {
            for (; log.isValid(); log.next()) {
                TransactionLogIterator.BatchResult result = log.getBatch();
                try (WriteBatch batch = result.writeBatch()) {
                    long first = result.sequenceNumber();
                    if (first > next) {
                        return new Gap("the write-ahead log jumps from sequence " + (next - 1) + " to " + first
                                + " (older log files were deleted)");
                    }
                    batch.iterate(puts);
                    batches++;
                    // One sequence number per entry of a batch.
                    next = Math.max(next, first + batch.count());
                }
            }
            log.status();
            if (next <= latestSequence) {
                return new Gap("the write-ahead log ends at sequence " + (next - 1) + ", before the database's "
                        + latestSequence);
            }
            return new CaughtUp(puts.added, batches);
        } catch (RocksDBException | RuntimeException e) {
            return new Gap("the write-ahead log cannot be read: " + e);
        }
    }

    /** Adds the key of every put into one column family; every other entry is ignored. */
    private static final class RulePuts extends WriteBatch.Handler {
        private final int family;
        private final RevocationIndex index;
        long added;

        RulePuts(int family, RevocationIndex index) {
            this.family = family;
            this.index = index;
        }

        @Override
        public void put(int columnFamilyId, byte[] key, byte[] value) {
            if (columnFamilyId == family) {
                index.add(RuleKey.fromBytes(key));
                added++;
            }
        }

        @Override
        public void put(byte[] key, byte[] value) {
            // The default column family: no rules there.
        }

        @Override
        public void merge(int columnFamilyId, byte[] key, byte[] value) {
        }

        @Override
        public void merge(byte[] key, byte[] value) {
        }

        @Override
        public void delete(int columnFamilyId, byte[] key) {
        }

        @Override
        public void delete(byte[] key) {
        }

        @Override
        public void singleDelete(int columnFamilyId, byte[] key) {
        }

        @Override
        public void singleDelete(byte[] key) {
        }

        @Override
        public void deleteRange(int columnFamilyId, byte[] beginKey, byte[] endKey) {
        }

        @Override
        public void deleteRange(byte[] beginKey, byte[] endKey) {
        }

        @Override
        public void logData(byte[] blob) {
        }

        @Override
        public void putBlobIndex(int columnFamilyId, byte[] key, byte[] value) {
        }

        @Override
        public void markBeginPrepare() {
        }

        @Override
        public void markEndPrepare(byte[] xid) {
        }

        @Override
        public void markNoop(boolean emptyBatch) {
        }

        @Override
        public void markRollback(byte[] xid) {
        }

        @Override
        public void markCommit(byte[] xid) {
        }

        @Override
        public void markCommitWithTimestamp(byte[] xid, byte[] ts) {
        }
    }
}
