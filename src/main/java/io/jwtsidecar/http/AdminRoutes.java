package io.jwtsidecar.http;

import io.jwtsidecar.admin.AdminScope;
import io.jwtsidecar.admin.IssuerLimit;
import io.jwtsidecar.feed.PublishReceipt;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.revocation.KeyState;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationStore;
import io.jwtsidecar.revocation.Rule;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.token.TokenVerifier;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API: the only way to cut access, so every request must carry an admin credential
 * with the scope its route needs ({@link AdminAuthenticator}: refusals are logged and counted
 * there), and every accepted action is written to the audit log (logger
 * {@code io.jwtsidecar.audit}, one JSON object a line: {@link AuditRecord}) with its actor, reason and event id. docs/openapi.yaml describes
 * every route, and is served without a credential at {@code GET /openapi.yaml}.
 *
 * <ul>
 *   <li>{@code POST /v1/revocations} (write) takes
 *       {@code {"scope","issuer","value","reason"?,"actor"?,"at"?,"expiresAt"?,"eventId"?}} and
 *       publishes a revoke event.</li>
 *   <li>{@code DELETE /v1/revocations/{scope}/{issuer}/{value}} (write; for scope {@code issuer}
 *       also {@code /v1/revocations/issuer/{issuer}} with or without a trailing slash) publishes a
 *       restore event; optional query parameters {@code reason}, {@code actor}, {@code eventId}.</li>
 *   <li>{@code GET} on the same paths (read) answers this sidecar's local state of that rule.</li>
 *   <li>{@code GET /v1/dead-letters?limit=N} (read) lists the poison pills kept here.</li>
 * </ul>
 *
 * <p>A credential limited to some issuers ({@link IssuerLimit}) is asked about before anything
 * else happens to a rule: a revoke, restore or look-up of a rule it may not touch is a 403
 * {@code issuer_not_permitted} naming the rule's issuer, with no store read and nothing published.
 * The dead letters are records no issuer can be told for, so listing them needs a credential for
 * every issuer. Fleet receipts ({@link FleetRoutes}) stay open to any reader: a receipt names no
 * rule, only where an event landed and which sidecars have applied it.
 *
 * <p>Publishing answers 202 with the event id and where it landed once Kafka has acknowledged it
 * on every in-sync replica and this sidecar has applied it ({@code appliedLocally}, and what it did
 * there, {@code effect}: a revoke can change nothing, e.g. when a newer restore wins; at most a few
 * seconds of waiting). Event ids are idempotency keys ({@link RecentPublishes}): the same request
 * with the same {@code eventId} within an hour gets the same answer and publishes nothing; another
 * request with that id is a 409. Bad input is a 400 naming the field. The issuer in a path is
 * percent-encoded (it holds {@code ://} and {@code /}); Vert.x decodes each segment after
 * matching, so {@code %2F} never splits a segment.
 *
 * <p>Every admin route is mounted here ({@link #router}); the revoke, restore and look-up
 * handlers live here too, and hand publication to {@link RevocationPublishing}. The dead-letter
 * listing is {@link DeadLetterRoutes}, fleet receipts {@link FleetRoutes}; every error answer is an
 * {@link AdminError}. Handlers run on the admin listener's event loop; store reads go to a worker
 * ({@code executeBlocking}).
 */
public final class AdminRoutes {
    private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);
    /** A rule, by its key; for scope issuer the value is empty, so these paths have no value segment. */
    static final String RULE_PATH = "/v1/revocations/:scope/:issuer/:value";
    static final String ISSUER_RULE_PATH = "/v1/revocations/issuer/:issuer";
    private static final List<String> RESTORE_PARAMETERS = List.of("reason", "actor", "eventId");
    private static final String OPENAPI_RESOURCE = "openapi.yaml";

    private final AdminAuthenticator authenticator;
    private final RevocationRequests requests;
    private final RevocationStore store;
    private final RevocationPublishing publishing;
    private final DeadLetterRoutes deadLetters;
    private final SignalPublishing signalPublishing;
    private final TokenRevocationRoutes tokenRevocation;
    private final Buffer openApi;
    private volatile @Nullable FleetRoutes fleet;
    private final List<SignalRoutes> signalRoutes = new CopyOnWriteArrayList<>();

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

        /**
         * What an event this sidecar applied did (e.g. {@code created}, {@code ignored_restored}),
         * if it is among the recent ones; the 202 says it, so an admin sees a revoke that changed nothing.
         */
        default Optional<String> effectOf(String eventId) {
            return Optional.empty();
        }

        /** Why this sidecar dead-lettered the record at that position, if it did so recently. */
        default Optional<String> deadLetterReason(int partition, long offset) {
            return Optional.empty();
        }
    }

    /**
     * @param authenticator decides who calls and what they may do; the admin API has no open mode
     * @param verifier   consulted for the issuer's maximum token lifetime (rule expiry)
     * @param clock      rule times, and the idempotency window
     * @param applied    this sidecar's feed: the answer waits (briefly) until the event is applied
     *                   here too, so the admin's next request to this sidecar already sees it
     * @param store      this sidecar's store, for rule look-ups and the dead-letter listing
     */
    public AdminRoutes(AdminAuthenticator authenticator, EventPublisher publisher, TokenVerifier verifier,
                       Clock clock, AppliedOffsets applied, RevocationStore store, SidecarMetrics metrics) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.requests = new RevocationRequests(verifier, clock);
        this.store = store;
        this.publishing = new RevocationPublishing(publisher, applied, metrics, clock);
        this.deadLetters = new DeadLetterRoutes(authenticator, store);
        this.signalPublishing = new SignalPublishing(requests, publishing, store, () -> this.fleet, metrics, clock);
        this.tokenRevocation = new TokenRevocationRoutes(authenticator, verifier, requests, publishing, store, metrics);
        this.openApi = Buffer.buffer(openApiDocument());
    }

    /** Adds fleet receipts (status endpoint, {@code ?wait=all}); without it, only local receipts. */
    public AdminRoutes withFleet(FleetRoutes fleetRoutes) {
        this.fleet = fleetRoutes;
        return this;
    }

    /** Adds routes that take revocations from identity providers; call before {@link #router}. */
    public AdminRoutes withSignals(SignalRoutes routes) {
        signalRoutes.add(routes);
        return this;
    }

    /** How identity-provider signals are published: for receivers that are not routes (a poll loop). */
    public SignalPublishing signalPublishing() {
        return signalPublishing;
    }

    public Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        router.errorHandler(413, HttpResponses::bodyTooLarge);
        router.get("/openapi.yaml").handler(this::openApi);
        Handler<RoutingContext> write = authenticator.requiring(AdminScope.REVOCATIONS_WRITE);
        Handler<RoutingContext> read = authenticator.requiring(AdminScope.REVOCATIONS_READ);
        // Vert.x runs body handlers before any other: the body (at most 16 KiB) is read, then the credential checked.
        router.post("/v1/revocations").handler(BodyHandler.create(false).setBodyLimit(16 * 1024))
                .handler(write).handler(this::revoke);
        for (String path : List.of(RULE_PATH, ISSUER_RULE_PATH, ISSUER_RULE_PATH + "/")) {
            router.delete(path).handler(write).handler(this::restore);
            router.get(path).handler(read).handler(this::lookup);
        }
        router.get("/v1/dead-letters").handler(read).handler(deadLetters::list);
        tokenRevocation.mount(router, write);
        FleetRoutes fleet = this.fleet;
        if (fleet != null) {
            fleet.mount(router, read);
        }
        for (SignalRoutes routes : signalRoutes) {
            routes.mount(router, signalPublishing);
        }
        // Last: what no route answers is a 404 (or 405) for authenticated callers only.
        router.route().handler(authenticator.anyCredential());
        return router;
    }

    /** {@code GET /openapi.yaml}: the OpenAPI document of this API; needs no credential. */
    private void openApi(RoutingContext ctx) {
        ctx.response().setStatusCode(200).putHeader("Content-Type", "application/yaml; charset=utf-8").end(openApi);
    }

    /** {@code POST /v1/revocations}: publish a revoke event. */
    private void revoke(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            body = null;
        }
        if (body == null) {
            AdminError.invalidRequest("body", "must be a JSON object").send(ctx.response());
            return;
        }
        for (String name : body.fieldNames()) {
            if (!RevocationRequests.REVOKE_FIELDS.contains(name)) {
                HttpResponses.badRequest(ctx.response(), name, "unknown field; expected " + RevocationRequests.REVOKE_FIELDS);
                return;
            }
        }
        AdminAuthenticator.Principal principal = AdminAuthenticator.principal(ctx);
        RevocationRequests.RevokeRequest request;
        @Nullable Duration fleetWait;
        try {
            // The rule first: a credential limited to other issuers learns nothing more about it.
            if (!authenticator.permits(ctx, RevocationRequests.revokeKey(body))) {
                return;
            }
            request = requests.parseRevoke(body);
            fleetWait = fleetWait(ctx);
        } catch (RevocationRequests.FieldException e) {
            AdminError.invalidRequest(e.field(), e.reason()).send(ctx.response());
            return;
        }
        JsonObject asked = body;
        withState(ctx, request.key(), stored -> {
            RevocationEvent event;
            try {
                event = requests.revoke(request, stored, principal.actor());
            } catch (RevocationRequests.ConflictException e) {
                AdminError.conflict(e.field(), e.reason()).send(ctx.response());
                return;
            } catch (RevocationRequests.FieldException e) {
                AdminError.invalidRequest(e.field(), e.reason()).send(ctx.response());
                return;
            }
            TreeMap<String, Object> fingerprint = new TreeMap<>(asked.getMap());
            fingerprint.remove("eventId");
            @Nullable String onBehalfOf = asked.getString("actor");
            answer(ctx, publishing.publishOnce(ctx.vertx(), event, principal, onBehalfOf, fingerprint,
                    answer -> againIfOvertaken(ctx, request, principal, onBehalfOf, answer)), fleetWait);
        });
    }

    /**
     * A revoke dated by this sidecar that lost to a restore it had not read yet (made on another
     * admin sidecar a moment before, or dated by a clock ahead of this one) is published once more,
     * dated after that restore, which this sidecar has read by now: a revoke asked for after a
     * restore holds. The answer is the second event's, naming the first ({@code overtakenEventId}).
     * A revoke with an explicit {@code at} is answered as it is: its caller chose the time.
     */
    private Future<RecentPublishes.Answer> againIfOvertaken(RoutingContext ctx, RevocationRequests.RevokeRequest request,
                                                           AdminAuthenticator.Principal principal, @Nullable String onBehalfOf,
                                                           RecentPublishes.Answer first) {
        if (!first.isAccepted() || request.at() != null || !"ignored_restored".equals(first.receipt().effect())) {
            return Future.succeededFuture(first);
        }
        String overtaken = first.receipt().eventId();
        RevocationRequests.RevokeRequest again = new RevocationRequests.RevokeRequest(request.key(), null,
                request.expiresAt(), request.reason(), UUID.randomUUID().toString());
        return ctx.vertx().executeBlocking(() -> store.state(request.key())).compose(stored -> {
            RevocationEvent event;
            try {
                event = requests.revoke(again, stored, principal.actor());
            } catch (RevocationRequests.FieldException e) {
                log.warn("revoke {} lost to a newer restore and cannot be dated after it: {}", overtaken, e.reason());
                return Future.succeededFuture(first);
            }
            log.info("revoke {} lost to a restore this sidecar had not read yet; publishing it again as {}", overtaken,
                    event.eventId());
            return publishing.publish(ctx.vertx(), event, principal, onBehalfOf).map(answer -> !answer.isAccepted() ? answer
                    : RecentPublishes.Answer.accepted(answer.receipt().overtaking(overtaken)));
        }, ar -> Future.succeededFuture(first));
    }

    /**
     * Reads this sidecar's state of a rule key off the event loop (a RocksDB read), then continues
     * on it; answers 503 itself when the store cannot be read.
     */
    private void withState(RoutingContext ctx, RuleKey key, Handler<KeyState> then) {
        withState(store, ctx, key, then);
    }

    /** The same, for the other admin routes that read a rule's state. */
    static void withState(RevocationStore store, RoutingContext ctx, RuleKey key, Handler<KeyState> then) {
        ctx.vertx().executeBlocking(() -> store.state(key)).onComplete(ar -> {
            if (ar.failed()) {
                log.error("reading the state of rule {} failed", key, ar.cause());
                AdminError.storeUnavailable().send(ctx.response());
                return;
            }
            then.handle(ar.result());
        });
    }

    /**
     * Sends a publication's answer: an error as it is, a receipt as JSON, with the fleet's report
     * when the request asked to wait for it ({@code fleetWait} not null).
     */
    private void answer(RoutingContext ctx, Future<RecentPublishes.Answer> answered, @Nullable Duration fleetWait) {
        answered.onComplete(ar -> {
            RecentPublishes.Answer answer = ar.succeeded() ? ar.result() : RecentPublishes.Answer.of(AdminError.internal());
            if (!answer.isAccepted()) {
                answer.error().send(ctx.response());
                return;
            }
            RevocationReceipt receipt = answer.receipt();
            if (fleetWait == null) {
                HttpResponses.json(ctx.response(), 202, receipt.toJson().encode());
                return;
            }
            // fleetWait(ctx) asks for a wait only once fleet status is there, and it is never taken away.
            FleetRoutes fleet = Objects.requireNonNull(this.fleet, "a fleet wait comes with fleet status");
            fleet.awaitAll(ctx.vertx(), receipt.eventId(), receipt.position(), fleetWait).onComplete(f ->
                    HttpResponses.json(ctx.response(), 202, receipt.toJson().put("fleet", f.result()).encode()));
        });
    }

    /** {@code ?wait=all&timeout=…}: how long to wait for the fleet, or null for no waiting. */
    private @Nullable Duration fleetWait(RoutingContext ctx) throws RevocationRequests.FieldException {
        String wait = ctx.request().getParam("wait");
        if (wait == null) {
            return null;
        }
        if (fleet == null) {
            throw new RevocationRequests.FieldException("wait", "fleet status is not available on this sidecar");
        }
        if (!wait.equals("all")) {
            throw new RevocationRequests.FieldException("wait", "the only value is 'all'");
        }
        Duration timeout = FleetRoutes.parseTimeout(ctx.request().getParam("timeout"));
        if (timeout == null) {
            throw new RevocationRequests.FieldException("timeout", "must be like 500ms or 10s, at most 60s");
        }
        return timeout;
    }

    /** {@code DELETE /v1/revocations/{scope}/{issuer}/{value}}: publish a restore event, lifting the rule. */
    private void restore(RoutingContext ctx) {
        AdminAuthenticator.Principal principal = AdminAuthenticator.principal(ctx);
        MultiMap query = ctx.queryParams();
        RuleKey key;
        @Nullable String onBehalfOf;
        try {
            RevocationRequests.checkQuery(query, RESTORE_PARAMETERS);
            onBehalfOf = RevocationRequests.checkText("actor", query.get("actor"));
            key = ruleKey(ctx);
        } catch (RevocationRequests.FieldException e) {
            AdminError.invalidRequest(e.field(), e.reason()).send(ctx.response());
            return;
        }
        if (!authenticator.permits(ctx, key)) {
            return;
        }
        withState(ctx, key, stored -> {
            try {
                RevocationEvent event = requests.restore(key, stored, query.get("eventId"), query.get("reason"),
                        principal.actor());
                TreeMap<String, Object> asked = new TreeMap<>();
                asked.put("scope", event.key().scope().wireName());
                asked.put("issuer", event.key().issuer());
                asked.put("value", event.key().value());
                asked.put("reason", event.reason());
                asked.put("actor", onBehalfOf);
                answer(ctx, publishing.publishOnce(ctx.vertx(), event, principal, onBehalfOf, asked,
                        Future::succeededFuture), null);
            } catch (RevocationRequests.FieldException e) {
                AdminError.invalidRequest(e.field(), e.reason()).send(ctx.response());
            }
        });
    }

    /**
     * {@code GET /v1/revocations/{scope}/{issuer}/{value}}: this sidecar's stored rule for that key,
     * and when it was last restored (a revoke not later than that changes nothing).
     */
    private void lookup(RoutingContext ctx) {
        RuleKey key;
        try {
            RevocationRequests.checkQuery(ctx.queryParams(), List.of());
            key = ruleKey(ctx);
        } catch (RevocationRequests.FieldException e) {
            AdminError.invalidRequest(e.field(), e.reason()).send(ctx.response());
            return;
        }
        if (!authenticator.permits(ctx, key)) {
            return;
        }
        withState(ctx, key, state -> {
            Rule rule = state.rule();
            JsonObject answer = new JsonObject().put("revoked", rule != null)
                    .put("scope", key.scope().wireName()).put("issuer", key.issuer()).put("value", key.value());
            if (rule != null) {
                answer.put("at", rule.at()).put("expiresAt", rule.permanent() ? null : rule.expiresAt())
                        .put("permanent", rule.permanent()).put("eventId", rule.eventId());
            }
            if (state.mark() != null) {
                answer.put("restoredAt", state.mark().at());
            }
            HttpResponses.json(ctx.response(), rule != null ? 200 : 404, answer.encode());
        });
    }

    /** The rule key named by the path; on the issuer-only paths the scope is {@code issuer} and the value empty. */
    private static RuleKey ruleKey(RoutingContext ctx) throws RevocationRequests.FieldException {
        String scope = ctx.pathParam("scope");
        return RevocationRequests.ruleKey(scope == null ? "issuer" : scope, ctx.pathParam("issuer"),
                ctx.pathParam("value"));
    }

    /**
     * The OpenAPI document, copied from docs/openapi.yaml onto the class path by the build.
     *
     * @throws IllegalStateException when the build left it out
     */
    static byte[] openApiDocument() {
        try (InputStream in = AdminRoutes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Error loading the admin OpenAPI document: " + OPENAPI_RESOURCE
                        + " is not on the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("Error loading the admin OpenAPI document " + OPENAPI_RESOURCE, e);
        }
    }


}
