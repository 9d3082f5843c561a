package io.jwtsidecar.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations written as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}, or ISO-8601 ({@code PT30S}). */
final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {
    }

    /** @throws IllegalArgumentException with the accepted forms */
    static Duration parse(String text) {
        String t = text.strip();
        Matcher m = SHORT.matcher(t);
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                switch (m.group(2)) {
                    case "ms": return Duration.ofMillis(n);
                    case "s": return Duration.ofSeconds(n);
                    case "m": return Duration.ofMinutes(n);
                    case "h": return Duration.ofHours(n);
                    default: return Duration.ofDays(n);
                }
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("too large to be a duration");
            }
        }
        try {
            return Duration.parse(t);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("not a duration (use e.g. 30s, 5m, 1h, 7d or PT30S)");
        }
    }
}
