package io.jwtsidecar.authz;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which canonical paths ({@link RequestPath}) a route covers, segment by segment, so that a
 * prefix {@code /orders} never covers {@code /orders-admin}. One trailing slash is ignored on
 * both sides: Express (by default), Spring 5 and many others serve {@code /orders/42/} from
 * {@code /orders/{id}}, so the sidecar must judge it by that route too.
 *
 * <ul>
 *   <li>A prefix ({@code pathPrefix: /orders}) covers {@code /orders} and everything below it.</li>
 *   <li>A template ({@code path: /orders/{id}/items}) covers paths with exactly as many segments,
 *       where a {@code {name}} segment is any one non-empty segment and every other segment is
 *       compared exactly; a last segment {@code **} covers any number of further segments,
 *       none included.</li>
 * </ul>
 * Immutable.
 */
public final class PathPattern {
    /** A template segment: a literal, any one non-empty segment ({name}), or any rest (**). */
    private enum Kind { LITERAL, ANY_SEGMENT, ANY_REST }

    private final String text;
    private final String[] segments;
    private final Kind[] kinds;
    private final boolean prefix;

    private PathPattern(String text, List<String> segments, boolean prefix) {
        this.text = text;
        this.segments = segments.toArray(String[]::new);
        this.kinds = new Kind[this.segments.length];
        for (int i = 0; i < kinds.length; i++) {
            String p = this.segments[i];
            kinds[i] = p.equals("**") ? Kind.ANY_REST
                    : p.startsWith("{") && p.endsWith("}") && p.length() > 2 ? Kind.ANY_SEGMENT : Kind.LITERAL;
        }
        this.prefix = prefix;
    }

    /**
     * @param template a path template such as {@code /orders/{id}} or {@code /files/**}
     * @throws IllegalArgumentException when it is not canonical or misuses a placeholder
     */
    public static PathPattern template(String template) {
        List<String> parts = parse(withoutTrailingSlash(template));
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            if (p.equals("**")) {
                if (i != parts.size() - 1) {
                    throw new IllegalArgumentException("'**' may only be the last segment");
                }
            } else if (p.startsWith("{") && p.endsWith("}") && p.length() > 2) {
                if (p.substring(1, p.length() - 1).matches(".*[{}*].*")) {
                    throw new IllegalArgumentException("segment '" + p + "' is not a placeholder {name}");
                }
            } else if (p.contains("{") || p.contains("}") || p.contains("*")) {
                throw new IllegalArgumentException("segment '" + p + "' mixes a placeholder with text; a placeholder is "
                        + "a whole segment, {name} or a last **");
            }
        }
        return new PathPattern(template, parts, false);
    }

    /**
     * @param prefix a canonical path such as {@code /orders}; a trailing {@code /} is ignored
     * @throws IllegalArgumentException when it is not canonical
     */
    public static PathPattern prefix(String prefix) {
        String trimmed = withoutTrailingSlash(prefix);
        List<String> parts = trimmed.equals("/") ? List.of() : parse(trimmed);
        for (String p : parts) {
            if (p.contains("{") || p.contains("}") || p.contains("*")) {
                throw new IllegalArgumentException("a prefix has no placeholders; use path for a template");
            }
        }
        return new PathPattern(prefix, parts, true);
    }

    private static String withoutTrailingSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static List<String> parse(String path) {
        String canonical;
        try {
            canonical = RequestPath.canonical(path, "path");
        } catch (ForwardAuthException e) {
            throw new IllegalArgumentException(e.reason(), e);
        }
        if (!canonical.equals(path)) {
            throw new IllegalArgumentException("not in canonical form; write it as '" + canonical + "'");
        }
        return new ArrayList<>(List.of(path.substring(1).split("/", -1)));
    }

    /**
     * The same pattern for paths that are lower-cased before matching
     * ({@link RoutePolicy#caseInsensitivePaths()}): its literal segments lower-cased too.
     */
    public PathPattern ignoringCase() {
        List<String> lower = new ArrayList<>();
        for (String segment : segments) {
            lower.add(segment.toLowerCase(Locale.ROOT));
        }
        return new PathPattern(text, lower, prefix);
    }

    /** Whether this pattern covers a canonical path. Allocation-free. */
    public boolean matches(String path) {
        int length = path.length() > 1 && path.charAt(path.length() - 1) == '/' ? path.length() - 1 : path.length();
        int pos = 1; // after the leading '/'
        for (int i = 0; i < segments.length; i++) {
            if (kinds[i] == Kind.ANY_REST) {
                return true;
            }
            if (pos > length) {
                return false;
            }
            int end = path.indexOf('/', pos);
            if (end < 0 || end > length) {
                end = length;
            }
            String s = segments[i];
            if (kinds[i] == Kind.ANY_SEGMENT) {
                if (end == pos) {
                    return false;
                }
            } else if (end - pos != s.length() || !path.startsWith(s, pos)) {
                return false;
            }
            pos = end + 1;
        }
        if (prefix) {
            return true;
        }
        return pos == length + 1;
    }

    @Override
    public String toString() {
        return (prefix ? "prefix " : "template ") + text;
    }
}
