package io.jwtsidecar.http;

import io.jwtsidecar.idp.SignalSource;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RevocationStore;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.Verdict;
import io.jwtsidecar.token.VerificationOutcome;
import io.jwtsidecar.token.VerifiedToken;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /oauth2/revoke}: revoke a token by handing it over, in the request shape of RFC 7009
 * (a form with {@code token} and an optional {@code token_type_hint}), on the admin listener with
 * a {@code revocations:write} credential. Useful where the caller holds the token but not its
 * claims: a support tool, a user's "sign out this device".
 *
 * <p>The token is verified as {@code /v1/verify} would, except for revocation (a token some rule
 * already blocks may still be revoked on its own). A token that does not verify is answered as
 * §2.2 says, 200, and publishes nothing: the body says why, for the admin. Otherwise a rule is
 * published through the admin API's own path ({@link RevocationRequests}, {@link RevocationPublishing}):
 * by default its {@code jti}, expiring when the token does; with {@code rule=sid} its session,
 * with {@code rule=sub} its user, both dated now. A credential limited to some issuers may
 * revoke only their tokens. The optional extra parameter {@code rule} is this sidecar's own.
 */
final class TokenRevocationRoutes {
    static final String PATH = "/oauth2/revoke";
    private static final List<String> PARAMETERS = List.of("token", "token_type_hint", "rule");
    private static final String SOURCE = SignalSource.TOKEN_REVOCATION.label();

    private final AdminAuthenticator authenticator;
    private final TokenVerifier verifier;
    private final RevocationRequests requests;
    private final RevocationPublishing publishing;
    private final RevocationStore store;
    private final SidecarMetrics metrics;

    TokenRevocationRoutes(AdminAuthenticator authenticator, TokenVerifier verifier, RevocationRequests requests,
                          RevocationPublishing publishing, RevocationStore store, SidecarMetrics metrics) {
        this.authenticator = authenticator;
        this.verifier = verifier;
        this.requests = requests;
        this.publishing = publishing;
        this.store = store;
        this.metrics = metrics;
    }

    /** @param write the handler that demands {@code revocations:write} */
    void mount(Router router, Handler<RoutingContext> write) {
        router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(64 * 1024)).handler(write).handler(this::revoke);
    }

    private void revoke(RoutingContext ctx) {
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            invalid(ctx, "the body must be application/x-www-form-urlencoded (RFC 7009 §2.1)");
            return;
        }
        MultiMap form = ctx.request().formAttributes();
        for (String name : form.names()) {
            if (!PARAMETERS.contains(name) || form.getAll(name).size() > 1) {
                invalid(ctx, "parameter " + name + " is unknown or repeated; expected " + PARAMETERS);
                return;
            }
        }
        String token = form.get("token");
        if (token == null || token.isEmpty()) {
            invalid(ctx, "token is required");
            return;
        }
        RevocationScope scope;
        String rule = Objects.requireNonNullElse(form.get("rule"), "jti");
        switch (rule) {
            case "jti" -> scope = RevocationScope.JTI;
            case "sid" -> scope = RevocationScope.SID;
            case "sub" -> scope = RevocationScope.SUB;
            default -> {
                invalid(ctx, "rule must be jti, sid or sub");
                return;
            }
        }
        VerificationOutcome outcome = verifier.verifyIgnoringRevocation(token);
        if (outcome.verdict() == Verdict.KEYS_UNAVAILABLE) {
            // RFC 7009 §2.2.1: "temporarily unable", not the 200 of an invalid token a client would read as done.
            metrics.idpSignal(SOURCE, "unavailable");
            ctx.response().putHeader("Cache-Control", "no-store").putHeader("Retry-After", "5");
            HttpResponses.json(ctx.response(), 503, new JsonObject().put("error", "temporarily_unavailable")
                    .put("error_description", "the issuer's keys are not available yet").encode());
            return;
        }
        if (!outcome.isAccepted()) {
            // RFC 7009 §2.2: an invalid token is not an error; nothing is published.
            metrics.idpSignal(SOURCE, "refused_" + Objects.requireNonNull(outcome.verdict()).code());
            answer(ctx, new JsonObject().put("revoked", false).put("reason", outcome.verdict().code()));
            return;
        }
        VerifiedToken verified = outcome.token();
        @Nullable String value = switch (scope) {
            case SID -> verified.sessionId();
            case SUB -> verified.subject();
            default -> verified.jti();
        };
        if (value == null) {
            invalid(ctx, "the token has no " + rule + " claim; ask for another rule (jti, sid or sub)");
            return;
        }
        RuleKey key;
        try {
            key = RevocationRequests.ruleKey(scope.wireName(), verified.issuer(), value);
        } catch (RevocationRequests.FieldException e) {
            invalid(ctx, "the token's " + rule + " cannot be a rule: " + e.reason());
            return;
        }
        if (!authenticator.permits(ctx, key)) {
            return;
        }
        // A jti rule is needed only while the token lives: until exp plus the issuer's skew.
        @Nullable Long expiresAt = scope != RevocationScope.JTI ? null : (long) Math.ceil(verified.expiresAt())
                + verifier.policy(verified.issuer()).map(p -> p.clockSkew().toSeconds()).orElse(0L);
        RevocationRequests.RevokeRequest request = new RevocationRequests.RevokeRequest(key, null, expiresAt, SOURCE,
                UUID.randomUUID().toString());
        AdminAuthenticator.Principal principal = AdminAuthenticator.principal(ctx);
        AdminRoutes.withState(store, ctx, key, stored -> {
            RevocationEvent event;
            try {
                event = requests.revoke(request, stored, principal.actor());
            } catch (RevocationRequests.ConflictException e) {
                metrics.idpSignal(SOURCE, "covered");
                answer(ctx, new JsonObject().put("revoked", true).put("scope", key.scope().wireName())
                        .put("effect", "already_revoked"));
                return;
            } catch (RevocationRequests.FieldException e) {
                invalid(ctx, e.field() + ": " + e.reason());
                return;
            }
            publishing.publish(ctx.vertx(), event, principal, null, Map.of("source", SOURCE)).onComplete(ar -> {
                RecentPublishes.Answer a = ar.succeeded() ? ar.result() : RecentPublishes.Answer.of(AdminError.internal());
                if (!a.isAccepted()) {
                    metrics.idpSignal(SOURCE, "failed");
                    a.error().send(ctx.response());
                    return;
                }
                metrics.idpSignal(SOURCE, "published");
                answer(ctx, a.receipt().toJson().put("revoked", true));
            });
        });
    }

    private static void answer(RoutingContext ctx, JsonObject body) {
        ctx.response().putHeader("Cache-Control", "no-store");
        HttpResponses.json(ctx.response(), 200, body.encode());
    }

    /** RFC 6749 §5.2's error shape, as RFC 7009 §2.2.1 asks. */
    private void invalid(RoutingContext ctx, String description) {
        metrics.idpSignal(SOURCE, "refused_request");
        ctx.response().putHeader("Cache-Control", "no-store");
        HttpResponses.json(ctx.response(), 400, new JsonObject().put("error", "invalid_request")
                .put("error_description", description).encode());
    }
}
