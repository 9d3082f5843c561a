package io.jwtsidecar.revocation;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * The Bloom index saved in the store's directory with the RocksDB sequence number it covers:
 * every rule key written at or below that number is in the saved filter (it may hold more).
 * The store writes one while it runs and at a clean close; an open loads it and adds what the
 * write-ahead log holds after it ({@link WalTail}), instead of scanning every rule.
 *
 * <p><b>File:</b> format mark, the filter's version mark (the store's, changed whenever the
 * filter's hashing changes), the covered sequence number, the database's identity (RocksDB's
 * {@code IDENTITY} file), the index as {@link RevocationIndex#writeTo} writes it, then a CRC-32C
 * of everything before it. A file is written beside the real one and renamed over it, so a
 * reader sees the old file or the new one, never half of one; a torn or damaged file (a power
 * loss can persist the rename before the data) fails the checksum and is refused.
 *
 * <p><b>Refused</b>, so the open scans instead: a missing, truncated or damaged file, another
 * format or filter version, another database, and a sequence number above the database's (an
 * older data directory restored under a newer checkpoint: the keys it would vouch for are not
 * the ones the database holds).
 *
 * <p>Not thread-safe: the store writes one checkpoint at a time.
 */
final class IndexCheckpoint {
    static final String FILE = "revocation-index.bloom";
    /** "JWSCKPT" and a version: this file's layout, apart from the filter's own. */
    private static final long FORMAT = 0x4a57_5343_4b50_5401L;

    private final Path file;
    private final Path tmp;
    private final long filterMagic;

    /** @param filterMagic the filter's version mark: a file with another one is refused */
    IndexCheckpoint(Path directory, long filterMagic) {
        this.file = directory.resolve(FILE);
        this.tmp = directory.resolve(FILE + ".tmp");
        this.filterMagic = filterMagic;
    }

    /** What a read found: an index with the sequence number it covers, or why there is none to use. */
    sealed interface Loaded permits Found, Refused {
    }

    record Found(RevocationIndex index, long sequence) implements Loaded {
    }

    record Refused(String reason) implements Loaded {
    }

    Path file() {
        return file;
    }

    /**
     * Saves {@code index} as covering {@code sequence}. The index may be added to while it is
     * written: bits set meanwhile only make the file hold more keys than it claims, which is safe.
     *
     * @throws IOException when the file cannot be written or moved into place (the old one stays)
     */
    void write(RevocationIndex index, long sequence, String databaseIdentity) throws IOException {
        try (OutputStream out = Files.newOutputStream(tmp);
             CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(out, 1 << 16), new CRC32C());
             DataOutputStream data = new DataOutputStream(checked)) {
            data.writeLong(FORMAT);
            data.writeLong(filterMagic);
            data.writeLong(sequence);
            data.writeUTF(databaseIdentity);
            index.writeTo(data);
            data.flush();
            data.writeLong(checked.getChecksum().getValue());
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads the checkpoint if it may be used with a database at {@code databaseSequence} of
     * identity {@code databaseIdentity}. Never throws: any doubt is a refusal.
     */
    Loaded read(long databaseSequence, String databaseIdentity) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Refused("no checkpoint");
        } catch (IOException e) {
            return new Refused("checkpoint unreadable: " + e);
        }
        if (bytes.length < 4 * Long.BYTES) {
            return new Refused("checkpoint truncated (" + bytes.length + " bytes)");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - Long.BYTES);
        if (crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - Long.BYTES, Long.BYTES).getLong()) {
            return new Refused("checkpoint damaged or truncated (checksum mismatch)");
        }
        try (DataInputStream data = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - Long.BYTES))) {
            if (data.readLong() != FORMAT || data.readLong() != filterMagic) {
                return new Refused("checkpoint of another format or filter version");
            }
            long sequence = data.readLong();
            if (!data.readUTF().equals(databaseIdentity)) {
                return new Refused("checkpoint of another database");
            }
            if (sequence > databaseSequence) {
                return new Refused("checkpoint at sequence " + sequence + " is newer than the database ("
                        + databaseSequence + "): an older data directory was restored");
            }
            RevocationIndex index = RevocationIndex.readFrom(data);
            if (data.available() != 0) {
                return new Refused("checkpoint has " + data.available() + " unexpected bytes after the index");
            }
            return new Found(index, sequence);
        } catch (IOException | RuntimeException e) {
            return new Refused("checkpoint unreadable: " + e);
        }
    }

    /** Removes the checkpoint, so one refused now cannot be taken up later by a database that caught up with it. */
    void delete() throws IOException {
        Files.deleteIfExists(file);
    }
}
