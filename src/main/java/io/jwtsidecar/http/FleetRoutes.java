package io.jwtsidecar.http;

import io.jwtsidecar.feed.EventPosition;
import io.jwtsidecar.feed.FleetStatus;
import io.jwtsidecar.feed.FleetView;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Fleet propagation receipts on the admin API: which live sidecars have applied an event.
 *
 * <ul>
 *   <li>{@code GET /v1/revocations/{eventId}/status}: the standing of every sidecar heard from
 *       recently: applied (with an upper bound of its delay), pending, or lagging (silent).</li>
 *   <li>{@code POST /v1/revocations?wait=all&timeout=10s} uses {@link #awaitAll} to answer only
 *       when every live sidecar has applied the event, or the timeout passed.</li>
 * </ul>
 * Mounted on the admin router after authentication. Never blocks an event loop: waiting is a
 * periodic timer.
 */
public final class FleetRoutes {
    private static final long POLL_MILLIS = 10;
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);
    static final Duration MAX_WAIT = Duration.ofSeconds(60);

    private final FleetStatus fleet;
    private final Function<String, Optional<EventPosition>> positions;

    /** @param positions where a recent event landed, by event id (this sidecar's feed) */
    public FleetRoutes(FleetStatus fleet, Function<String, Optional<EventPosition>> positions) {
        this.fleet = fleet;
        this.positions = positions;
    }

    /** @param read the handler that demands the read scope */
    public void mount(Router router, Handler<RoutingContext> read) {
        router.get("/v1/revocations/:eventId/status").handler(read).handler(this::status);
    }

    private void status(RoutingContext ctx) {
        String eventId = ctx.pathParam("eventId");
        Optional<EventPosition> position = positions.apply(eventId);
        if (position.isEmpty()) {
            AdminError.unknownEvent(eventId).send(ctx.response());
            return;
        }
        HttpResponses.json(ctx.response(), 200, report(eventId, position.get(), fleet.receipt(position.get())).encode());
    }

    /** Completes with the fleet report once every live sidecar has applied the event, or at the timeout. */
    Future<JsonObject> awaitAll(Vertx vertx, String eventId, EventPosition position, Duration timeout) {
        Promise<JsonObject> done = Promise.promise();
        long deadline = System.nanoTime() + timeout.toNanos();
        FleetView.Receipt now = fleet.receipt(position);
        if (now.complete()) {
            done.complete(report(eventId, position, now));
            return done.future();
        }
        vertx.setPeriodic(POLL_MILLIS, id -> {
            FleetView.Receipt receipt = fleet.receipt(position);
            if (receipt.complete() || System.nanoTime() - deadline >= 0) {
                vertx.cancelTimer(id);
                done.tryComplete(report(eventId, position, receipt));
            }
        });
        return done.future();
    }

    /**
     * The same for an event known by id only (one this sidecar applied recently); empty when it
     * does not know where that event landed.
     */
    Optional<Future<JsonObject>> awaitAll(Vertx vertx, String eventId, Duration timeout) {
        return positions.apply(eventId).map(position -> awaitAll(vertx, eventId, position, timeout));
    }

    /** Parses {@code timeout} (e.g. 500ms, 5s, or plain milliseconds); null when invalid. */
    static @Nullable Duration parseTimeout(@Nullable String text) {
        if (text == null) {
            return DEFAULT_WAIT;
        }
        try {
            Duration d = text.endsWith("ms") ? Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)))
                    : text.endsWith("s") ? Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)))
                    : Duration.ofMillis(Long.parseLong(text));
            return d.isNegative() || d.compareTo(MAX_WAIT) > 0 ? null : d;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The answer: counts and sidecars from one receipt, so that they agree with its {@code complete}. */
    private static JsonObject report(String eventId, EventPosition position, FleetView.Receipt receipt) {
        JsonArray sidecars = new JsonArray();
        long applied = 0;
        long pending = 0;
        long lagging = 0;
        long slowest = -1;
        for (FleetView.Standing s : receipt.sidecars()) {
            sidecars.add(new JsonObject().put("id", s.sidecarId()).put("state", s.state().name().toLowerCase())
                    .put("delayMillis", s.delayMillis() < 0 ? null : s.delayMillis())
                    .put("lastReportMillisAgo", s.silentMillis())
                    .put("partitions", s.partitionsAssigned() < 0 ? null : new JsonObject()
                            .put("assigned", s.partitionsAssigned())
                            .put("existing", s.partitionsExisting() < 0 ? null : s.partitionsExisting()))
                    .put("clientCount", s.clientCount())
                    .put("clients", new JsonArray(s.clients())));
            switch (s.state()) {
                case APPLIED -> {
                    applied++;
                    slowest = Math.max(slowest, s.delayMillis());
                }
                case PENDING -> pending++;
                default -> lagging++;
            }
        }
        return new JsonObject().put("eventId", eventId).put("partition", position.partition())
                .put("offset", position.offset()).put("live", applied + pending).put("applied", applied)
                .put("pending", pending).put("lagging", lagging)
                .put("complete", receipt.complete())
                .put("slowestDelayMillis", slowest < 0 ? null : slowest).put("sidecars", sidecars);
    }
}
