package io.jwtsidecar.authz;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The original request a proxy asks about, as the proxy describes it, validated.
 *
 * <p>Where each part comes from (every source that is present must agree, and each header may
 * appear once: a client that adds its own copy beside the proxy's gets a 400, never a guess):
 * <ul>
 *   <li>method: {@code X-Forwarded-Method} (Traefik, Caddy) or {@code X-Original-Method}
 *       (nginx), else the method of the request itself (Envoy {@code ext_authz} keeps it);
 *       when the path carries the original request (Envoy), the request's own method and
 *       {@code Host} count as sources too, so a header cannot override them;</li>
 *   <li>URI: {@code X-Forwarded-Uri} (Traefik, Caddy) or {@code X-Original-URI} (nginx), else
 *       what follows {@code /v1/authz} in the request's own path (Envoy appends the original path
 *       to its {@code path_prefix});</li>
 *   <li>host: {@code X-Forwarded-Host}, else {@code Host} (Envoy keeps the original authority);</li>
 *   <li>scheme: {@code X-Forwarded-Proto}, else none.</li>
 * </ul>
 *
 * @param method  the HTTP method, as sent (methods are case-sensitive)
 * @param host    the host name, lower case, without port; null when none was given
 * @param path    the canonical path ({@link RequestPath}); null when no URI was given (a direct call)
 * @param query   the raw query string without {@code ?}; null when there is none
 * @param scheme  {@code http} or {@code https}; null when not given
 */
