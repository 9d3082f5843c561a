package io.jwtsidecar.http;

import io.jwtsidecar.authz.ForwardAuthDecider;
import io.jwtsidecar.authz.ForwardAuthHeaders;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.token.BearerExtractor;
import io.jwtsidecar.token.DpopProofCheck;
import io.jwtsidecar.token.Verdict;
import io.jwtsidecar.token.VerificationOutcome;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Forward auth: {@code /v1/authz} and everything below it, for nginx {@code auth_request},
 * Envoy {@code ext_authz}, Traefik ForwardAuth and Caddy {@code forward_auth}.
 *
 * <p>The whole family is claimed by its raw path before any routing ({@link #claims}): a path
 * such as {@code /v1/authz/%2e%2e/metrics} is a forward-auth question about a path that the
 * sidecar refuses to read, never a request for {@code /metrics}. The handler checks the client's
 * copies of sidecar-owned headers, asks {@link ForwardAuthDecider} for the decision, counts it and
 * answers. Stateless apart from its collaborators; safe on any event loop.
 */
final class ForwardAuthHandler {
    static final String PATH = "/v1/authz";
    /** Envoy removes these request headers before the upstream sees the request. */
    static final String ENVOY_HEADERS_TO_REMOVE = "x-envoy-auth-headers-to-remove";

    /** What to do with a client's copy of a header the sidecar sets. */
    enum ClientCopies {
        /** Answer 400: a client that sends X-Auth-Subject is forging an identity (the default). */
        REFUSE,
        /** Judge the request, and name the copies in {@value #ENVOY_HEADERS_TO_REMOVE} for Envoy to drop. */
        STRIP
    }

    private final ForwardAuthDecider decider;
    private final IdentityHeaders identity;
    private final ClientCopies clientCopies;
    private final SidecarMetrics metrics;
    private final RequestSpans spans;
    private final BiFunction<String, HttpServerRequest, VerificationOutcome> verify;
    private final DpopVerify verifyDpop;

    /** Verifies a token presented with the DPoP scheme, with its proof, for the request it came in. */
    @FunctionalInterface
    interface DpopVerify {
        VerificationOutcome apply(String token, DpopProofCheck.Request proof, HttpServerRequest request);
    }

    /**
     * @param verify           verifies a token for the request it came in (a bound token needs that
     *                         request's client certificate)
     * @param verifyDpop       the same for a token presented with the DPoP scheme and its proof
     */
    ForwardAuthHandler(ForwardAuthDecider decider, IdentityHeaders identity, ClientCopies clientCopies,
                       SidecarMetrics metrics, RequestSpans spans,
                       BiFunction<String, HttpServerRequest, VerificationOutcome> verify,
                       DpopVerify verifyDpop) {
        this.verify = verify;
        this.verifyDpop = verifyDpop;
        this.spans = spans;
        this.decider = decider;
        this.identity = identity;
        this.clientCopies = clientCopies;
        this.metrics = metrics;
    }

    /** Whether a raw (undecoded, unnormalised) request path belongs to the forward-auth family. */
    static boolean claims(String rawPath) {
        return rawPath != null && rawPath.startsWith(PATH)
                && (rawPath.length() == PATH.length() || rawPath.charAt(PATH.length()) == '/');
    }

    void handle(HttpServerRequest request) {
        if (!spans.enabled()) {
            answer(request);
            return;
        }
        Span span = spans.start(request, PATH);
        String code = "error";
        try {
            code = answer(request);
        } finally {
            RequestSpans.end(span, code, request.response().getStatusCode());
        }
    }

    /** Answers and returns the verdict code, as the metrics count it. */
    private String answer(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        MultiMap headers = request.headers();
        List<String> copies = identity.clientCopies(headers);
        if (!copies.isEmpty() && clientCopies == ClientCopies.REFUSE) {
            return invalid(response, ForwardAuthDecider.NO_ROUTE, copies.get(0), "the request carries " + copies.get(0)
                    + ", a header only the sidecar sets");
        }
        ForwardAuthDecider.Result result = decider.decide(ForwardAuthHeaders.of(headers::forEach), request.method().name(),
                pathSuffix(request), token -> verify.apply(token, request),
                (token, proof) -> verifyDpop.apply(token, proof, request));
        if (result instanceof ForwardAuthDecider.Invalid invalid) {
            return invalid(response, invalid.route(), invalid.field(), invalid.message());
        } else if (result instanceof ForwardAuthDecider.Refused refused) {
            String code = Objects.requireNonNull(refused.decision().verdict(), "a refusal has a verdict").code();
            metrics.authorized(refused.route(), code);
            HttpResponses.refused(response, refused.decision(), dpopScheme(headers), refused.dpopHints());
            return code;
        } else {
            ForwardAuthDecider.Allowed allowed = (ForwardAuthDecider.Allowed) result;
            metrics.authorized(allowed.route(), "allowed");
            if (!copies.isEmpty()) {
                namesToRemove(response, copies);
            }
            HttpResponses.authorized(response, allowed.outcome(), identity);
            return "allowed";
        }
    }

    /** Whether the request presents its token with the DPoP scheme (RFC 9449 §7.1: then the challenge is DPoP). */
    private static boolean dpopScheme(MultiMap headers) {
        return BearerExtractor.read(headers.getAll(HttpHeaders.AUTHORIZATION), BearerExtractor.DPOP_SCHEME).found();
    }

    /** STRIP: the client's copies the answer does not overwrite, for Envoy to remove. */
    private void namesToRemove(HttpServerResponse response, List<String> copies) {
        List<String> toRemove = new ArrayList<>(copies.size());
        for (String copy : copies) {
            if (!identity.setsOnEveryAnswer(copy)) {
                toRemove.add(copy.toLowerCase(Locale.ROOT));
            }
        }
        if (!toRemove.isEmpty()) {
            response.putHeader(ENVOY_HEADERS_TO_REMOVE, String.join(",", toRemove));
        }
    }

    private String invalid(HttpServerResponse response, String routeName, String field, String message) {
        metrics.authorized(routeName, Verdict.INVALID_REQUEST.code());
        HttpResponses.invalidRequest(response, field, message);
        return Verdict.INVALID_REQUEST.code();
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
