package io.jwtsidecar.config;

import java.util.Locale;

/**
 * One scalar configuration key: its dotted name, its default (null when required or unset),
 * and what it means. {@link ConfigKeys} lists them all; the loader, the environment overrides
 * and docs/CONFIG.md are all checked against that list.
 */
public record ConfigKey(String name, String defaultValue, String doc) {

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
