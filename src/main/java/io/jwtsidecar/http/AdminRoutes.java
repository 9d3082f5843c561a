package io.jwtsidecar.http;

import io.jwtsidecar.feed.PublishReceipt;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.revocation.DeadLetter;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RevocationStore;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.RuleKeys;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.TokenVerifier;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API: the only way to cut access, so every request must carry an admin credential
 * with the scope its route needs ({@link AdminAuthenticator}: refusals are logged and counted
 * there), and every accepted action is written to the audit log (logger
 * {@code io.jwtsidecar.audit}) with its actor, reason and event id.
 *
 * <p>{@code POST /v1/revocations} takes
 * {@code {"scope","issuer","value","reason"?,"actor"?,"at"?,"expiresAt"?}}, publishes a revoke
 * event and answers 202 with the event id and where it landed once Kafka has acknowledged it
 * on every in-sync replica and this sidecar has applied it ({@code appliedLocally}; at most
 * a few seconds of waiting). Bad input is a 400 naming the field.
 */
public final class AdminRoutes {
    private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);
    private static final Logger audit = LoggerFactory.getLogger("io.jwtsidecar.audit");
    /** How long a 202 waits for this sidecar's own feed; past it the answer says appliedLocally=false. */
    private static final Duration LOCAL_APPLY_WAIT = Duration.ofSeconds(5);
    private static final List<String> FIELDS = List.of("scope", "issuer", "value", "reason", "actor", "at", "expiresAt");

    private final AdminAuthenticator authenticator;
    private final EventPublisher publisher;
    private final TokenVerifier verifier;
    private final Clock clock;
    private final AppliedOffsets applied;
    private final RevocationStore store;
    private final SidecarMetrics metrics;

    /**
     * Puts an event on the revocation topic ({@code feed.RevocationPublisher#publish}); the future
     * completes once Kafka has acknowledged it, on the caller's Vert.x context.
     */
    @FunctionalInterface
    public interface EventPublisher {
        Future<PublishReceipt> publish(RevocationEvent event);
    }

    /** Tells when this sidecar has applied a record of the revocation topic. */
    @FunctionalInterface
    public interface AppliedOffsets {
        CompletionStage<Void> whenApplied(int partition, long offset);
    }

    /**
     * @param authenticator decides who calls and what they may do; the admin API has no open mode
     * @param verifier   consulted for the issuer's maximum token lifetime (rule expiry)
     * @param applied    this sidecar's feed: the answer waits (briefly) until the event is applied
     *                   here too, so the admin's next request to this sidecar already sees it
     * @param store      this sidecar's store, for the dead-letter listing
     */
    public AdminRoutes(AdminAuthenticator authenticator, EventPublisher publisher, TokenVerifier verifier,
                       Clock clock, AppliedOffsets applied, RevocationStore store, SidecarMetrics metrics) {
        this.authenticator = java.util.Objects.requireNonNull(authenticator, "authenticator");
        this.publisher = publisher;
        this.verifier = verifier;
        this.clock = clock;
        this.applied = applied;
        this.store = store;
        this.metrics = metrics;
    }

    public Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        Handler<RoutingContext> write = authenticator.requiring(AdminScope.REVOCATIONS_WRITE);
        Handler<RoutingContext> read = authenticator.requiring(AdminScope.REVOCATIONS_READ);
        router.post("/v1/revocations").handler(write)
                .handler(BodyHandler.create(false).setBodyLimit(16 * 1024)).handler(this::revoke);
        router.get("/v1/dead-letters").handler(read).handler(this::deadLetters);
        // Last: what no route answers is a 404 (or 405) for authenticated callers only.
        router.route().handler(authenticator.anyCredential());
        return router;
    }

    private void revoke(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            body = null;
        }
        if (body == null) {
            HttpResponses.badRequest(ctx.response(), "body", "must be a JSON object");
            return;
        }
        for (String name : body.fieldNames()) {
            if (!FIELDS.contains(name)) {
                HttpResponses.badRequest(ctx.response(), name, "unknown field; expected " + FIELDS);
                return;
            }
        }
        AdminAuthenticator.Principal principal = AdminAuthenticator.principal(ctx);
        RevocationEvent event;
        try {
            event = revokeEvent(body, principal);
        } catch (FieldException e) {
            HttpResponses.badRequest(ctx.response(), e.field, e.getMessage());
            return;
        }
        String onBehalfOf = body.getString("actor");
        publisher.publish(event).onComplete(ar -> {
            if (ar.failed()) {
                log.error("publishing revocation {} failed", event.eventId(), ar.cause());
                HttpResponses.json(ctx.response(), 503, new JsonObject().put("error", "publish_failed")
                        .put("eventId", event.eventId()).put("message", String.valueOf(ar.cause().getMessage())).encode());
                return;
            }
            PublishReceipt receipt = ar.result();
            metrics.adminAction("revoke");
            audit.info("revoke eventId={} scope={} issuer={} value={} at={} expiresAt={} actor={} via={} onBehalfOf={} "
                            + "reason={} partition={} offset={}", event.eventId(), event.key().scope().wireName(),
                    event.key().issuer(), event.key().value(), event.at(), event.expiresAt(), principal.actor(),
                    principal.via().label(), onBehalfOf, event.reason(), receipt.partition(),
                    receipt.offset());
            Future.fromCompletionStage(applied.whenApplied(receipt.partition(), receipt.offset())
                            .toCompletableFuture().orTimeout(LOCAL_APPLY_WAIT.toMillis(), TimeUnit.MILLISECONDS),
                    ctx.vertx().getOrCreateContext())
                    .onComplete(local -> HttpResponses.json(ctx.response(), 202, new JsonObject()
                            .put("eventId", event.eventId())
                            .put("scope", event.key().scope().wireName())
                            .put("issuer", event.key().issuer())
                            .put("value", event.key().value())
                            .put("at", event.at())
                            .put("expiresAt", event.expiresAt())
                            .put("partition", receipt.partition())
                            .put("offset", receipt.offset())
                            .put("appliedLocally", local.succeeded())
                            .encode()));
        });
    }

    /** {@code GET /v1/dead-letters?limit=N}: poison pills kept by this sidecar, raw bytes in base64. */
    private void deadLetters(RoutingContext ctx) {
        int limit;
        try {
            limit = Integer.parseInt(ctx.request().params().get("limit") == null ? "100" : ctx.request().params().get("limit"));
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > 10_000) {
            HttpResponses.badRequest(ctx.response(), "limit", "must be a whole number from 1 to 10000");
            return;
        }
        int max = limit;
        // A RocksDB scan: off the event loop.
        ctx.vertx().executeBlocking(() -> store.deadLetters(max)).onComplete(ar -> {
            if (ar.failed()) {
                HttpResponses.json(ctx.response(), 503, new JsonObject().put("error", "store_unavailable").encode());
                return;
            }
            io.vertx.core.json.JsonArray items = new io.vertx.core.json.JsonArray();
            java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
            for (DeadLetter d : ar.result()) {
                items.add(new JsonObject().put("partition", d.partition()).put("offset", d.offset())
                        .put("reason", d.reason())
                        .put("key", d.key() == null ? null : b64.encodeToString(d.key()))
                        .put("value", d.value() == null ? null : b64.encodeToString(d.value())));
            }
            HttpResponses.json(ctx.response(), 200, new JsonObject().put("count", store.deadLetterCount())
                    .put("deadLetters", items).encode());
        });
    }

    private RevocationEvent revokeEvent(JsonObject body, AdminAuthenticator.Principal principal) throws FieldException {
        String scopeName = string(body, "scope", true);
        RevocationScope scope = RevocationScope.fromWireName(scopeName).orElseThrow(() -> new FieldException("scope",
                "must be one of " + Arrays.stream(RevocationScope.values()).map(RevocationScope::wireName).toList()));
        String issuer = string(body, "issuer", true);
        String value = string(body, "value", scope != RevocationScope.ISSUER);
        if (value == null) {
            value = "";
        }
        try {
            RuleKeys.check(scope, issuer, value);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int colon = message.indexOf(':');
            throw new FieldException(message.substring(0, colon), message.substring(colon + 2));
        }
        String reason = string(body, "reason", false);
        string(body, "actor", false); // checked here, recorded in the audit log as onBehalfOf
        long now = clock.instant().getEpochSecond();
        long at = seconds(body, "at", now);
        if (at > now + 300) {
            throw new FieldException("at", "must not be more than 5 minutes in the future");
        }
        Optional<IssuerPolicy> policy = verifier.policy(issuer);
        Long expiresAt = body.containsKey("expiresAt") ? seconds(body, "expiresAt", 0) : null;
        if (expiresAt == null) {
            if (policy.isEmpty()) {
                throw new FieldException("expiresAt", "required for an issuer this sidecar does not know");
            }
            expiresAt = at + policy.get().maxTokenLifetime().toSeconds();
        }
        if (expiresAt < at) {
            throw new FieldException("expiresAt", "must not be before at");
        }
        return new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                new RuleKey(scope, issuer, value), at, expiresAt, reason, eventActor(principal));
    }

    /**
     * The event names the authenticated actor, not one the request claims: the topic is read by
     * every sidecar and should say who really asked. Capped to what the event schema allows.
     */
    private static String eventActor(AdminAuthenticator.Principal principal) {
        String actor = principal.actor();
        return actor.length() <= EventCodec.MAX_FIELD_LENGTH ? actor : actor.substring(0, EventCodec.MAX_FIELD_LENGTH);
    }

    private static String string(JsonObject body, String field, boolean required) throws FieldException {
        Object v = body.getValue(field);
        if (v == null) {
            if (required) {
                throw new FieldException(field, "required");
            }
            return null;
        }
        if (!(v instanceof String)) {
            throw new FieldException(field, "must be a string");
        }
        String s = (String) v;
        if (s.length() > EventCodec.MAX_FIELD_LENGTH) {
            throw new FieldException(field, "longer than " + EventCodec.MAX_FIELD_LENGTH + " characters");
        }
        return s;
    }

    private static long seconds(JsonObject body, String field, long fallback) throws FieldException {
        Object v = body.getValue(field);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0) {
            throw new FieldException(field, "must be non-negative whole epoch seconds");
        }
        return ((Number) v).longValue();
    }

    /** A request field that is wrong; becomes a 400 naming it. */
    private static final class FieldException extends Exception {
        private final String field;

        FieldException(String field, String message) {
            super(message, null, false, false);
            this.field = field;
        }
    }
}
