package io.jwtsidecar.http;

import io.jwtsidecar.idp.IdpRevocation;
import io.jwtsidecar.idp.LogoutTokenCheck;
import io.jwtsidecar.token.SeenIds;
import io.jwtsidecar.idp.SignalSource;
import io.jwtsidecar.logging.LogSafe;
import io.jwtsidecar.token.IssuerSignedJwt;
import io.jwtsidecar.token.Verdict;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/backchannel-logout}: the receiver of OpenID Connect Back-Channel Logout 1.0.
 * The provider POSTs a form with one {@code logout_token}; it is checked up to its signature by
 * {@link IssuerSignedJwt} ({@code typ} {@code logout+jwt} where present), then by
 * {@link LogoutTokenCheck} (§2.6), then its {@code jti} is claimed in the replay cache, and its
 * revocation published through {@link SignalPublishing}.
 *
 * <p>Answers (§2.8): 200 with {@code Cache-Control: no-store} once the rule is applied on this
 * sidecar, and with {@code waitFor: all} (or {@code ?wait=all&timeout=…}) once every live sidecar
 * applied it; 400 {@code {"error":"invalid_request","error_description":…}} for a token that fails
 * any rule, publishing nothing. When the sidecar cannot take the logout now (Kafka down, the
 * store unreadable, the fleet not done within the timeout) the answer is 503
 * {@code temporarily_unavailable} rather than the spec's 400, which would tell the provider its
 * token is bad; the jti is released, so a retry is not a replay.
 */
public final class BackchannelLogoutRoutes implements SignalRoutes {
    private static final Logger log = LoggerFactory.getLogger(BackchannelLogoutRoutes.class);
    static final String PATH = "/v1/backchannel-logout";
    /** A logout token is a few hundred bytes; the form around it adds nothing much. */
    private static final int MAX_BODY_BYTES = 16 * 1024;
    private static final String SOURCE = SignalSource.BACKCHANNEL_LOGOUT.label();
    private static final IssuerSignedJwt.TypeRule TYPE = IssuerSignedJwt.TypeRule.whenPresent(LogoutTokenCheck.TYPE);

    private final IssuerSignedJwt signedJwts;
    private final LogoutTokenCheck check;
    private final SeenIds seen;
    private final int maxTokenBytes;
    private final boolean waitForAll;
    private final Duration fleetTimeout;

    /**
     * @param waitForAll   {@code signals.logoutWaitFor: all}: answer once every live sidecar applied
     *                     the rule; else once this one did
     * @param fleetTimeout how long a wait for the fleet lasts ({@code signals.logoutFleetTimeout})
     */
    public BackchannelLogoutRoutes(IssuerSignedJwt signedJwts, LogoutTokenCheck check, SeenIds seen,
                                   int maxTokenBytes, boolean waitForAll, Duration fleetTimeout) {
        this.signedJwts = signedJwts;
        this.check = check;
        this.seen = seen;
        this.maxTokenBytes = maxTokenBytes;
        this.waitForAll = waitForAll;
        this.fleetTimeout = fleetTimeout;
    }

    @Override
    public void mount(Router router, SignalPublishing publishing) {
        router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .handler(ctx -> logout(ctx, publishing));
    }

