package io.jwtsidecar.authz;

import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One entry of {@code routes}: which requests it covers and what it demands of their tokens.
 * An empty {@code hosts} or {@code methods} covers every host or method; a null {@code path}
 * every path. Immutable.
 *
 * @param name           names the route in logs and answers
 * @param hosts          the hosts it covers
 * @param methods        the methods it covers, exactly as sent (upper case by convention); GET
 *                       covers HEAD too, since servers answer HEAD with their GET handler
 * @param path           the paths it covers
 * @param requirements   what a token needs to pass
 * @param tokenLocations where its requests may carry the token; empty for {@code authz.tokenLocations}
 */
public record RouteRule(String name, List<HostPattern> hosts, Set<String> methods, @Nullable PathPattern path,
                        Requirements requirements, List<TokenLocation> tokenLocations) {
    public RouteRule {
        hosts = List.copyOf(hosts);
        methods = Set.copyOf(methods);
        tokenLocations = List.copyOf(tokenLocations);
    }

    /** Whether this route covers a request; a request without a path (a direct call) is covered only by a route without one. */
    public boolean covers(ForwardedRequest request) {
        if (!methods.isEmpty() && !methods.contains(request.method())
                && !(request.method().equals("HEAD") && methods.contains("GET"))) {
            return false;
        }
        if (!hosts.isEmpty() && !anyHostMatches(request.host())) {
            return false;
        }
        if (path == null) {
            return true;
        }
        return request.path() != null && path.matches(request.path());
    }

    // A loop, not a stream: this runs for every route tried on every request.
    private boolean anyHostMatches(@Nullable String host) {
        for (HostPattern h : hosts) {
            if (h.matches(host)) {
                return true;
            }
        }
        return false;
    }
}
