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
 * <p>The server binds in a fresh directory of its own beside the path ({@link #bindPath}, mode
 * {@code rwx------}), where no other user can swap the socket for a link before it is opened up.
 * {@link #publish} checks it is still the socket bound there, opens it to every local user, and
 * renames it over the configured path, an atomic replacement of whatever socket was there. Netty
 * deletes the bound name when the server closes, which by then names nothing; {@link #remove}
 * deletes the configured path only while it is still this sidecar's socket (same file key), so a
 * sidecar that stops after its successor started leaves the successor's socket alone. (Between
 * that check and the delete a successor publishing in the same instant could lose its socket:
 * a window of microseconds at the very end of a stop, which a restart of the successor mends.)
 *
 * <p>Who may connect is decided by who can reach the directory: the socket itself is {@code
 * rw-rw-rw-}, because the pods of a node run as users the sidecar cannot know. So the directory
 * must not be writable by other users (unless sticky): whoever could write it could rename a
 * socket of their own over the path and answer every pod in the sidecar's place.
 */
public final class UnixSocketFile {
    /** Bytes a bind path adds to the directory: a slash, a dot and 8 hex digits, a slash, a letter. */
    public static final int BIND_PATH_EXTRA_BYTES = 1 + 1 + 8 + 2;

    private static final int FILE_TYPE_MASK = 0170000;
    private static final int SOCKET_TYPE = 0140000;
    private static final int WRITABLE_BY_GROUP_OR_OTHERS = 0022;
    private static final int STICKY = 01000;

    private final Path path;
    private final Path bindDir;
    private final Path bindPath;
    private @Nullable Object fileKey;

    private UnixSocketFile(Path path, Path bindDir) {
        this.path = path;
        this.bindDir = bindDir;
        this.bindPath = bindDir.resolve("s");
    }

    /**
     * Checks that {@code path} can be taken (its directory exists, no other user may write it, and
     * nothing but a socket is there already) and makes the private directory to bind in.
     *
     * @throws IllegalArgumentException saying what is in the way
     */
    public static UnixSocketFile at(Path path) {
        Path dir = Objects.requireNonNull(path.toAbsolutePath().getParent(), "a socket path has a directory");
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("its directory " + dir + " does not exist");
        }
        Integer dirMode;
        try {
            dirMode = mode(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("its directory " + dir + " cannot be read: " + e);
        }
        if (dirMode != null && (dirMode & WRITABLE_BY_GROUP_OR_OTHERS) != 0 && (dirMode & STICKY) == 0) {
            throw new IllegalArgumentException("its directory " + dir + " may be written by other users (mode "
                    + Integer.toOctalString(dirMode & 07777) + "): any of them could put a socket of their own at the "
                    + "path; make it writable by the sidecar's user alone");
        }
        try {
            if (!isSocket(path)) {
                throw new IllegalArgumentException("a file that is not a socket is there; remove it or choose another path");
            }
        } catch (NoSuchFileException e) {
            // Nothing in the way.
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot be read: " + e);
        }
        byte[] suffix = new byte[4];
        new SecureRandom().nextBytes(suffix);
        Path bindDir = dir.resolve("." + HexFormat.of().formatHex(suffix));
        try {
            Files.createDirectory(bindDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot make a directory in " + dir + " to bind in: " + e);
        }
        return new UnixSocketFile(path, bindDir);
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
     * @throws IOException when what is bound is not a socket, or it cannot be opened up or moved;
     *                     what was bound is then removed
     */
    public void publish() throws IOException {
        try {
            if (!isSocket(bindPath)) {
                throw new IOException(bindPath + " is not the socket bound there");
            }
            Object key = Files.readAttributes(bindPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            Files.setPosixFilePermissions(bindPath, PosixFilePermissions.fromString("rw-rw-rw-"));
            Files.move(bindPath, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fileKey = key;
        } finally {
            discard();
        }
    }

    /** Removes the private directory and whatever is bound in it; for a start that fails before {@link #publish}. */
    public void discard() throws IOException {
        Files.deleteIfExists(bindPath);
        Files.deleteIfExists(bindDir);
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

    /** Whether {@code file} itself (not what a link names) is a socket. */
    private static boolean isSocket(Path file) throws IOException {
        Integer mode = mode(file, LinkOption.NOFOLLOW_LINKS);
        if (mode != null) {
            return (mode & FILE_TYPE_MASK) == SOCKET_TYPE;
        }
        // Without the unix attribute view, "other" (not a file, directory or link) is the best there is.
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
    }

    /** The {@code st_mode} of {@code file}, or null where the platform has no unix attribute view. */
    private static @Nullable Integer mode(Path file, LinkOption... options) throws IOException {
        try {
            return (Integer) Files.getAttribute(file, "unix:mode", options);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }
}
