package io.jwtsidecar.http;

import io.jwtsidecar.feed.PublishReceipt;
import io.jwtsidecar.logging.LogSafe;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.tracing.LogTraceIds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the admin API publishes a revoke or restore and decides its answer: once per event id
 * ({@link RecentPublishes}), with the audit line and the admin-action metric once Kafka took the
 * event, and after a short wait for this sidecar's own feed to apply it. The answer is a
 * {@link RevocationReceipt} or an {@link AdminError}; {@link AdminRoutes} sends it.
 *
 * <p>Runs on the admin listener's event loop; nothing here blocks.
 */
final class RevocationPublishing {
    // The admin routes' logger name, which operators may already filter on.
    private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);
    private static final Logger audit = LoggerFactory.getLogger("io.jwtsidecar.audit");
    /** How long a 202 waits for this sidecar's own feed; past it the answer says appliedLocally=false. */
    private static final Duration LOCAL_APPLY_WAIT = Duration.ofSeconds(5);
    /** How long an event id is remembered for idempotent repeats, and how many are. */
    static final Duration IDEMPOTENCY_WINDOW = Duration.ofHours(1);
    private static final long IDEMPOTENCY_MAX_ENTRIES = 10_000;

    private final AdminRoutes.EventPublisher publisher;
    private final AdminRoutes.AppliedOffsets applied;
    private final SidecarMetrics metrics;
    private final RecentPublishes recent;

    /** @param clock the idempotency window's */
    RevocationPublishing(AdminRoutes.EventPublisher publisher, AdminRoutes.AppliedOffsets applied,
                         SidecarMetrics metrics, Clock clock) {
        this.publisher = publisher;
        this.applied = applied;
        this.metrics = metrics;
        this.recent = new RecentPublishes(IDEMPOTENCY_WINDOW, IDEMPOTENCY_MAX_ENTRIES, clock);
    }

    /**
     * Publishes {@code event} unless its event id was used within the idempotency window: the
     * same request again gets the first answer, another request with that id a 409.
     *
     * @param asked everything the request asked for except the event id, for telling a repeat
     *              from a different request
     * @param then  what follows a publication, before the answer is given and remembered
     * @return the answer to give: this request's, the first request's for a repeat, or a 409
     */
    Future<RecentPublishes.Answer> publishOnce(Vertx vertx, RevocationEvent event, AdminAuthenticator.Principal principal,
                                               @Nullable String onBehalfOf, TreeMap<String, Object> asked,
                                               Function<RecentPublishes.Answer, Future<RecentPublishes.Answer>> then) {
        String fingerprint = new JsonObject().put("type", event.type().name()).put("actor", principal.actor())
                .put("via", principal.via().label()).put("asked", new JsonObject(asked)).encode();
        RecentPublishes.Claim claim = recent.claim(event.eventId(), fingerprint);
        switch (claim.outcome()) {
            case CONFLICT -> {
                // Not the claim's answer: the first request's answer stays as it was.
                return Future.succeededFuture(RecentPublishes.Answer.of(AdminError.conflict("eventId",
                        "this eventId was used for a different request within the last "
                                + IDEMPOTENCY_WINDOW.toMinutes() + " minutes")));
            }
            case REPEAT -> log.info("{} {} repeated by {}: answering as before, publishing nothing", verb(event),
                    event.eventId(), LogSafe.text(principal.actor(), Integer.MAX_VALUE));
            case FIRST -> publish(vertx, event, principal, onBehalfOf).compose(then).onComplete(ar -> {
                RecentPublishes.Answer answer = ar.succeeded() ? ar.result()
                        : RecentPublishes.Answer.of(AdminError.internal());
                if (answer.isAccepted()) {
                    claim.succeed(answer);
                } else {
                    claim.fail(answer);
                }
            });
        }
        return claim.answer();
    }

    /**
     * Publishes, writes the audit line, and waits (briefly) for this sidecar to apply the event.
     *
     * @return the answer: the receipt, or 503 when Kafka did not take the event
     */
    Future<RecentPublishes.Answer> publish(Vertx vertx, RevocationEvent event, AdminAuthenticator.Principal principal,
                                           @Nullable String onBehalfOf) {
        return publish(vertx, event, principal, onBehalfOf, Map.of());
    }

    /**
     * The same, for a revocation an identity provider asked for.
     *
     * @param signal its source, signal id and transaction id, for the audit line (in that order)
     */
    Future<RecentPublishes.Answer> publish(Vertx vertx, RevocationEvent event, AdminAuthenticator.Principal principal,
                                           @Nullable String onBehalfOf, Map<String, Object> signal) {
        return publisher.publish(event).transform(ar -> {
            if (ar.failed()) {
                log.error("publishing {} {} failed", verb(event), event.eventId(), ar.cause());
                return Future.succeededFuture(RecentPublishes.Answer.of(
                        AdminError.publishFailed(event.eventId(), String.valueOf(ar.cause().getMessage()))));
            }
            PublishReceipt receipt = ar.result();
            metrics.adminAction(verb(event));
            try (LogTraceIds.Scope traced = LogTraceIds.of(receipt.publishSpan())) {
                audit.info("{}", AuditRecord.line(verb(event), event, principal, onBehalfOf, receipt, signal));
            }
            return Future.fromCompletionStage(applied.whenApplied(receipt.partition(), receipt.offset())
                            .toCompletableFuture().orTimeout(LOCAL_APPLY_WAIT.toMillis(), TimeUnit.MILLISECONDS),
                    vertx.getOrCreateContext())
                    .transform(local -> Future.succeededFuture(refusedHere(event, receipt, local.succeeded())
                            .orElseGet(() -> RecentPublishes.Answer.accepted(RevocationReceipt.of(event, receipt,
                                    local.succeeded(),
                                    local.succeeded() ? applied.effectOf(event.eventId()).orElse(null) : null)))));
        });
    }

    /**
     * A 500 when this sidecar dead-lettered the event it just published (its clock far from the
     * broker's, a signing key the sidecars do not trust): every sidecar configured alike refuses
     * it too, so the revocation is enforced nowhere and must not be answered as accepted.
     */
    private Optional<RecentPublishes.Answer> refusedHere(RevocationEvent event, PublishReceipt receipt, boolean applied) {
        if (!applied) {
            return Optional.empty();
        }
        return this.applied.deadLetterReason(receipt.partition(), receipt.offset()).map(reason -> {
            try (LogTraceIds.Scope traced = LogTraceIds.of(receipt.publishSpan())) {
                log.error("{} {} was published to partition {} offset {} and refused by this sidecar's own feed: {}",
                        verb(event), event.eventId(), receipt.partition(), receipt.offset(), LogSafe.text(reason));
            }
            return RecentPublishes.Answer.of(AdminError.refusedBySidecars(event.eventId(), receipt.partition(),
                    receipt.offset(), "this sidecar dead-lettered the event it published, as every sidecar configured "
                            + "alike does: " + reason));
        });
    }

    /** "revoke" or "restore": the event type's wire name, also the audit verb and metric label. */
    private static String verb(RevocationEvent event) {
        return event.type().name().toLowerCase(Locale.ROOT);
    }
}
