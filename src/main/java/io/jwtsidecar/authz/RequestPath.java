package io.jwtsidecar.authz;

/**
 * The one canonical form of a request path that route matching sees, or a refusal.
 *
 * <p>Proxies and services disagree on what {@code /a/%2e%2e/b}, {@code /a//b} or {@code /a%2Fb}
 * mean: some resolve them, some pass them on as they are. A sidecar that matched one reading
 * while the service acted on another could be steered onto a route with weaker requirements.
 * So a path is only ever read one way:
 * <ul>
 *   <li>percent-encoded unreserved characters ({@code A-Z a-z 0-9 - . _ ~}) are decoded, and
 *       the hex digits of every other escape are upper-cased (RFC 3986 §6.2.2);</li>
 *   <li>a path that an upstream could still read in more than one way is refused: a
 *       {@code .} or {@code ..} segment (also when encoded), an empty segment ({@code //}), an
 *       encoded {@code /} or {@code \}, a backslash, an encoded control character, a broken
 *       escape, anything outside printable ASCII, and path parameters ({@code ;}, also encoded:
 *       Tomcat, Jetty, Undertow and Spring drop {@code ;params} before resolving dot segments,
 *       so {@code /public/..;/admin} is {@code /admin} to them, and nginx decodes {@code %3B}
 *       when it rewrites a URI).</li>
 * </ul>
 * Stateless.
 */
public final class RequestPath {
    /** Longest path accepted: beyond every proxy's default request-line limit. */
    public static final int MAX_LENGTH = 8192;

    private RequestPath() {
    }

    /**
     * @param raw   the path as the client sent it (no query), starting with {@code /}
     * @param field the header it came from, for the refusal
     * @return the canonical path
     * @throws ForwardAuthException when the path is not exactly one path
     */
    public static String canonical(String raw, String field) throws ForwardAuthException {
        if (raw.isEmpty() || raw.charAt(0) != '/') {
            throw new ForwardAuthException(field, "the path must start with '/'");
        }
        if (raw.length() > MAX_LENGTH) {
            throw new ForwardAuthException(field, "the path is longer than " + MAX_LENGTH + " characters");
        }
        StringBuilder out = null;
        int segmentStart = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new ForwardAuthException(field, "the path has a character outside printable ASCII");
            }
            if (c == '\\') {
                throw new ForwardAuthException(field, "the path has a backslash, which upstreams read differently");
            }
            if (c == '#') {
                throw new ForwardAuthException(field, "the path has a fragment");
            }
            if (c == ';') {
                throw new ForwardAuthException(field, "the path has path parameters (';'), which upstreams read differently");
            }
            if (c == '%') {
                if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
                    throw new ForwardAuthException(field, "the path has a broken percent-escape");
                }
                int b = hex(raw.charAt(i + 1)) << 4 | hex(raw.charAt(i + 2));
                if (b == '/' || b == '\\') {
                    throw new ForwardAuthException(field, "the path has an encoded '/' or '\\', which upstreams read differently");
                }
                if (b == ';') {
                    throw new ForwardAuthException(field, "the path has an encoded ';', which upstreams read differently");
                }
                if (b < 0x20 || b == 0x7f) {
                    throw new ForwardAuthException(field, "the path has an encoded control character");
                }
                if (out == null) {
                    out = new StringBuilder(raw.length()).append(raw, 0, i);
                }
                if (unreserved(b)) {
                    out.append((char) b);
                } else {
                    out.append('%').append(upperHex(b >> 4)).append(upperHex(b & 0xf));
                }
                i += 2;
                continue;
            }
            if (out != null) {
                out.append(c);
            }
        }
        String path = out == null ? raw : out.toString();
        checkSegments(path, field);
        return path;
    }

    private static void checkSegments(String path, String field) throws ForwardAuthException {
        int start = 1;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            int length = end - start;
            boolean last = end == path.length();
            if (length == 0 && !last) {
                throw new ForwardAuthException(field, "the path has an empty segment ('//')");
            }
            if ((length == 1 && path.charAt(start) == '.') || (length == 2 && path.startsWith("..", start))) {
                throw new ForwardAuthException(field, "the path has a '.' or '..' segment, which upstreams read differently");
            }
            start = end + 1;
        }
    }

    private static boolean unreserved(int b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '.'
                || b == '_' || b == '~';
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    private static char upperHex(int nibble) {
        return Character.toUpperCase(Character.forDigit(nibble, 16));
    }
}
