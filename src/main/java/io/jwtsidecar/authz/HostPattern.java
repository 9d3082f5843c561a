package io.jwtsidecar.authz;

import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A host a route covers: an exact name ({@code api.example.com}), or every name below a domain
 * ({@code *.example.com} covers {@code a.example.com} and {@code a.b.example.com}, not
 * {@code example.com}). Compared case-insensitively, without the port. Immutable.
 */
public final class HostPattern {
    private static final Pattern NAME = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9_.-]{0,252})|\\[[0-9a-f:.]{2,45}]");

    private final String text;
    private final @Nullable String suffix;

    private HostPattern(String text, @Nullable String suffix) {
        this.text = text;
        this.suffix = suffix;
    }

    /** @throws IllegalArgumentException when it is not a host name, optionally starting with {@code *.} */
    public static HostPattern of(String pattern) {
        String p = pattern.toLowerCase(Locale.ROOT);
        if (!NAME.matcher(p).matches()) {
            throw new IllegalArgumentException("'" + pattern + "' is not a host name (without port), optionally "
                    + "starting with '*.'");
        }
        return p.startsWith("*.") ? new HostPattern(p, p.substring(1)) : new HostPattern(p, null);
    }

    /** @param host a lower-case host name without port ({@link ForwardedRequest#host()}), or null */
    public boolean matches(@Nullable String host) {
        if (host == null) {
            return false;
        }
        return suffix == null ? host.equals(text) : host.length() > suffix.length() && host.endsWith(suffix);
    }

    @Override
    public String toString() {
        return text;
    }
}
