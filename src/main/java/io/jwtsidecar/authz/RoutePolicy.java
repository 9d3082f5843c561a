package io.jwtsidecar.authz;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The forward-auth policy: the routes in the order configured (the first that covers a request
 * decides, as in nginx, Envoy and Traefik route tables), what happens to a request no route covers,
 * and where tokens are looked for by default. Immutable.
 *
 * @param routes          in order
 * @param denyUnmatched   true: a request no route covers gets 403 {@code no_route}
 *                        ({@code authz.defaultAction: deny}); false: it needs a valid token only
 * @param tokenLocations  where tokens are looked for unless a route says otherwise
 * @param issuerLocations per issuer that restricts it ({@code issuers[].tokenLocations}), the only
 *                        places its tokens may come from; issuers not named here may use any
 * @param caseInsensitivePaths match paths ignoring ASCII case ({@code authz.caseInsensitivePaths}),
 *                        for upstreams that route that way (Express by default, ASP.NET, IIS): then
 *                        {@code /ADMIN} is judged by the {@code /admin} route the upstream serves it
 *                        from (the routes' patterns must be {@link PathPattern#ignoringCase()})
 */
public record RoutePolicy(List<RouteRule> routes, boolean denyUnmatched, List<TokenLocation> tokenLocations,
                          Map<String, Set<TokenLocation>> issuerLocations, boolean caseInsensitivePaths) {
    private static final RoutePolicy OPEN = new RoutePolicy(List.of(), false, List.of(TokenLocation.HEADER), Map.of());

    /** A policy that matches paths case-sensitively. */
    public RoutePolicy(List<RouteRule> routes, boolean denyUnmatched, List<TokenLocation> tokenLocations,
                       Map<String, Set<TokenLocation>> issuerLocations) {
        this(routes, denyUnmatched, tokenLocations, issuerLocations, false);
    }

    public RoutePolicy {
        routes = List.copyOf(routes);
        tokenLocations = List.copyOf(tokenLocations);
        issuerLocations = Map.copyOf(issuerLocations);
        if (tokenLocations.isEmpty()) {
            throw new IllegalArgumentException("at least one token location is needed");
        }
    }

    /** No routes, every request needs a valid token in the Authorization header: the behaviour without configuration. */
    public static RoutePolicy open() {
        return OPEN;
    }

    /** The first route that covers the request. */
    public Optional<RouteRule> match(ForwardedRequest request) {
        ForwardedRequest r = caseInsensitivePaths && request.path() != null
                ? new ForwardedRequest(request.method(), request.host(), request.path().toLowerCase(Locale.ROOT),
                request.query(), request.scheme())
                : request;
        for (RouteRule route : routes) {
            if (route.covers(r)) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    /** Where to look for the token of a request the route (or no route) covers. */
    public List<TokenLocation> locationsFor(Optional<RouteRule> route) {
        return route.map(RouteRule::tokenLocations).filter(l -> !l.isEmpty()).orElse(tokenLocations);
    }

    /** Whether tokens of this issuer may come from this place. */
    public boolean issuerAllows(String issuer, TokenLocation location) {
        Set<TokenLocation> allowed = issuerLocations.get(issuer);
        return allowed == null || allowed.contains(location);
    }

    /** Whether any route or the default needs the request's path: then a request must say what it was. */
    public boolean needsPath() {
        return !routes.isEmpty();
    }
}
