package io.jwtsidecar.authz;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * The request headers forward auth reads, gathered in one pass over the request's headers.
 *
 * <p>A decision reads a dozen header names, most of them absent; asking a server's header map for
 * each one hashes the name case-insensitively and builds a list every time, which cost more than
 * the rest of the decision together (AuthzPolicyBenchmark). One pass over the request's dozen or
 * so headers, comparing lengths first, is cheaper. Asking for a header this class does not
 * gather is a programming error and throws. Not thread-safe; one per request.
 */
public final class ForwardAuthHeaders implements Function<String, List<String>> {
    /** Every header forward auth reads, as its readers spell them (string constants, so the same objects). */
    private static final String[] ASKED = {
        "Host", "Authorization", "Cookie", "DPoP",
        ForwardedRequest.FORWARDED_METHOD, ForwardedRequest.ORIGINAL_METHOD, ForwardedRequest.FORWARDED_URI,
        ForwardedRequest.ORIGINAL_URI, ForwardedRequest.FORWARDED_HOST, ForwardedRequest.FORWARDED_PROTO,
        ForwardedRequest.METHOD_OVERRIDES.get(0), ForwardedRequest.METHOD_OVERRIDES.get(1),
        ForwardedRequest.METHOD_OVERRIDES.get(2),
    };

    /** The same, lower case. */
    private static final String[] NAMES = new String[ASKED.length];
    /** Indices into NAMES by name length: most headers are told apart by length and last character. */
    private static final int[][] BY_LENGTH;

    static {
        int longest = 0;
        for (int i = 0; i < NAMES.length; i++) {
            NAMES[i] = ASKED[i].toLowerCase(Locale.ROOT);
            longest = Math.max(longest, NAMES[i].length());
        }
        BY_LENGTH = new int[longest + 1][];
        for (int length = 0; length <= longest; length++) {
            final int l = length;
            BY_LENGTH[length] = IntStream.range(0, NAMES.length).filter(i -> NAMES[i].length() == l).toArray();
        }
    }

    // One slot per name: null, a String (one value), or a List<String> (several).
    private final Object[] values = new Object[NAMES.length];

    private ForwardAuthHeaders() {
    }

    /** Gathers the headers forward auth reads from all of a request's headers (names in any case). */
    public static ForwardAuthHeaders of(Iterable<Map.Entry<String, String>> headers) {
        return of(each -> headers.forEach(h -> each.accept(h.getKey(), h.getValue())));
    }

    /**
     * The same from a header map's {@code forEach(BiConsumer)}, e.g. Vert.x's {@code MultiMap::forEach},
     * which visits its entries without wrapping each in a new object as its iterator does.
     */
    public static ForwardAuthHeaders of(Consumer<BiConsumer<String, String>> forEachHeader) {
        ForwardAuthHeaders gathered = new ForwardAuthHeaders();
        forEachHeader.accept((name, value) -> {
            int i = index(name);
            if (i >= 0) {
                gathered.add(i, value);
            }
        });
        return gathered;
    }

    private static int index(String name) {
        int length = name.length();
        if (length == 0 || length >= BY_LENGTH.length) {
            return -1;
        }
        char last = Character.toLowerCase(name.charAt(length - 1));
        for (int i : BY_LENGTH[length]) {
            if (NAMES[i].charAt(length - 1) == last && NAMES[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Readers ask with the same constants this class lists: compare references first. */
    private static int asked(String name) {
        for (int i = 0; i < ASKED.length; i++) {
            if (ASKED[i] == name) { // NOPMD: identity first, equality below
                return i;
            }
        }
        return index(name);
    }

    @SuppressWarnings("unchecked")
    private void add(int i, String value) {
        Object current = values[i];
        if (current == null) {
            values[i] = value;
        } else if (current instanceof String first) {
            List<String> all = new ArrayList<>(2);
            all.add(first);
            all.add(value);
            values[i] = all;
        } else {
            ((List<String>) current).add(value);
        }
    }

    /**
     * Every value of a header, in the order received.
     *
     * @throws IllegalArgumentException for a header this class does not gather
     */
    @Override
    @SuppressWarnings("unchecked")
    public List<String> apply(String name) {
        int i = asked(name);
        if (i < 0) {
            throw new IllegalArgumentException(name + " is not a header forward auth gathers");
        }
        Object v = values[i];
        return v == null ? List.of() : v instanceof String one ? List.of(one) : (List<String>) v;
    }
}
