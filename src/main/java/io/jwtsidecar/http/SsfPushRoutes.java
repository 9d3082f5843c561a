package io.jwtsidecar.http;

import io.jwtsidecar.idp.IdpRevocation;
import io.jwtsidecar.idp.SecurityEventCheck;
import io.jwtsidecar.token.SeenIds;
import io.jwtsidecar.idp.SetError;
import io.jwtsidecar.idp.SignalSource;
import io.jwtsidecar.logging.LogSafe;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/ssf/events}: push delivery of Shared Signals (RFC 8935). The transmitter POSTs
 * one SET as {@code application/secevent+jwt}; it is checked by {@link SecurityEventCheck}
 * (RFC 8417 and SSF 1.0), its {@code jti} claimed in the replay cache, and its revocation
 * published through {@link SignalPublishing}, like a back-channel logout.
 *
 * <p>Answers (RFC 8935 §2.2, §2.3): 202 with no body once the rule is applied on this sidecar, or
 * when the store already honours it, or when the event type is one this sidecar does not enforce
 * (acknowledged and counted); 400 {@code {"err":…,"description":…}} with a registered error code
 * for a SET that is malformed, replayed, wrongly signed, for another audience, from another
 * issuer, about an issuer the transmitter may not speak for, or sent without the configured
 * credential, publishing nothing. When the sidecar cannot take the SET now (the transmitter's
 * keys not loaded yet, Kafka down, the rule not applied here in time) the answer is 503 with
 * {@code Retry-After}: a 400 would tell the transmitter the SET is bad and must not be sent again.
 * The jti is then released, so the retry is not a replay.
 */
public final class SsfPushRoutes implements SignalRoutes {
    private static final Logger log = LoggerFactory.getLogger(SsfPushRoutes.class);
    static final String PATH = "/v1/ssf/events";
    static final String MEDIA_TYPE = "application/secevent+jwt";
    private static final String SOURCE = SignalSource.SSF_PUSH.label();

    private final SecurityEventCheck check;
    private final SeenIds seen;
    private final @Nullable String bearer;
    private final int maxBodyBytes;

