package io.jwtsidecar.authz;

import io.jwtsidecar.token.BearerExtractor;
import io.jwtsidecar.token.DpopHints;
import io.jwtsidecar.token.DpopProofCheck;
import io.jwtsidecar.token.Verdict;
import io.jwtsidecar.token.VerificationOutcome;
import io.jwtsidecar.token.VerifiedToken;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * One forward-auth decision, in order: the proxy's description of the original request
 * ({@link ForwardedRequest}), the route that covers it ({@link RoutePolicy}), the token in the one
 * place it may be ({@link TokenLocator}), verification, the issuer's token locations, and the
 * route's requirements. A token in {@code Authorization: DPoP …} (RFC 9449) is verified with the
 * {@code DPoP} proof against the original request ({@link DpopTarget}), where the route takes
 * tokens from the header. Knows no HTTP library: the caller maps each {@link Result} to an answer.
 * Immutable; safe from any thread.
 */
public final class ForwardAuthDecider {
    /** The route label of a request no route covers (or that was not read far enough to tell). */
    public static final String NO_ROUTE = "none";

    private final RoutePolicy policy;
    private final Function<String, VerificationOutcome> verifier;
    private final ToLongFunction<String> skewOf;
    private final Clock clock;

    /**
     * @param verifier verifies a token
     * @param skewOf   an issuer's clock skew in seconds (how far ahead {@code auth_time} may be)
     * @param clock    for {@code maxAge}
     */
    public ForwardAuthDecider(RoutePolicy policy, Function<String, VerificationOutcome> verifier,
                              ToLongFunction<String> skewOf, Clock clock) {
        this.policy = policy;
        this.verifier = verifier;
        this.skewOf = skewOf;
        this.clock = clock;
    }

    /** What was decided, and by which route ({@link #NO_ROUTE} when none). */
    public sealed interface Result permits Invalid, Refused, Allowed {
        String route();
    }

    /** Not a request the sidecar can judge (400): {@code field} names the header at fault. */
    public record Invalid(String route, String field, String message) implements Result {
    }

    /**
     * Refused: no token, a token the verifier refused (401/503), or a route's policy (403/401).
     *
     * @param dpopHints what the DPoP challenge tells the client (proof algorithms, nonce); null without DPoP
     */
    public record Refused(String route, AuthzDecision decision, @Nullable DpopHints dpopHints) implements Result {
        public Refused(String route, AuthzDecision decision) {
            this(route, decision, null);
        }
    }

    /** Allowed: the verified token (and whether revocation data was stale under fail-open). */
    public record Allowed(String route, VerificationOutcome outcome) implements Result {
    }

    /**
     * @param headers    every value of a request header, by case-insensitive name
     * @param ownMethod  the method of the request to the sidecar
     * @param pathSuffix what follows {@code /v1/authz} in its path, with the query; may be empty
     */
    public Result decide(Function<String, List<String>> headers, String ownMethod, String pathSuffix) {
        return decide(headers, ownMethod, pathSuffix, verifier, null);
    }

    /**
     * The same, with verifiers for this one request, which also check what the request carries
     * besides the token (the client certificate of a bound token, RFC 8705 §3, whatever the
     * scheme): {@code verifier} for a token found where the route looks, {@code dpopVerifier} for
     * one presented with the {@code DPoP} scheme and its proof (RFC 9449). Without a DPoP
     * verifier the DPoP scheme is not read: such a request has no token.
     */
    public Result decide(Function<String, List<String>> headers, String ownMethod, String pathSuffix,
                         Function<String, VerificationOutcome> verifier,
                         @Nullable BiFunction<String, DpopProofCheck.Request, VerificationOutcome> dpopVerifier) {
        ForwardedRequest original;
        Optional<RouteRule> route;
        TokenLocator.Located located;
        String dpopToken = null;
        DpopProofCheck.Request proof = null;
        try {
            original = ForwardedRequest.from(headers, ownMethod, pathSuffix);
            if (original.path() == null && policy.needsPath()) {
                return new Invalid(NO_ROUTE, ForwardedRequest.FORWARDED_URI, "routes are configured, so the proxy "
                        + "must send the original URI (X-Forwarded-Uri or X-Original-URI, or a path after /v1/authz)");
            }
            route = policy.match(original);
            if (route.isEmpty() && policy.denyUnmatched()) {
                return new Refused(NO_ROUTE, AuthzDecision.refuse(Verdict.NO_ROUTE, "no route covers the request"));
            }
            List<TokenLocation> locations = policy.locationsFor(route);
            located = TokenLocator.find(locations, headers, original.query());
            if (dpopVerifier != null && locations.contains(TokenLocation.HEADER)) {
                dpopToken = BearerExtractor.read(headers.apply("Authorization"), BearerExtractor.DPOP_SCHEME).token();
                if (dpopToken != null) {
                    if (located instanceof TokenLocator.Found) {
                        return new Invalid(route.map(RouteRule::name).orElse(NO_ROUTE), "Authorization",
                                "the request carries tokens in two places");
                    }
                    proof = DpopTarget.of(headers, original, pathSuffix);
                }
            }
        } catch (ForwardAuthException e) {
            return new Invalid(NO_ROUTE, e.field(), e.reason());
        }
        String routeName = route.map(RouteRule::name).orElse(NO_ROUTE);
        if (dpopToken != null && proof != null && dpopVerifier != null) {
            located = new TokenLocator.Found(dpopToken, TokenLocation.HEADER);
        }
        if (located instanceof TokenLocator.Absent absent) {
            return new Refused(routeName, AuthzDecision.refuse(absent.verdict(), "no usable token"));
        }
        TokenLocator.Found found = (TokenLocator.Found) located;
        VerificationOutcome outcome = proof != null && dpopVerifier != null
                ? dpopVerifier.apply(found.token(), proof)
                : verifier.apply(found.token());
        if (!outcome.isAccepted()) {
            return new Refused(routeName, AuthzDecision.refuse(Objects.requireNonNull(outcome.verdict(), "a refusal has a verdict"),
                    outcome.detail()), outcome.dpopHints());
        }
        VerifiedToken token = outcome.token();
        if (!policy.issuerAllows(token.issuer(), found.location())) {
            return new Refused(routeName, AuthzDecision.refuse(Verdict.TOKEN_LOCATION_NOT_ALLOWED,
                    "the issuer does not send tokens in " + found.location()), outcome.dpopHints());
        }
        if (route.isPresent()) {
            AuthzDecision decision = route.get().requirements().check(token, clock.millis() / 1000,
                    skewOf.applyAsLong(token.issuer()));
            if (!decision.allowed()) {
                // A good DPoP request refused by policy still gets the nonce (RFC 9449 §9).
                return new Refused(routeName, decision, outcome.dpopHints());
            }
        }
        return new Allowed(routeName, outcome);
    }
}
