package io.jwtsidecar.http;

import io.jwtsidecar.authz.AuthzDecision;
import io.jwtsidecar.authz.ForwardAuthException;
import io.jwtsidecar.authz.ForwardedRequest;
import io.jwtsidecar.authz.RoutePolicy;
import io.jwtsidecar.authz.RouteRule;
import io.jwtsidecar.authz.TokenLocator;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.token.Verdict;
import io.jwtsidecar.token.VerificationOutcome;
import io.jwtsidecar.token.VerifiedToken;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Forward auth: {@code /v1/authz} and everything below it, for nginx {@code auth_request},
 * Envoy {@code ext_authz}, Traefik ForwardAuth and Caddy {@code forward_auth}.
 *
 * <p>The whole family is claimed by its raw path before any routing ({@link #claims}): a path
 * such as {@code /v1/authz/%2e%2e/metrics} is a forward-auth question about a path that the
 * sidecar refuses to read, never a request for {@code /metrics}. Each answer goes through, in order:
 * the client's copies of sidecar-owned headers, the proxy's description of the original request
 * ({@link ForwardedRequest}), the route that covers it ({@link RoutePolicy}), the token in the
 * one place it may be ({@link TokenLocator}), verification, the issuer's token locations, and the
 * route's requirements. Stateless apart from its collaborators; safe on any event loop.
 */
final class ForwardAuthHandler {
    static final String PATH = "/v1/authz";
    /** Envoy removes these request headers before the upstream sees the request. */
    static final String ENVOY_HEADERS_TO_REMOVE = "x-envoy-auth-headers-to-remove";
    private static final String NO_ROUTE = "none";

    /** What to do with a client's copy of a header the sidecar sets. */
    enum ClientCopies {
        /** Answer 400: a client that sends X-Auth-Subject is forging an identity (the default). */
        REFUSE,
        /** Judge the request, and name the copies in {@value #ENVOY_HEADERS_TO_REMOVE} for Envoy to drop. */
        STRIP
    }

    private final Function<String, VerificationOutcome> verifier;
    private final ToLongFunction<String> skewOf;
    private final IdentityHeaders identity;
    private final RoutePolicy policy;
    private final ClientCopies clientCopies;
    private final SidecarMetrics metrics;
    private final Clock clock;

    /**
     * @param verifier verifies a token and counts it
     * @param skewOf   an issuer's clock skew in seconds
     */
    ForwardAuthHandler(Function<String, VerificationOutcome> verifier, ToLongFunction<String> skewOf,
                       IdentityHeaders identity, RoutePolicy policy, ClientCopies clientCopies, SidecarMetrics metrics,
                       Clock clock) {
        this.verifier = verifier;
        this.skewOf = skewOf;
        this.identity = identity;
        this.policy = policy;
        this.clientCopies = clientCopies;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Whether a raw (undecoded, unnormalised) request path belongs to the forward-auth family. */
    static boolean claims(String rawPath) {
        return rawPath != null && rawPath.startsWith(PATH)
                && (rawPath.length() == PATH.length() || rawPath.charAt(PATH.length()) == '/');
    }

    void handle(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        MultiMap headers = request.headers();
        Function<String, List<String>> lookup = headers::getAll;
        List<String> copies = identity.clientCopies(headers);
        if (!copies.isEmpty() && clientCopies == ClientCopies.REFUSE) {
            invalid(response, NO_ROUTE, copies.get(0), "the request carries " + copies.get(0)
                    + ", a header only the sidecar sets");
            return;
        }
        ForwardedRequest original;
        Optional<RouteRule> route;
        TokenLocator.Located located;
        try {
            original = ForwardedRequest.from(lookup, request.method().name(), pathSuffix(request));
            if (original.path() == null && policy.needsPath()) {
                throw new ForwardAuthException(ForwardedRequest.FORWARDED_URI, "routes are configured, so the proxy "
                        + "must send the original URI (X-Forwarded-Uri or X-Original-URI, or a path after " + PATH + ")");
            }
            route = policy.match(original);
            if (route.isEmpty() && policy.denyUnmatched()) {
                refuse(response, NO_ROUTE, AuthzDecision.refuse(Verdict.NO_ROUTE, "no route covers the request"));
                return;
            }
            located = TokenLocator.find(policy.locationsFor(route), lookup, original.query());
        } catch (ForwardAuthException e) {
            invalid(response, NO_ROUTE, e.field(), e.getMessage());
            return;
        }
        String routeName = route.map(RouteRule::name).orElse(NO_ROUTE);
        if (!located.found()) {
            refuse(response, routeName, AuthzDecision.refuse(located.verdict(), "no usable token"));
            return;
        }
        VerificationOutcome outcome = verifier.apply(located.token());
        if (!outcome.isAccepted()) {
            metrics.authorized(routeName, outcome.verdict().code());
            HttpResponses.refused(response, outcome.verdict());
            return;
        }
        VerifiedToken token = outcome.token();
        if (!policy.issuerAllows(token.issuer(), located.location())) {
            refuse(response, routeName, AuthzDecision.refuse(Verdict.TOKEN_LOCATION_NOT_ALLOWED,
                    "the issuer does not send tokens in " + located.location()));
            return;
        }
        AuthzDecision decision = route.map(r -> r.requirements().check(token, clock.millis() / 1000,
                skewOf.applyAsLong(token.issuer()))).orElse(AuthzDecision.allow());
        if (!decision.allowed()) {
            refuse(response, routeName, decision);
            return;
        }
        metrics.authorized(routeName, "allowed");
        List<String> toRemove = new ArrayList<>(0);
        if (!copies.isEmpty()) {
            // STRIP: the client's copies the answer does not overwrite go too (Envoy acts on this header).
            for (String copy : copies) {
                if (!identity.setsOnEveryAnswer(copy)) {
                    toRemove.add(copy.toLowerCase(Locale.ROOT));
                }
            }
        }
        if (!toRemove.isEmpty()) {
            response.putHeader(ENVOY_HEADERS_TO_REMOVE, String.join(",", toRemove));
        }
        HttpResponses.authorized(response, outcome, identity);
    }

    private void refuse(HttpServerResponse response, String routeName, AuthzDecision decision) {
        metrics.authorized(routeName, decision.verdict().code());
        HttpResponses.refused(response, decision);
    }

    private void invalid(HttpServerResponse response, String routeName, String field, String message) {
        metrics.authorized(routeName, Verdict.INVALID_REQUEST.code());
        HttpResponses.invalidRequest(response, field, message);
    }

    /** What follows {@code /v1/authz} in the raw path, with the query: Envoy's original request URI. */
    private static String pathSuffix(HttpServerRequest request) {
        String suffix = request.path().substring(PATH.length());
        if (suffix.isEmpty()) {
            return suffix;
        }
        String query = request.query();
        return query == null ? suffix : suffix + "?" + query;
    }
}
