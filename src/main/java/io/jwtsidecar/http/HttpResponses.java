package io.jwtsidecar.http;

import io.jwtsidecar.authz.AuthzDecision;
import io.jwtsidecar.token.DpopHints;
import io.jwtsidecar.token.Verdict;
import io.jwtsidecar.token.VerificationOutcome;
import io.jwtsidecar.token.VerifiedToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The one place that turns verification outcomes and faults into HTTP.
 *
 * <ul>
 *   <li>Accepted: 200, {@code {"active":true,"iss":…,"sub":…,"claims":{…}}}, and the identity
 *       headers {@code X-Auth-Subject}, {@code X-Auth-Issuer} (percent-encoded outside
 *       printable ASCII) and {@code X-Auth-Claims} (the claims as base64url JSON).</li>
 *   <li>Rejected: 401, {@code {"active":false,"error":"<verdict>"}} and
 *       {@code WWW-Authenticate: Bearer error="invalid_token", error_description="<verdict>"}
 *       (RFC 6750 §3); with no token at all, a bare {@code Bearer realm} challenge.</li>
 *   <li>Rejected for DPoP (RFC 9449 §7.1), or any rejection of a token presented with the
 *       {@code DPoP} scheme: 401 with {@code WWW-Authenticate: DPoP error="invalid_dpop_proof"}
 *       for a refused proof, else {@code DPoP error="invalid_token"}, each with the verdict as
 *       {@code error_description}.</li>
 *   <li>Unavailable (stale revocation data, no keys): 503 with {@code Retry-After}; never a
 *       401, since the token may be fine.</li>
 *   <li>Refused by a route's policy (forward auth): 403, with an RFC 6750
 *       {@code insufficient_scope} challenge naming the scopes when scopes were missing; or 401
 *       with the RFC 9470 step-up challenge when the user must authenticate again.</li>
 *   <li>Not a request the sidecar can judge: 400 with an RFC 6750 {@code invalid_request}
 *       challenge.</li>
 * </ul>
 * Every refusal carries at most one {@code WWW-Authenticate} challenge.
 */
public final class HttpResponses {
    private static final String TOO_LARGE = "{\"error\":\"request_too_large\",\"message\":\"the request body is past this route's limit\"";
    // Pre-encoded header names and values (Netty AsciiString): no validation or hashing per answer.
    private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("Content-Type");
    private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
    private static final CharSequence CACHE_CONTROL = HttpHeaders.createOptimized("Cache-Control");
    private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

    public static final String SUBJECT_HEADER = "X-Auth-Subject";
    public static final String ISSUER_HEADER = "X-Auth-Issuer";
    public static final String CLAIMS_HEADER = "X-Auth-Claims";
    static final String REALM = "jwt-sidecar";

    private HttpResponses() {
    }

    /** Set on answers given with stale revocation data under the fail-open policy. */
    public static final String STALE_HEADER = "X-Revocation-Stale";
    /** RFC 9449 §9: the server nonce a DPoP client's next proof must carry. */
    public static final String DPOP_NONCE = "DPoP-Nonce";

    static void outcome(HttpServerResponse response, VerificationOutcome outcome, IdentityHeaders identity) {
        outcome(response, outcome, identity, false);
    }

    /** @param dpopScheme whether the token came with the {@code DPoP} scheme (a refusal gets a DPoP challenge) */
    static void outcome(HttpServerResponse response, VerificationOutcome outcome, IdentityHeaders identity,
                        boolean dpopScheme) {
        if (outcome.isAccepted()) {
            markStale(response, outcome);
            dpopNonce(response, outcome.dpopHints());
            accepted(response, outcome.token(), identity);
        } else {
            refused(response, Objects.requireNonNull(outcome.verdict(), "a refusal has a verdict"), dpopScheme,
                    outcome.dpopHints());
        }
    }

    /** RFC 9449 §9: the nonce the client's next proof must carry, when its issuer requires one. */
    private static void dpopNonce(HttpServerResponse response, @Nullable DpopHints hints) {
        if (hints != null && hints.nonce() != null) {
            response.putHeader(DPOP_NONCE, hints.nonce());
        }
    }

    static void accepted(HttpServerResponse response, VerifiedToken token, IdentityHeaders identity) {
        identity.apply(response, token);
        // Encoded once per verified token (IdentityJson): a cache hit encodes nothing.
        response.setStatusCode(200)
                .putHeader(CONTENT_TYPE, APPLICATION_JSON)
                .putHeader(CACHE_CONTROL, NO_STORE)
                .end(Buffer.buffer(token.identity().bytes()));
    }

