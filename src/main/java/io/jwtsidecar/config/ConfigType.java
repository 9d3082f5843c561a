package io.jwtsidecar.config;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How the text of one scalar key becomes its value, and what the key accepts: the type and
 * bounds a {@link ConfigKey} is declared with, so reading, validating and documenting a key all
 * follow from that one declaration (as Kafka's {@code ConfigDef} types and validators do).
 *
 * @param <T> the value's type
 */
public interface ConfigType<T> {

    /**
     * Reads a value. Never throws for bad input: a problem is reported with a value to go on
     * with, so the loader can check the rest and report every error at once.
     */
    Parsed<T> parse(String text);

    /** What the key accepts, in a few words (the type column of docs/CONFIG.md). */
    String describe();

    /**
     * @param value   the value read, or a stand-in when the text was unusable
     * @param problem what is wrong, after {@code "key: "} (e.g. {@code must be true or false, got 'yes'}); null if nothing
     */
    record Parsed<T>(T value, @Nullable String problem) {
        static <T> Parsed<T> ok(T value) {
            return new Parsed<>(value, null);
        }
    }

    /** Any text. */
    ConfigType<String> STRING = of("text", Parsed::ok);

    /** {@code true} or {@code false}, surrounding blanks ignored. */
    ConfigType<Boolean> BOOLEAN = of("true or false", text -> {
        String v = text.strip();
        return new Parsed<>(v.equals("true"), v.equals("true") || v.equals("false") ? null
                : "must be true or false, got '" + v + "'");
    });

    /** A host name or address that resolves now: a typo is caught at load, not at bind. */
    ConfigType<String> HOST = of("resolvable host name or address", host -> {
        try {
            InetAddress.getByName(host);
            return Parsed.ok(host);
        } catch (IOException e) {
            return new Parsed<>(host, "'" + host + "' is not a resolvable address");
        }
    });

    /** A whole number from {@code min} to {@code max}, both included. */
    static ConfigType<Integer> integer(int min, int max) {
        return of("whole number, " + min + " to " + max, text -> {
            try {
                int n = Integer.parseInt(text.strip());
                return new Parsed<>(n, n < min || n > max
                        ? "must be between " + min + " and " + max + ", got '" + text + "'" : null);
            } catch (NumberFormatException e) {
                return new Parsed<>(min, "must be a whole number, got '" + text + "'");
            }
        });
    }

    /** A number strictly between {@code min} and {@code max}. */
    static ConfigType<Double> decimalBetweenExclusive(double min, double max) {
        String range = plain(min) + " and " + plain(max) + " (exclusive)";
        return of("number between " + range, text -> {
            double d;
            try {
                d = Double.parseDouble(text.strip());
            } catch (NumberFormatException e) {
                return new Parsed<>(Double.NaN, "must be a number, got '" + text + "'");
            }
            return new Parsed<>(d, d > min && d < max ? null : "must be between " + range + ", got '" + d + "'");
        });
    }

    /** A number from {@code min} to {@code max}, both included; unusable text reads as {@code max}. */
    static ConfigType<Double> decimalFromTo(double min, double max) {
        String range = plain(min) + " to " + plain(max);
        return of("number from " + range, text -> {
            double d;
            try {
                d = Double.parseDouble(text.strip());
            } catch (NumberFormatException e) {
                d = Double.NaN;
            }
            return d >= min && d <= max ? Parsed.ok(d)
                    : new Parsed<>(max, "must be a number from " + range + ", got '" + text + "'");
        });
    }

    /** A duration longer than zero ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}, {@code PT30S}). */
    static ConfigType<Duration> positiveDuration() {
        return duration("duration > 0", d -> d.isNegative() || d.isZero() ? "must be longer than zero" : null);
    }

    /** A duration longer than zero and at most {@code max}, which {@code maxText} names as the operator reads it. */
    static ConfigType<Duration> positiveDurationAtMost(Duration max, String maxText) {
        return duration("duration > 0, at most " + maxText, d -> d.isNegative() || d.isZero() ? "must be longer than zero"
                : d.compareTo(max) > 0 ? "must be at most " + maxText : null);
    }

    /** A duration from {@code min} to {@code max}, both included, named as written ({@code 0s}, {@code 5m}). */
    static ConfigType<Duration> durationBetween(String min, String max) {
        Duration lo = Durations.parse(min);
        Duration hi = Durations.parse(max);
        return duration("duration " + min + " to " + max, d -> d.compareTo(lo) < 0 || d.compareTo(hi) > 0
                ? "must be between " + min + " and " + max : null);
    }

    /** One of the given words, exactly. */
    static ConfigType<String> oneOf(String... words) {
        List<String> allowed = List.of(words);
        String listed = allowed.size() == 1 ? allowed.get(0)
                : String.join(", ", allowed.subList(0, allowed.size() - 1)) + " or " + allowed.get(allowed.size() - 1);
        return of("one of " + String.join(", ", allowed), v -> allowed.contains(v) ? Parsed.ok(v)
                : new Parsed<>(v, "must be " + listed + ", got '" + v + "'"));
    }

    /** Text matching {@code regex} entirely; else "'text' is not {@code what}". */
    static ConfigType<String> matching(String regex, String what) {
        Pattern p = Pattern.compile(regex);
        return of(what, v -> p.matcher(v).matches() ? Parsed.ok(v) : new Parsed<>(v, "'" + v + "' is not " + what));
    }

    private static ConfigType<Duration> duration(String description,
                                                 Function<Duration, @Nullable String> outOfRange) {
        return of(description, text -> {
            Duration d;
            try {
                d = Durations.parse(text);
            } catch (IllegalArgumentException e) {
                return new Parsed<>(Duration.ofMinutes(10), "'" + text + "' is " + e.getMessage());
            }
            String problem = outOfRange.apply(d);
            return new Parsed<>(d, problem == null ? null : problem + ", got '" + text + "'");
        });
    }

    private static String plain(double d) {
        return new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
    }

    private static <T> ConfigType<T> of(String description, Function<String, Parsed<T>> parser) {
        return new ConfigType<>() {
            @Override
            public Parsed<T> parse(String text) {
                return parser.apply(text);
            }

            @Override
            public String describe() {
                return description;
            }
        };
    }
}
