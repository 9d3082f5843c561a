package io.jwtsidecar.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads or checks the files a configuration names (key files, TLS files). The JDK's own messages
 * repeat the path and leave the reason implicit ({@code cannot read 'a.pem': a.pem}); these say
 * what is wrong first and name the path once.
 */
final class ConfigFiles {
    private ConfigFiles() {
    }

    /** The text of {@code path}, named by {@code key}; an {@link UnreadableFile} says why not. */
    static String read(String key, Path path) {
        problem(path).ifPresent(p -> {
            throw new UnreadableFile(key, p);
        });
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UnreadableFile(key, "no such file: " + path);
        } catch (AccessDeniedException e) {
            throw new UnreadableFile(key, "not readable: " + path);
        } catch (CharacterCodingException e) {
            // Most often a DER file where PEM text is expected.
            throw new UnreadableFile(key, "not UTF-8 text: " + path);
        } catch (FileSystemException e) {
            throw new UnreadableFile(key, "cannot read: " + path + " (" + e.getReason() + ")");
        } catch (IOException e) {
            throw new UnreadableFile(key, "cannot read: " + path + " (" + e.getMessage() + ")");
        }
    }

    /**
     * Why {@code path} cannot be read, if it cannot: for files other code opens later (TLS), so a
     * mistake is still reported with the rest of the configuration rather than at the first handshake.
     */
    static Optional<String> problem(Path path) {
        if (!Files.exists(path)) {
            return Optional.of("no such file: " + path);
        }
        if (Files.isDirectory(path)) {
            return Optional.of("is a directory: " + path);
        }
        if (!Files.isReadable(path)) {
            return Optional.of("not readable: " + path);
        }
        return Optional.empty();
    }
}