    private void logout(RoutingContext ctx, SignalPublishing publishing) {
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            refuse(ctx, publishing, "malformed", "the body must be application/x-www-form-urlencoded");
            return;
        }
        Optional<Duration> wait;
        try {
            wait = fleetWait(ctx.queryParams());
        } catch (IllegalArgumentException e) {
            refuse(ctx, publishing, "malformed", String.valueOf(e.getMessage()));
            return;
        }
        MultiMap form = ctx.request().formAttributes();
        if (form.getAll("logout_token").size() != 1) {
            refuse(ctx, publishing, "malformed", "the form must have exactly one logout_token");
            return;
        }
        String token = form.get("logout_token");
        IssuerSignedJwt.Result signed = signedJwts.check(token, maxTokenBytes, TYPE);
        if (signed instanceof IssuerSignedJwt.Refused r && r.verdict() == Verdict.UNKNOWN_KEY) {
            // Signed with a key fetched too recently to be known here (the provider rotated): it will
            // not send this logout again, so the keys are fetched now and the token checked once more.
            KeyRefetchWait.of(ctx, signedJwts.keysRefetched(token, check::sendsLogouts)).onComplete(ar -> {
                        if (ar.failed()) {
                            // Not refetched: "bad key" would lose a logout signed with a key rotated in just now.
                            unavailable(ctx, publishing, "the issuer's keys could not be fetched again in time");
                        } else {
                            logout(ctx, publishing, wait.orElse(null), signedJwts.check(token, maxTokenBytes, TYPE));
                        }
                    });
            return;
        }
        logout(ctx, publishing, wait.orElse(null), signed);
    }

    /** The rest of a logout, once its signature was checked. */
    private void logout(RoutingContext ctx, SignalPublishing publishing, @Nullable Duration wait,
                        IssuerSignedJwt.Result signed) {
        if (signed instanceof IssuerSignedJwt.Refused r) {
            if (r.verdict() == Verdict.KEYS_UNAVAILABLE) {
                unavailable(ctx, publishing, "the issuer's keys are not available yet");
                return;
            }
            refuse(ctx, publishing, r.verdict().code(), "logout token refused (" + r.verdict().code() + "): " + r.detail());
            return;
        }
        LogoutTokenCheck.Result checked = check.check((IssuerSignedJwt.Signed) signed);
        if (checked instanceof LogoutTokenCheck.Refused r) {
            refuse(ctx, publishing, "invalid_claims", r.description());
            return;
        }
        LogoutTokenCheck.Accepted accepted = (LogoutTokenCheck.Accepted) checked;
        IdpRevocation revocation = accepted.revocation();
        Optional<SeenIds.Claim> claim = seen.claim(revocation.signer(), revocation.signalId(), accepted.forgetAfter());
        if (claim.isEmpty()) {
            refuse(ctx, publishing, "replayed", "this logout token's jti was seen before");
            return;
        }
        publishing.publish(ctx.vertx(), revocation, wait).onComplete(ar -> {
            SignalPublishing.Outcome outcome = ar.succeeded() ? ar.result()
                    : new SignalPublishing.Failed(500, "internal error");
            if (outcome instanceof SignalPublishing.Covered c) {
                if (wait != null && !c.fleetComplete()) {
                    claim.get().release();
                    unavailable(ctx, null, "the rule is applied here, but not by every sidecar within " + wait.toMillis()
                            + " ms");
                } else {
                    ok(ctx, revocation.eventId(), c.effect());
                }
                return;
            }
            if (outcome instanceof SignalPublishing.Failed f) {
                claim.get().release(); // a retry must not be refused as a replay
                log.warn("a back-channel logout from {} was not published: {}", LogSafe.text(revocation.signer()),
                        LogSafe.text(f.description()));
                if (f.status() == 400) {
                    refuse(ctx, null, "invalid_claims", f.description());
                } else {
                    unavailable(ctx, null, f.description());
                }
                return;
            }
            SignalPublishing.Published p = (SignalPublishing.Published) outcome;
            if (!p.appliedLocally()) {
                claim.get().release();
                unavailable(ctx, null, "the logout was published but not yet applied here; try again");
            } else if (wait != null && !p.fleetComplete()) {
                claim.get().release();
                unavailable(ctx, null, "the logout was published and applied here, but not by every sidecar within "
                        + wait.toMillis() + " ms");
            } else {
                ok(ctx, p.receipt().getString("eventId"), "published");
            }
        });
    }

    /**
     * {@code ?wait=all|local&timeout=…} over the configured {@code signals.logoutWaitFor}; empty for
     * no fleet wait. The timeout defaults to {@code signals.logoutFleetTimeout} either way.
     */
    private Optional<Duration> fleetWait(MultiMap query) {
        for (String name : query.names()) {
            if (!name.equals("wait") && !name.equals("timeout") || query.getAll(name).size() > 1) {
                throw new IllegalArgumentException("query parameter " + name + " is unknown or repeated");
            }
        }
        String wait = query.get("wait");
        String timeout = query.get("timeout");
        boolean all = wait == null ? waitForAll : wait.equals("all");
        if (wait != null && !all && !wait.equals("local")) {
            throw new IllegalArgumentException("wait must be all or local");
        }
        if (!all) {
            if (timeout != null) {
                throw new IllegalArgumentException("timeout applies to wait=all only");
            }
            return Optional.empty();
        }
        Duration d = timeout == null ? fleetTimeout : FleetRoutes.parseTimeout(timeout);
        if (d == null) {
            throw new IllegalArgumentException("timeout must be like 500ms or 10s, at most 60s");
        }
        return Optional.of(d);
    }

    private static void ok(RoutingContext ctx, String eventId, String effect) {
        ctx.response().setStatusCode(200).putHeader("Cache-Control", "no-store").putHeader("Content-Type",
                "application/json").end(new JsonObject().put("eventId", eventId).put("effect", effect).encode());
    }

    /** 400 as §2.8 says, counted under {@code refused_<reason>} (null: counted already). */
    private static void refuse(RoutingContext ctx, @Nullable SignalPublishing publishing, String reason, String description) {
        if (publishing != null) {
            publishing.refused(SOURCE, reason.equals("replayed") ? reason : "refused_" + reason);
        }
        log.info("back-channel logout refused: {}", LogSafe.text(description));
        error(ctx.response(), 400, "invalid_request", description);
    }

    private static void unavailable(RoutingContext ctx, @Nullable SignalPublishing publishing, String description) {
        if (publishing != null) {
            publishing.refused(SOURCE, "unavailable");
        }
        ctx.response().putHeader("Retry-After", "5");
        error(ctx.response(), 503, "temporarily_unavailable", description);
    }

    private static void error(HttpServerResponse response, int status, String error, String description) {
        response.setStatusCode(status).putHeader("Cache-Control", "no-store").putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", error).put("error_description", description).encode());
    }
}
