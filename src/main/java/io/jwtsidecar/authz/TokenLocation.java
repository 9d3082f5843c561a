package io.jwtsidecar.authz;

import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where a request may carry its token: the {@code Authorization: Bearer} header (the default,
 * RFC 6750 §2.1), a cookie (for browser sessions; the identity provider or login service should
 * set it HttpOnly, Secure and SameSite), or a query parameter (RFC 6750 §2.3: leaks into logs,
 * histories and Referer headers, so never on unless configured). Written in configuration as
 * {@code header}, {@code cookie:NAME} or {@code query:NAME}. Immutable.
 *
 * @param kind where
 * @param name the cookie or parameter name; null for the header
 */
public record TokenLocation(Kind kind, @Nullable String name) {
    /** The three places. */
    public enum Kind { HEADER, COOKIE, QUERY }

    private static final Pattern NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");

    public static final TokenLocation HEADER = new TokenLocation(Kind.HEADER, null);

    /** @throws IllegalArgumentException for anything but {@code header}, {@code cookie:NAME} or {@code query:NAME} */
    public static TokenLocation parse(String text) {
        if (text.equals("header")) {
            return HEADER;
        }
        int colon = text.indexOf(':');
        String kind = colon < 0 ? text : text.substring(0, colon);
        String name = colon < 0 ? "" : text.substring(colon + 1);
        if ((kind.equals("cookie") || kind.equals("query")) && NAME.matcher(name).matches()) {
            return new TokenLocation(kind.equals("cookie") ? Kind.COOKIE : Kind.QUERY, name);
        }
        throw new IllegalArgumentException("'" + text + "' is not header, cookie:NAME or query:NAME");
    }

    @Override
    public String toString() {
        return kind == Kind.HEADER ? "header" : kind.name().toLowerCase(Locale.ROOT) + ":" + name;
    }
}