    /**
     * @param bearer       the credential the transmitter must present ({@code Authorization: Bearer}), or
     *                     null when the SET's signature is its only authentication
     * @param maxBodyBytes the largest body read (the SET size limit)
     */
    public SsfPushRoutes(SecurityEventCheck check, SeenIds seen, @Nullable String bearer, int maxBodyBytes) {
        this.check = check;
        this.seen = seen;
        this.bearer = bearer;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void mount(Router router, SignalPublishing publishing) {
        router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(ctx -> receive(ctx, publishing));
    }

    private void receive(RoutingContext ctx, SignalPublishing publishing) {
        if (!authenticated(ctx.request().headers().getAll("Authorization"))) {
            refuse(ctx, publishing, new SecurityEventCheck.Refused(SetError.AUTHENTICATION_FAILED,
                    "the transmitter must present the configured bearer credential"));
            return;
        }
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).strip().startsWith(MEDIA_TYPE)) {
            refuse(ctx, publishing, new SecurityEventCheck.Refused(SetError.INVALID_REQUEST,
                    "the body must be " + MEDIA_TYPE));
            return;
        }
        String set = ctx.body().asString(StandardCharsets.UTF_8.name()).strip();
        SecurityEventCheck.Result result = check.check(set, SignalSource.SSF_PUSH);
        if (result instanceof SecurityEventCheck.Refused r && r.error() == SetError.INVALID_KEY) {
            // Perhaps signed with a key rotated in since the last fetch: an invalid_key answer makes the
            // transmitter drop the SET, so the keys are fetched now and the SET checked once more.
            KeyRefetchWait.of(ctx, check.keysRefetched(set)).onComplete(ar -> take(ctx, publishing, ar.failed()
                            ? new SecurityEventCheck.Unavailable("the transmitter's keys could not be fetched again in time")
                            : check.check(set, SignalSource.SSF_PUSH)));
            return;
        }
        take(ctx, publishing, result);
    }

    /** The rest of a push, once the SET was checked. */
    private void take(RoutingContext ctx, SignalPublishing publishing, SecurityEventCheck.Result result) {
        if (result instanceof SecurityEventCheck.Unavailable u) {
            unavailable(ctx, publishing, u.description());
            return;
        }
        if (result instanceof SecurityEventCheck.Refused r) {
            refuse(ctx, publishing, r);
            return;
        }
        if (result instanceof SecurityEventCheck.Ignored i) {
            publishing.refused(SOURCE, "unknown_event");
            log.info("SSF push: SET {} carries event type {}, which this sidecar does not enforce; acknowledged",
                    LogSafe.text(i.jti()), LogSafe.text(i.eventType()));
            accepted(ctx);
            return;
        }
        SecurityEventCheck.Accepted accepted = (SecurityEventCheck.Accepted) result;
        IdpRevocation revocation = accepted.revocation();
        Optional<SeenIds.Claim> claim = seen.claim(revocation.signer(), revocation.signalId(), accepted.forgetAfter());
        if (claim.isEmpty()) {
            publishing.refused(SOURCE, "replayed");
            error(ctx.response(), new SecurityEventCheck.Refused(SetError.INVALID_REQUEST, "this SET's jti was received before"));
            return;
        }
        publishing.publish(ctx.vertx(), revocation, null).onComplete(ar -> {
            SignalPublishing.Outcome outcome = ar.succeeded() ? ar.result()
                    : new SignalPublishing.Failed(500, "internal error");
            if (outcome instanceof SignalPublishing.Covered) {
                accepted(ctx);
            } else if (outcome instanceof SignalPublishing.Failed f) {
                claim.get().release(); // a retry must not be refused as a replay
                log.warn("an SSF push from {} was not published: {}", LogSafe.text(revocation.signer()),
                        LogSafe.text(f.description()));
                if (f.status() == 400) {
                    error(ctx.response(), new SecurityEventCheck.Refused(SetError.INVALID_REQUEST, f.description()));
                } else {
                    unavailable(ctx, null, f.description());
                }
            } else if (!((SignalPublishing.Published) outcome).appliedLocally()) {
                claim.get().release();
                unavailable(ctx, null, "the revocation was published but not yet applied here; send the SET again");
            } else {
                accepted(ctx);
            }
        });
    }

    /** With no credential configured, anything passes; otherwise exactly one matching bearer header. */
    private boolean authenticated(List<String> authorization) {
        if (bearer == null) {
            return true;
        }
        if (authorization.size() != 1) {
            return false;
        }
        String given = authorization.get(0);
        if (given.length() < 7 || !given.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(given.substring(7).strip().getBytes(StandardCharsets.UTF_8),
                bearer.getBytes(StandardCharsets.UTF_8));
    }

    private static void accepted(RoutingContext ctx) {
        ctx.response().setStatusCode(202).end();
    }

    /** 400 as RFC 8935 §2.3 says, counted under {@code refused_<err>}. */
    private static void refuse(RoutingContext ctx, SignalPublishing publishing, SecurityEventCheck.Refused refused) {
        publishing.refused(SOURCE, "refused_" + refused.error().code());
        log.info("SSF push refused ({}): {}", refused.error().code(), LogSafe.text(refused.description()));
        error(ctx.response(), refused);
    }

    private static void error(HttpServerResponse response, SecurityEventCheck.Refused refused) {
        response.setStatusCode(400).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("err", refused.error().code()).put("description", refused.description()).encode());
    }

    private static void unavailable(RoutingContext ctx, @Nullable SignalPublishing publishing, String description) {
        if (publishing != null) {
            publishing.refused(SOURCE, "unavailable");
        }
        ctx.response().setStatusCode(503).putHeader("Retry-After", "5").putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("err", "temporarily_unavailable").put("description", description).encode());
    }
}
