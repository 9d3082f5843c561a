package io.jwtsidecar.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The file of the API's unix domain socket ({@code api.socketPath}), put in place so that a
 * sidecar starting beside one still serving (a node's DaemonSet pod replaced with a surge) takes
 * over without a moment where the path answers nobody, and neither removes the other's socket.
 *
 * <p>The server binds a fresh name in the same directory ({@link #bindPath}); {@link #publish}
 * opens it to every local user and renames it over the configured path, an atomic replacement of
 * whatever socket was there. Netty deletes the bound name when the server closes, which by then
 * names nothing; {@link #remove} deletes the configured path only while it is still this
 * sidecar's socket (same file key), so a sidecar that stops after its successor started leaves
 * the successor's socket alone.
 *
 * <p>Who may connect is decided by who can reach the directory: the socket itself is {@code
 * rw-rw-rw-}, because the pods of a node run as users the sidecar cannot know.
 */
public final class UnixSocketFile {
    private final Path path;
    private final Path bindPath;
    private @Nullable Object fileKey;

    private UnixSocketFile(Path path, Path bindPath) {
        this.path = path;
        this.bindPath = bindPath;
    }

    /**
     * Checks that {@code path} can be taken: its directory exists, and nothing but a socket is
     * there already.
     *
     * @throws IllegalArgumentException saying what is in the way
     */
    public static UnixSocketFile at(Path path) {
        Path dir = Objects.requireNonNull(path.toAbsolutePath().getParent(), "a socket path has a directory");
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("its directory " + dir + " does not exist");
        }
        try {
            BasicFileAttributes existing = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            // A socket is neither a regular file, a directory nor a link ("other", like a device or a pipe).
            if (!existing.isOther()) {
                throw new IllegalArgumentException("a file that is not a socket is there; remove it or choose another path");
            }
        } catch (NoSuchFileException e) {
            // Nothing in the way.
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot be read: " + e);
        }
        byte[] suffix = new byte[6];
        new SecureRandom().nextBytes(suffix);
        return new UnixSocketFile(path, dir.resolve("." + path.getFileName() + "." + HexFormat.of().formatHex(suffix)));
    }

    /** Where the server binds before {@link #publish}. */
    public Path bindPath() {
        return bindPath;
    }

    /** The configured path clients connect to. */
    public Path path() {
        return path;
    }

    /**
     * Opens the bound socket to every local user and moves it over {@link #path()}.
     *
     * @throws IOException when the socket cannot be opened up or moved; the bound name is then removed
     */
    public void publish() throws IOException {
        try {
            Files.setPosixFilePermissions(bindPath, PosixFilePermissions.fromString("rw-rw-rw-"));
            Files.move(bindPath, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fileKey = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            Files.deleteIfExists(bindPath);
            throw e;
        }
    }

    /** Deletes {@link #path()} if it is still the socket {@link #publish} put there. */
    public void remove() throws IOException {
        Object ours = fileKey;
        if (ours == null) {
            return;
        }
        try {
            Object there = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (ours.equals(there)) {
                Files.deleteIfExists(path);
            }
        } catch (NoSuchFileException e) {
            // Gone already.
        }
    }
}
