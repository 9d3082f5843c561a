package io.jwtsidecar.authz;

import io.jwtsidecar.token.BearerExtractor;
import io.jwtsidecar.token.Verdict;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Finds the one token of a forward-auth request among the places a route allows
 * ({@link TokenLocation}). RFC 6750 §2: a client must not send a token in more than one way, so
 * a request with tokens in two places, or two cookies or parameters of the token's name, is an
 * {@code invalid_request} (400), never a guess. Stateless.
 */
public final class TokenLocator {
    private TokenLocator() {
    }

    /** The token and where it was, or the verdict explaining why there is none. */
    public sealed interface Located permits Found, Absent {
    }

    /** A token, and where the request carried it. */
    public record Found(String token, TokenLocation location) implements Located {
    }

    /** No usable token: {@link Verdict#MISSING_TOKEN} or {@link Verdict#MALFORMED}. */
    public record Absent(Verdict verdict) implements Located {
    }

    /**
     * @param locations where to look
     * @param headers   every value of a request header, by case-insensitive name
     * @param query     the forwarded request's raw query, or null
     * @throws ForwardAuthException when tokens are in more than one place
     */
    public static Located find(List<TokenLocation> locations, Function<String, List<String>> headers,
                               @Nullable String query)
            throws ForwardAuthException {
        Found found = null;
        Absent refusal = null;
        for (TokenLocation location : locations) {
            Located here = switch (location.kind()) {
                case HEADER -> header(headers);
                case COOKIE -> cookie(location, headers.apply("Cookie"));
                case QUERY -> parameter(location, query);
            };
            if (here instanceof Found f) {
                if (found != null) {
                    throw new ForwardAuthException(location.toString(), "the request carries a token in more than one "
                            + "place (" + found.location() + " and " + location + ")");
                }
                found = f;
            } else if (here instanceof Absent a && a.verdict() == Verdict.MALFORMED && refusal == null) {
                refusal = a;
            }
        }
        if (found != null) {
            if (refusal != null) {
                throw new ForwardAuthException(found.location().toString(), "the request carries a token in more than "
                        + "one place (" + found.location() + ", and a malformed one)");
            }
            return found;
        }
        return refusal != null ? refusal : new Absent(Verdict.MISSING_TOKEN);
    }

    private static Located header(Function<String, List<String>> headers) {
        BearerExtractor.Extracted ex = BearerExtractor.fromAuthorization(headers.apply("Authorization"));
        String token = ex.token();
        return token != null ? new Found(token, TokenLocation.HEADER)
                : new Absent(Objects.requireNonNull(ex.verdict(), "no token comes with a verdict"));
    }

    /** RFC 6265 §4.2: {@code name=value} pairs separated by {@code ;}, in one or more Cookie headers. */
    private static Located cookie(TokenLocation location, @Nullable List<String> cookieHeaders) {
        String value = null;
        if (cookieHeaders != null) {
            for (String header : cookieHeaders) {
                for (String pair : header.split(";")) {
                    int eq = pair.indexOf('=');
                    if (eq < 0 || !pair.substring(0, eq).strip().equals(location.name())) {
                        continue;
                    }
                    if (value != null) {
                        return new Absent(Verdict.MALFORMED);
                    }
                    value = unquote(pair.substring(eq + 1).strip());
                }
            }
        }
        return present(value, location);
    }

    private static Located parameter(TokenLocation location, @Nullable String query) {
        String value = null;
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                if (!decode(name).equals(location.name())) {
                    continue;
                }
                if (value != null) {
                    return new Absent(Verdict.MALFORMED);
                }
                value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        return present(value, location);
    }

    private static Located present(@Nullable String value, TokenLocation location) {
        if (value == null) {
            return new Absent(Verdict.MISSING_TOKEN);
        }
        return value.isEmpty() ? new Absent(Verdict.MALFORMED) : new Found(value, location);
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "\u0000" + s; // a broken escape matches no name and is no token
        }
    }
}
