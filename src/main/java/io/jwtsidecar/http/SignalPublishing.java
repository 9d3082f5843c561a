package io.jwtsidecar.http;

import io.jwtsidecar.admin.AdminScope;
import io.jwtsidecar.admin.IssuerLimit;
import io.jwtsidecar.idp.IdpRevocation;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.revocation.KeyState;
import io.jwtsidecar.revocation.RestoreMark;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationStore;
import io.jwtsidecar.revocation.Rule;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the revocations identity providers ask for (back-channel logout, Shared Signals,
 * revoke-by-token) through the admin API's own path: the event is built by
 * {@link RevocationRequests} against this sidecar's stored state, so it is monotonic (never
 * weaker than the stored rule, never dated at or before a later restore), signed by the
 * publisher, audited, and answered only once this sidecar applied it ({@link RevocationPublishing}).
 *
 * <p>A signal the store already honours publishes nothing and is answered {@link Covered}: the
 * same signal again (its event id is derived from it, {@link IdpRevocation#eventId()}), a rule
 * of the same key dated later, or a restore dated after the signal. So a signal delivered
 * twice, to two sidecars or again after a restart changes the topic at most once per sidecar
 * that took it, and never undoes an admin's restore.
 *
 * <p>The actor is {@code idp:<issuer>}, with a credential that may only revoke, and only rules of
 * the issuer the signal names. Runs on an event loop; the store read goes to a worker.
 */
public final class SignalPublishing {
    private static final Logger log = LoggerFactory.getLogger(SignalPublishing.class);

    private final RevocationRequests requests;
    private final RevocationPublishing publishing;
    private final RevocationStore store;
    private final Supplier<@Nullable FleetRoutes> fleet;
    private final SidecarMetrics metrics;
    private final Clock clock;

    SignalPublishing(RevocationRequests requests, RevocationPublishing publishing, RevocationStore store,
                     Supplier<@Nullable FleetRoutes> fleet, SidecarMetrics metrics, Clock clock) {
        this.requests = requests;
        this.publishing = publishing;
        this.store = store;
        this.fleet = fleet;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** What became of a signal's revocation. */
    public sealed interface Outcome permits Published, Covered, Failed {
        /** The outcome label of {@code jwt_sidecar_idp_signals}. */
        String label();
    }

    /**
     * Published, and applied here when {@code receipt.appliedLocally}.
     *
     * @param fleet the fleet's report when the caller waited for it, else null
     */
    public record Published(JsonObject receipt, boolean appliedLocally, @Nullable JsonObject fleet) implements Outcome {
        @Override
        public String label() {
            return "published";
        }

        /** Whether every live sidecar applied it (only known after a fleet wait). */
        public boolean fleetComplete() {
            return fleet != null && fleet.getBoolean("complete", false);
        }
    }

    /**
     * Nothing published: this sidecar's store already decides the rule.
     *
     * @param effect {@code already_applied} (this very signal), {@code already_revoked} (a rule of
     *               the key as late and lasting at least as long), or {@code ignored_restored}
     *               (restored after the signal's time)
     * @param fleet  the fleet's report on the covering rule's event, when the caller waited for it
     *               and this sidecar knows where that event landed; else null
     */
    public record Covered(String effect, @Nullable JsonObject fleet) implements Outcome {
        @Override
        public String label() {
            return "covered";
        }

        /** Whether no fleet report says a live sidecar still lacks the covering event. */
        public boolean fleetComplete() {
            return fleet == null || fleet.getBoolean("complete", false);
        }
    }

    /**
     * Not published: Kafka did not take it, the store could not be read, or the event could not
     * be built.
     *
     * @param status      the HTTP status an admin request would get (503, 500, 400)
     * @param description one sentence for the answer and the log
     */
    public record Failed(int status, String description) implements Outcome {
        @Override
        public String label() {
            return "failed";
        }
    }

    /**
     * Publishes {@code signal}'s revocation unless the store already honours it.
     *
     * @param fleetWait how long to wait for every live sidecar to apply it; null for no wait
     *                  (ignored on a sidecar without fleet status)
     */
    public Future<Outcome> publish(Vertx vertx, IdpRevocation signal, @Nullable Duration fleetWait) {
        return vertx.executeBlocking(() -> store.state(signal.key())).transform(read -> {
            if (read.failed()) {
                log.error("reading the state of rule {} for a {} signal failed", signal.key(), signal.source().label(),
                        read.cause());
                return Future.succeededFuture(count(signal, new Failed(503, "the revocation store cannot be read")));
            }
            return publish(vertx, signal, read.result(), fleetWait).map(outcome -> count(signal, outcome));
        });
    }

    private Future<Outcome> publish(Vertx vertx, IdpRevocation signal, KeyState stored, @Nullable Duration fleetWait) {
        Rule rule = stored.rule();
        if (rule != null && rule.eventId().equals(signal.eventId())) {
            return covered(vertx, "already_applied", rule, fleetWait);
        }
        RestoreMark mark = stored.mark();
        long now = clock.instant().getEpochSecond();
        @Nullable Long at = signal.at();
        if (rule != null && at < rule.at()) {
            // A later rule of the key covers more; the event restates it with the later expiry of both, so
            // a rule an admin gave a short expiry still holds as long as this signal asks.
            at = rule.at();
        }
        if (mark != null && at <= mark.at()) {
            if (mark.at() <= now) {
                return Future.succeededFuture(new Covered("ignored_restored", null)); // lifted after the signal
            }
            // A restore dated ahead of now (the rule it lifted was) is older than a signal arriving now:
            // dated after the mark, as the admin API dates a revoke it is not given a time for.
            at = null;
        }
        RevocationEvent event;
        try {
            event = requests.revoke(new RevocationRequests.RevokeRequest(signal.key(), at, null, signal.reason(),
                    signal.eventId()), stored, signal.actor());
        } catch (RevocationRequests.ConflictException e) {
            return Future.succeededFuture(new Failed(503, e.field() + ": " + e.reason()));
        } catch (RevocationRequests.FieldException e) {
            return Future.succeededFuture(new Failed(400, e.field() + ": " + e.reason()));
        }
        if (rule != null && event.at() == rule.at() && event.expiresAt() <= rule.expiresAt()) {
            return covered(vertx, "already_revoked", rule, fleetWait);
        }
        AdminAuthenticator.Principal principal = new AdminAuthenticator.Principal(signal.actor(),
                Set.of(AdminScope.REVOCATIONS_WRITE), AdminAuthenticator.Via.IDP_SIGNAL,
                IssuerLimit.only(List.of(signal.key().issuer())));
        Map<String, Object> audit = new LinkedHashMap<>();
        audit.put("source", signal.source().label());
        audit.put("signalId", signal.signalId());
        audit.put("txn", signal.txn());
        return publishing.publish(vertx, event, principal, null, audit).compose(answer -> {
            if (!answer.isAccepted()) {
                AdminError error = answer.error();
                return Future.succeededFuture((Outcome) new Failed(error.status(),
                        new JsonObject(error.body()).getString("message", error.code())));
            }
            RevocationReceipt receipt = answer.receipt();
            FleetRoutes fleetRoutes = fleet.get();
            if (fleetWait == null || fleetRoutes == null || !receipt.appliedLocally()) {
                return Future.succeededFuture(new Published(receipt.toJson(), receipt.appliedLocally(), null));
            }
            return fleetRoutes.awaitAll(vertx, receipt.eventId(), receipt.position(), fleetWait)
                    .map(report -> new Published(receipt.toJson(), true, report));
        });
    }

    /**
     * Nothing to publish: the stored {@code rule} already does what the signal asks. With a fleet
     * wait, the answer still waits for every live sidecar to have applied that rule's event (a
     * provider retrying after a 503 must not get a 200 the fleet has not earned); an event this
     * sidecar no longer knows the position of was applied long enough ago to count as done.
     */
    private Future<Outcome> covered(Vertx vertx, String effect, Rule rule, @Nullable Duration fleetWait) {
        FleetRoutes fleetRoutes = fleet.get();
        if (fleetWait == null || fleetRoutes == null) {
            return Future.succeededFuture(new Covered(effect, null));
        }
        return fleetRoutes.awaitAll(vertx, rule.eventId(), fleetWait)
                .map(report -> report.map(r -> (Outcome) new Covered(effect, r)))
                .orElseGet(() -> Future.succeededFuture(new Covered(effect, null)));
    }

    private Outcome count(IdpRevocation signal, Outcome outcome) {
        metrics.idpSignal(signal.source().label(), outcome.label());
        return outcome;
    }

    /** For the receivers: a refused or replayed signal counted under its source. */
    public void refused(String source, String outcome) {
        metrics.idpSignal(source, Objects.requireNonNull(outcome, "outcome"));
    }
}