    static void refused(HttpServerResponse response, Verdict verdict) {
        refused(response, verdict, false);
    }

    static void refused(HttpServerResponse response, Verdict verdict, boolean dpopScheme) {
        refused(response, verdict, dpopScheme, null);
    }

    /**
     * @param hints for a DPoP challenge: the proof algorithms ({@code algs}) and the nonce to use
     *              ({@code DPoP-Nonce}); null when the token's issuer is not known
     */
    static void refused(HttpServerResponse response, Verdict verdict, boolean dpopScheme, @Nullable DpopHints hints) {
        String body = new JsonObject().put("active", false).put("error", verdict.code()).encode();
        if (verdict.kind() == Verdict.Kind.UNAVAILABLE) {
            response.putHeader("Retry-After", "1");
            json(response, 503, body);
            return;
        }
        if (verdict.kind() == Verdict.Kind.FORBIDDEN) {
            json(response, 403, body);
            return;
        }
        if (verdict.dpopProof() || dpopScheme || verdict == Verdict.DPOP_REQUIRED || verdict == Verdict.DPOP_TOKEN_NOT_BOUND) {
            String error = verdict.dpopNonce() ? "use_dpop_nonce" : verdict.dpopProof() ? "invalid_dpop_proof" : "invalid_token";
            String algs = hints == null || hints.algs() == null || hints.algs().isEmpty() ? ""
                    : ", algs=\"" + hints.algs() + "\"";
            response.putHeader("WWW-Authenticate", "DPoP realm=\"" + REALM + "\", error=\"" + error
                    + "\", error_description=\"" + verdict.code() + "\"" + algs);
            dpopNonce(response, hints);
        } else if (verdict == Verdict.MISSING_TOKEN) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"" + REALM + "\"");
        } else {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"" + REALM
                    + "\", error=\"invalid_token\", error_description=\"" + verdict.code() + "\"");
        }
        json(response, 401, body);
    }

    /**
     * Forward auth (nginx auth_request, Traefik ForwardAuth, Envoy ext_authz, Caddy forward_auth):
     * 200 with headers only and no body. {@code X-Revocation-Stale} is always named (empty when
     * the data is fresh), like the identity headers, so a client's own copy never survives.
     */
    static void authorized(HttpServerResponse response, VerificationOutcome outcome, IdentityHeaders identity) {
        identity.apply(response, outcome.token());
        dpopNonce(response, outcome.dpopHints());
        response.putHeader(STALE_HEADER, outcome.revocationStale() ? "true" : "");
        response.setStatusCode(200).putHeader(CACHE_CONTROL, NO_STORE).end();
    }

    /** A good token that a route's policy refuses: 403, or 401 with the RFC 9470 step-up challenge. */
    static void refused(HttpServerResponse response, AuthzDecision decision) {
        refused(response, decision, false);
    }

    /** @param dpopScheme whether the token came with the {@code DPoP} scheme (a 401 gets a DPoP challenge) */
    static void refused(HttpServerResponse response, AuthzDecision decision, boolean dpopScheme) {
        refused(response, decision, dpopScheme, null);
    }

    /** @param hints the DPoP challenge's algorithms and nonce, for a token the verifier refused */
    static void refused(HttpServerResponse response, AuthzDecision decision, boolean dpopScheme,
                        @Nullable DpopHints hints) {
        Verdict verdict = Objects.requireNonNull(decision.verdict(), "a refusal has a verdict");
        String body = new JsonObject().put("active", false).put("error", verdict.code()).encode();
        if (verdict == Verdict.INSUFFICIENT_SCOPE || verdict == Verdict.INSUFFICIENT_USER_AUTHENTICATION) {
            // The token and its proof were good: the client's next DPoP proof needs the current nonce.
            dpopNonce(response, hints);
        }
        if (verdict == Verdict.INSUFFICIENT_SCOPE) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"" + REALM + "\", error=\"insufficient_scope\", "
                    + "scope=\"" + String.join(" ", decision.scopes()) + "\"");
            json(response, 403, body);
        } else if (verdict == Verdict.INSUFFICIENT_USER_AUTHENTICATION) {
            response.putHeader("WWW-Authenticate", stepUpChallenge(Objects.requireNonNull(decision.stepUp(), "a step-up refusal says what to step up to")));
            json(response, 401, body);
        } else {
            refused(response, verdict, dpopScheme, hints);
        }
    }

    /**
     * RFC 9470 §3, in the exact shape of its examples: the acceptable {@code acr_values} (most
     * preferred first) and {@code max_age} in seconds, whichever the route demands, with the
     * description of the one that failed (a different level when the acr is wrong, else a more
     * recent authentication).
     */
    static String stepUpChallenge(AuthzDecision.StepUp stepUp) {
        StringBuilder challenge = new StringBuilder("Bearer error=\"insufficient_user_authentication\", error_description=\"")
                .append(stepUp.acrFailed() ? "A different authentication level is required"
                        : "More recent authentication is required")
                .append('"');
        if (!stepUp.acrValues().isEmpty()) {
            challenge.append(", acr_values=\"").append(String.join(" ", stepUp.acrValues())).append('"');
        }
        if (stepUp.maxAge() != null) {
            challenge.append(", max_age=\"").append(stepUp.maxAge().toSeconds()).append('"');
        }
        return challenge.toString();
    }

    /** RFC 6750 §3.1 {@code invalid_request}: 400, naming what is wrong (the header at fault). */
    static void invalidRequest(HttpServerResponse response, String field, String message) {
        response.putHeader("WWW-Authenticate", "Bearer realm=\"" + REALM + "\", error=\"invalid_request\", "
                + "error_description=\"" + headerSafe(message).replace('"', '\'') + "\"");
        json(response, 400, new JsonObject().put("active", false).put("error", Verdict.INVALID_REQUEST.code())
                .put("field", field).put("message", message).encode());
    }

    /**
     * RFC 7662 §2.2: 200 with {@code active} and the token's claims, or just
     * {@code {"active":false}} for any token that is not good. Stale data or missing keys are a
     * 503: "inactive" would be a claim the sidecar cannot make.
     */
    static void introspection(HttpServerResponse response, VerificationOutcome outcome) {
        if (outcome.isAccepted()) {
            markStale(response, outcome);
            JsonObject body = new JsonObject(new String(outcome.token().claimsJson(), StandardCharsets.UTF_8));
            body.put("active", true);
            body.put("token_type", "Bearer");
            json(response, 200, body.encode());
        } else if (Objects.requireNonNull(outcome.verdict(), "a refusal has a verdict").kind() == Verdict.Kind.UNAVAILABLE) {
            refused(response, outcome.verdict());
        } else {
            json(response, 200, "{\"active\":false}");
        }
    }

    private static void markStale(HttpServerResponse response, VerificationOutcome outcome) {
        if (outcome.revocationStale()) {
            response.putHeader(STALE_HEADER, "true");
        }
    }

    /** 400 for a malformed request, naming the field at fault. */
    static void badRequest(HttpServerResponse response, String field, String message) {
        json(response, 400, new JsonObject().put("error", "invalid_request").put("field", field)
                .put("message", message).encode());
    }

    /**
     * A body past its route's limit (the body handler fails the request with 413): a JSON answer of
     * its own. Without it Vert.x answered 413 too, but logged each one at ERROR with a stack trace,
     * so anyone who can reach a listener could fill the log with oversized bodies.
     */
    static void bodyTooLarge(RoutingContext ctx) {
        if (!ctx.response().ended()) {
            json(ctx.response(), 413, TOO_LARGE + "}");
        }
    }

    /** A body refused from its declared length, before it is read: the same answer, with the limit. */
    static void bodyTooLarge(HttpServerResponse response, long limitBytes) {
        json(response, 413, TOO_LARGE + ",\"limit\":" + limitBytes + "}");
    }

    static void json(HttpServerResponse response, int status, String body) {
        response.setStatusCode(status)
                .putHeader(CONTENT_TYPE, APPLICATION_JSON)
                .putHeader(CACHE_CONTROL, NO_STORE)
                .end(body);
    }

    /**
     * Header values must not carry CR/LF or non-ASCII: percent-encode everything outside
     * printable ASCII, and '%' itself, so the value stays reversible.
     */
    static String headerSafe(String value) {
        StringBuilder sb = null;
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean safe = b >= 0x20 && b < 0x7f && b != '%';
            if (safe && sb == null) {
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(new String(bytes, 0, i, StandardCharsets.US_ASCII));
            }
            if (safe) {
                sb.append((char) b);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return sb == null ? value : sb.toString();
    }
}
