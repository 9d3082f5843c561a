package io.jwtsidecar.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code JWT_SIDECAR_*} environment variables that set nothing. An override with a misspelt name
 * is otherwise ignored without a word, and the sidecar runs with the file's value instead.
 */
final class UnknownVariables {
    static final String PREFIX = "JWT_SIDECAR_";
    /**
     * Variables of that prefix that are not settings but are not mistakes either: the proxy
     * examples (deploy/proxies) read JWT_SIDECAR_ADDR, and a host may export it to both.
     */
    static final Set<String> NOT_SETTINGS = Set.of("JWT_SIDECAR_ADDR");
    /**
     * Kubernetes gives every pod variables for each Service of its namespace (service links): the
     * Service jwt-sidecar-webhook brings JWT_SIDECAR_WEBHOOK_SERVICE_HOST, …_PORT_443_TCP_ADDR and
     * so on. Nobody typed them, so they are not reported.
     */
    private static final Pattern SERVICE_LINK = Pattern.compile(
            "JWT_SIDECAR(_[A-Z0-9_]+)?_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT_\\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)");
    /** …and {@code <SERVICE>_PORT=tcp://10.96.0.7:443}, told apart from a setting's variable by its value. */
    private static final Pattern SERVICE_LINK_PORT = Pattern.compile("JWT_SIDECAR(_[A-Z0-9_]+)?_PORT");
    private static final Pattern SERVICE_LINK_URL = Pattern.compile("(tcp|udp|sctp)://\\S+");

    private UnknownVariables() {
    }

    /**
     * One error per unknown variable, with the nearest setting's variable when one is close.
     *
     * @param referenced names the configuration text uses as {@code ${NAME}}: those are read too
     */
    static List<String> problems(Map<String, String> env, Set<String> referenced) {
        Set<String> known = new TreeSet<>(NOT_SETTINGS);
        ConfigKeys.ALL.forEach(k -> known.add(k.envName()));
        List<String> problems = new ArrayList<>();
        for (String name : new TreeSet<>(env.keySet())) {
            if (name.startsWith(PREFIX) && !known.contains(name) && !referenced.contains(name)
                    && !serviceLink(name, env.get(name))) {
                problems.add("environment variable " + name + " is not a setting"
                        + nearest(name, known).map(n -> " (did you mean " + n + "?)").orElse(""));
            }
        }
        return problems;
    }

    private static boolean serviceLink(String name, @Nullable String value) {
        return SERVICE_LINK.matcher(name).matches()
                || SERVICE_LINK_PORT.matcher(name).matches() && value != null && SERVICE_LINK_URL.matcher(value).matches();
    }

    /** The closest known name, ignoring case, if close enough to be the intended one. */
    private static Optional<String> nearest(String name, Set<String> known) {
        String given = name.toUpperCase(Locale.ROOT).substring(PREFIX.length());
        // A third of the name may be wrong: catches a missing word break or a plural, not a guess.
        int allowed = Math.max(2, given.length() / 3);
        return known.stream()
                .filter(k -> distance(given, k.substring(PREFIX.length())) <= allowed)
                .min(Comparator.comparingInt((String k) -> distance(given, k.substring(PREFIX.length())))
                        .thenComparing(Comparator.naturalOrder()));
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
