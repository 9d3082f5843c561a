package io.jwtsidecar.config;

/**
 * A file the configuration names cannot be read. The message is the reason and the path, once
 * ({@code no such file: /etc/keys/rs.pem}); the key that named the file is added by whoever reports it.
 */
final class UnreadableFile extends IllegalArgumentException {
    private final String key;

    UnreadableFile(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The setting that named the file, relative to where it was found (e.g. {@code pemFile}). */
    String key() {
        return key;
    }
}
