package io.jwtsidecar.revocation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The bounds of the dead-letter column. Anyone who can write to the topic can send poison pills,
 * so what is kept of them must not grow with what they send:
 * <ul>
 *   <li>of each pill, at most {@value #PREFIX_BYTES} bytes of its key and of its value, its sizes,
 *       and a SHA-256 of the whole record (to tell pills apart and match them with the topic);</li>
 *   <li>of all pills, at most {@code maxBytes} in total, the oldest pruned first;</li>
 *   <li>every byte not kept (cut from a pill, or pruned with it) counted in {@link #droppedBytes()}.</li>
 * </ul>
 * Dead letters are keyed by a sequence number (8 bytes, big-endian), so RocksDB's order is arrival
 * order, the oldest come first, and the number is the listing's paging cursor.
 *
 * <p>Not thread-safe apart from {@link #droppedBytes()} and {@link #count()}: the store calls the
 * rest under its write lock.
 */
final class DeadLetterBudget {
    /** Bytes kept of a pill's key, and of its value. */
    static final int PREFIX_BYTES = 1024;
    /** Characters kept of the reason (a parser's message can quote the input). */
    static final int MAX_REASON_CHARS = 512;

    private final long maxBytes;
    /** {id, stored bytes} of every kept dead letter, oldest first. */
    private final ArrayDeque<long[]> kept = new ArrayDeque<>();
    private long keptBytes;
    private long nextId;
    private final AtomicLong droppedBytes = new AtomicLong();
    private final AtomicLong count = new AtomicLong();

    DeadLetterBudget(long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("dead-letter budget must be positive, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** Records a dead letter found in the store at open (ids ascending). */
    void loaded(long id, int storedBytes) {
        kept.addLast(new long[] {id, storedBytes});
        keptBytes += storedBytes;
        nextId = Math.max(nextId, id + 1);
        count.set(kept.size());
    }

    /** The bounded form of {@code d} with the next id; counts what it leaves out. */
    KeptDeadLetter keep(DeadLetter d) {
        byte[] keyPrefix = prefix(d.key());
        byte[] valuePrefix = prefix(d.value());
        long full = length(d.key()) + length(d.value());
        droppedBytes.addAndGet(full - length(keyPrefix) - length(valuePrefix));
        String reason = d.reason().length() <= MAX_REASON_CHARS ? d.reason()
                : d.reason().substring(0, MAX_REASON_CHARS) + "…";
        return new KeptDeadLetter(nextId++, d.partition(), d.offset(), d.recordMillis(), reason,
                d.key() == null ? -1 : d.key().length, d.value() == null ? -1 : d.value().length,
                digest(d.key(), d.value()), keyPrefix, valuePrefix);
    }

    /** A kept dead letter was written. */
    void added(long id, int storedBytes) {
        kept.addLast(new long[] {id, storedBytes});
        keptBytes += storedBytes;
        count.set(kept.size());
    }

    /**
     * The ids to delete, oldest first, so that the total fits the budget again; they count as
     * dropped from now. Call after {@link #added}; the caller deletes them in the same write.
     */
    List<Long> prune() {
        List<Long> ids = new ArrayList<>();
        while (keptBytes > maxBytes && !kept.isEmpty()) {
            long[] oldest = kept.removeFirst();
            keptBytes -= oldest[1];
            droppedBytes.addAndGet(oldest[1]);
            ids.add(oldest[0]);
        }
        count.set(kept.size());
        return ids;
    }

    /** Bytes of dead letters not kept since the store opened (cut from pills, or pruned). */
    long droppedBytes() {
        return droppedBytes.get();
    }

    /** Dead letters kept. */
    long count() {
        return count.get();
    }

    long keptBytes() {
        return keptBytes;
    }

    static byte[] idKey(long id) {
        return ByteBuffer.allocate(Long.BYTES).putLong(id).array();
    }

    static byte[] encode(KeptDeadLetter d) {
        byte[] reason = d.reason().getBytes(StandardCharsets.UTF_8);
        int size = (int) (4 + 8 + 8 + 4 + 4 + 32 + 2 + reason.length + 2 + length(d.keyPrefix()) + 2 + length(d.valuePrefix()));
        ByteBuffer b = ByteBuffer.allocate(size).putInt(d.partition()).putLong(d.offset()).putLong(d.recordMillis())
                .putInt(d.keySize()).putInt(d.valueSize()).put(d.sha256())
                .putShort((short) reason.length).put(reason);
        putPrefix(b, d.keyPrefix());
        putPrefix(b, d.valuePrefix());
        return b.array();
    }

    static KeptDeadLetter decode(byte[] key, byte[] value) {
        long id = ByteBuffer.wrap(key).getLong();
        ByteBuffer b = ByteBuffer.wrap(value);
        int partition = b.getInt();
        long offset = b.getLong();
        long recordMillis = b.getLong();
        int keySize = b.getInt();
        int valueSize = b.getInt();
        byte[] sha = new byte[32];
        b.get(sha);
        byte[] reason = new byte[b.getShort()];
        b.get(reason);
        return new KeptDeadLetter(id, partition, offset, recordMillis, new String(reason, StandardCharsets.UTF_8),
                keySize, valueSize, sha, getPrefix(b), getPrefix(b));
    }

    private static void putPrefix(ByteBuffer b, byte @Nullable [] prefix) {
        if (prefix == null) {
            b.putShort((short) -1);
        } else {
            b.putShort((short) prefix.length).put(prefix);
        }
    }

    private static byte @Nullable [] getPrefix(ByteBuffer b) {
        int n = b.getShort();
        if (n < 0) {
            return null;
        }
        byte[] bytes = new byte[n];
        b.get(bytes);
        return bytes;
    }

    private static byte @Nullable [] prefix(byte @Nullable [] bytes) {
        return bytes == null ? null : Arrays.copyOf(bytes, Math.min(bytes.length, PREFIX_BYTES));
    }

    private static long length(byte @Nullable [] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static byte[] digest(byte @Nullable [] key, byte @Nullable [] value) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] part : new byte[][] {key, value}) {
                sha.update(ByteBuffer.allocate(4).putInt(part == null ? -1 : part.length).array());
                if (part != null) {
                    sha.update(part);
                }
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
