package io.jwtsidecar.config;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One configuration key, declared once: its dotted name, its default (null when required or
 * unset), its type with its bounds, and what it means. {@link ConfigKeys} lists them all; the
 * loader reads and validates a key through its type, the environment override is named after
 * it, and docs/CONFIG.md is checked against it, so a new scalar key is one declaration.
 *
 * @param <T> the type of the value read
 */
public record ConfigKey<T>(String name, @Nullable String defaultValue, ConfigType<T> type, String doc) {

    /** A key read as text (lists, mappings and free text). */
    public static ConfigKey<String> text(String name, @Nullable String defaultValue, String doc) {
        return new ConfigKey<>(name, defaultValue, ConfigType.STRING, doc);
    }

    /** The default of a key that has one (a key without one is a programming error here). */
    public String declaredDefault() {
        if (defaultValue == null) {
            throw new IllegalStateException(name + " has no default");
        }
        return defaultValue;
    }

    /** {@code kafka.bootstrapServers} → {@code JWT_SIDECAR_KAFKA_BOOTSTRAP_SERVERS}. */
    public String envName() {
        StringBuilder sb = new StringBuilder("JWT_SIDECAR_");
        for (char c : name.toCharArray()) {
            if (c == '.') {
                sb.append('_');
            } else if (Character.isUpperCase(c)) {
                sb.append('_').append(c);
            } else {
                sb.append(Character.toUpperCase(c));
            }
        }
        return sb.toString().toUpperCase(Locale.ROOT);
    }
}