public record ForwardedRequest(String method, @Nullable String host, @Nullable String path, @Nullable String query,
                               @Nullable String scheme) {
    public static final String FORWARDED_METHOD = "X-Forwarded-Method";
    public static final String ORIGINAL_METHOD = "X-Original-Method";
    public static final String FORWARDED_URI = "X-Forwarded-Uri";
    public static final String ORIGINAL_URI = "X-Original-URI";
    public static final String FORWARDED_HOST = "X-Forwarded-Host";
    public static final String FORWARDED_PROTO = "X-Forwarded-Proto";
    /**
     * Method overrides that Rails, Express, Laminas and ASP.NET honour: a POST with one of these
     * is another method to them, so the sidecar refuses one that names another method rather than
     * judge the request by the wrong one.
     */
    public static final List<String> METHOD_OVERRIDES = List.of("X-HTTP-Method-Override", "X-HTTP-Method",
            "X-Method-Override");

    private static final String TCHAR_SYMBOLS = "!#$%&'*+.^_`|~-";

    /**
     * @param headers     every value of a request header, by case-insensitive name
     * @param ownMethod   the method of the request to the sidecar
     * @param pathSuffix  what follows {@code /v1/authz} in the request's path, with its query; may be empty
     */
    public static ForwardedRequest from(Function<String, List<String>> headers, String ownMethod, String pathSuffix)
            throws ForwardAuthException {
        // Envoy's way (the original path after /v1/authz) keeps the original method and Host as well.
        boolean envoyStyle = !pathSuffix.isEmpty();
        String method = agreed(headers, FORWARDED_METHOD, ORIGINAL_METHOD, envoyStyle ? ownMethod : null);
        if (method == null) {
            method = ownMethod;
        }
        if (!isMethod(method)) {
            throw new ForwardAuthException(FORWARDED_METHOD, "the method is not an HTTP token of at most 32 characters");
        }
        for (String override : METHOD_OVERRIDES) {
            String other = single(headers, override);
            if (other != null && !other.equals(method)) {
                throw new ForwardAuthException(override, override + " names another method than the request's; "
                        + "the request would be judged as the wrong one");
            }
        }
        String uri = agreed(headers, FORWARDED_URI, ORIGINAL_URI, pathSuffix.isEmpty() ? null : pathSuffix);
        String path = null;
        String query = null;
        if (uri != null) {
            if (uri.length() > RequestPath.MAX_LENGTH) {
                throw new ForwardAuthException(FORWARDED_URI, "the URI is longer than " + RequestPath.MAX_LENGTH + " characters");
            }
            int q = uri.indexOf('?');
            path = RequestPath.canonical(q < 0 ? uri : uri.substring(0, q), FORWARDED_URI);
            query = q < 0 ? null : uri.substring(q + 1);
            if (query != null && !printableAscii(query)) {
                throw new ForwardAuthException(FORWARDED_URI, "the query has a character outside printable ASCII");
            }
        }
        String forwardedHost = single(headers, FORWARDED_HOST);
        String ownHost = single(headers, "Host");
        if (envoyStyle && forwardedHost != null && !forwardedHost.equals(ownHost)) {
            throw new ForwardAuthException(FORWARDED_HOST, FORWARDED_HOST + " and Host disagree about the original request");
        }
        String host = forwardedHost != null ? forwardedHost : ownHost;
        if (host != null) {
            host = hostName(host);
        }
        String scheme = single(headers, FORWARDED_PROTO);
        if (scheme != null) {
            scheme = scheme.toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new ForwardAuthException(FORWARDED_PROTO, "must be http or https");
            }
        }
        return new ForwardedRequest(method, host, path, query, scheme);
    }

    /** The value of whichever of two headers (and a third source) is present; all present must be equal. */
    private static @Nullable String agreed(Function<String, List<String>> headers, String first, String second,
                                 @Nullable String third)
            throws ForwardAuthException {
        String a = single(headers, first);
        String b = single(headers, second);
        String value = a != null ? a : b != null ? b : third;
        if ((a != null && !a.equals(value)) || (b != null && !b.equals(value)) || (third != null && !third.equals(value))) {
            throw new ForwardAuthException(first, first + ", " + second + " and the request itself disagree about "
                    + "the original request");
        }
        return value;
    }

    private static @Nullable String single(Function<String, List<String>> headers, String name) throws ForwardAuthException {
        List<String> values = headers.apply(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new ForwardAuthException(name, name + " appears more than once");
        }
        String v = values.get(0).strip();
        if (v.isEmpty()) {
            return null;
        }
        return v;
    }

    /** An HTTP token (RFC 9110 §5.6.2) of 1 to 32 characters. Loops, not a regex: this runs on every request. */
    private static boolean isMethod(String method) {
        int n = method.length();
        if (n == 0 || n > 32) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = method.charAt(i);
            if (!(asciiLetterOrDigit(c) || TCHAR_SYMBOLS.indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A registered name or IPv4 address ({@code [A-Za-z0-9][A-Za-z0-9_.-]*}), or an IPv6 literal in
     * brackets, with an optional port of up to five digits (RFC 3986 §3.2.2): the name lower-cased,
     * without port and without one trailing dot.
     */
    private static String hostName(String host) throws ForwardAuthException {
        int n = host.length();
        int nameEnd;
        if (n > 0 && host.charAt(0) == '[') {
            nameEnd = host.indexOf(']') + 1;
            if (nameEnd < 4 || nameEnd > 47 || !allOf(host, 1, nameEnd - 1, "0123456789abcdefABCDEF:.")) {
                throw badHost();
            }
        } else {
            nameEnd = host.indexOf(':');
            nameEnd = nameEnd < 0 ? n : nameEnd;
            if (nameEnd == 0 || nameEnd > 253 || !asciiLetterOrDigit(host.charAt(0))) {
                throw badHost();
            }
            for (int i = 1; i < nameEnd; i++) {
                char c = host.charAt(i);
                if (!(asciiLetterOrDigit(c) || c == '-' || c == '.' || c == '_')) {
                    throw badHost();
                }
            }
        }
        if (nameEnd < n && (host.charAt(nameEnd) != ':' || n - nameEnd - 1 < 1 || n - nameEnd - 1 > 5
                || !allOf(host, nameEnd + 1, n, "0123456789"))) {
            throw badHost();
        }
        String name = host.substring(0, host.charAt(nameEnd - 1) == '.' ? nameEnd - 1 : nameEnd);
        return name.toLowerCase(Locale.ROOT);
    }

    private static ForwardAuthException badHost() {
        return new ForwardAuthException(FORWARDED_HOST, "not a host name with an optional port");
    }

    private static boolean asciiLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static boolean allOf(String s, int from, int to, String allowed) {
        for (int i = from; i < to; i++) {
            if (allowed.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean printableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                return false;
            }
        }
        return true;
    }
}
