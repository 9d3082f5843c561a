package io.jwtsidecar.idp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The SETs of a poll stream this sidecar has applied but the transmitter has not yet been told
 * about: the window between "published and applied here" and "acknowledged" (RFC 8936 §2.4). A
 * restart inside that window would otherwise see those SETs again and publish them a second time.
 * With the journal, the first poll after a restart acknowledges them before anything else, and a
 * SET redelivered anyway is acknowledged without being published.
 *
 * <p>A small append-only file in the data directory, one line per change ({@code applied <jti>},
 * {@code acked <jti>}, the jti base64url-encoded so any text is one token), forced to disk before
 * the caller goes on: {@link #applied} before the jti is ever put in an acknowledgement. Opening
 * it rewrites it to the live entries (atomically, through a temporary file), so it holds at most
 * the unacknowledged SETs of one poll stream plus the lines since the last open or compaction.
 * A torn last line (a crash mid-write) is ignored: its SET was not acknowledged, so it comes
 * again and, having the same event id, is a no-op in the store.
 *
 * <p>Thread-safe (synchronized); the poll loop's thread is its only writer.
 */
public final class PollJournal implements AutoCloseable {
    private static final String APPLIED = "applied ";
    private static final String ACKED = "acked ";
    /** Lines after which the file is rewritten to its live entries. */
    private static final int COMPACT_AFTER = 10_000;

    private final Path file;
    private final LinkedHashSet<String> unacknowledged;
    private FileChannel channel;
    private int lines;

    private PollJournal(Path file, LinkedHashSet<String> unacknowledged) throws IOException {
        this.file = file;
        this.unacknowledged = unacknowledged;
        this.channel = rewrite();
    }

    /**
     * Opens (or creates) the journal at {@code file}, keeping what was applied and not acknowledged.
     *
     * @throws IOException when it cannot be read or written, naming the file
     */
    public static PollJournal open(Path file) throws IOException {
        LinkedHashSet<String> live = new LinkedHashSet<>();
        if (Files.exists(file)) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IOException("Error reading the poll journal " + file + ": " + e.getMessage(), e);
            }
            for (String line : lines) {
                if (line.startsWith(APPLIED)) {
                    decode(line.substring(APPLIED.length())).ifPresent(live::add);
                } else if (line.startsWith(ACKED)) {
                    decode(line.substring(ACKED.length())).ifPresent(live::remove);
                }
            }
        }
        return new PollJournal(file, live);
    }

    /** The jti applied here and not yet acknowledged, oldest first. */
    public synchronized Set<String> unacknowledged() {
        return Set.copyOf(unacknowledged);
    }

    public synchronized boolean contains(String jti) {
        return unacknowledged.contains(jti);
    }

    /** Records that {@code jti}'s revocation is published and applied here; on disk when this returns. */
    public synchronized void applied(String jti) throws IOException {
        unacknowledged.add(jti);
        append(List.of(APPLIED + encode(jti)));
    }

    /** Records that the transmitter took the acknowledgement of {@code jtis}. */
    public synchronized void acknowledged(Collection<String> jtis) throws IOException {
        List<String> out = jtis.stream().filter(unacknowledged::remove).map(j -> ACKED + encode(j)).toList();
        if (out.isEmpty()) {
            return;
        }
        if (lines + out.size() > COMPACT_AFTER) {
            channel.close();
            channel = rewrite();
            return;
        }
        append(out);
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }

    private void append(List<String> entries) throws IOException {
        StringBuilder sb = new StringBuilder();
        entries.forEach(e -> sb.append(e).append('\n'));
        try {
            ByteBuffer bytes = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new IOException("Error writing the poll journal " + file + ": " + e.getMessage(), e);
        }
        lines += entries.size();
    }

    /** Writes the live entries to a new file, moves it over the journal, and opens it for appending. */
    private FileChannel rewrite() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            StringBuilder sb = new StringBuilder();
            unacknowledged.forEach(j -> sb.append(APPLIED).append(encode(j)).append('\n'));
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            lines = unacknowledged.size();
            return FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IOException("Error writing the poll journal " + file + ": " + e.getMessage(), e);
        }
    }

    private static String encode(String jti) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(jti.getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<String> decode(String text) {
        try {
            return Optional.of(new String(Base64.getUrlDecoder().decode(text.strip()), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a torn line
        }
    }
}
