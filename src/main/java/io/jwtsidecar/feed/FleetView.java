package io.jwtsidecar.feed;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bookkeeping behind fleet receipts: the latest report of every sidecar, and for a given
 * event which sidecars have applied it. No Kafka here: {@link FleetStatus} reads the status
 * topic and hands each decoded report over, so this is tested on a fake clock.
 *
 * <p>A sidecar is <em>live</em> while its last report is at most {@code liveWindow} old,
 * <em>lagging</em> when it has been silent longer (stopped, partitioned, stuck) and <em>gone</em>
 * after {@code goneAfter}, when it is no longer listed. Waiting for "all" means all live
 * sidecars: a stopped one cannot hold a revocation up for longer than the live window.
 *
 * <p>Thread-safe: reports arrive on the status consumer's thread, questions on event loops.
 */
public final class FleetView {
    private final Clock clock;
    private final Duration liveWindow;
    private final Duration goneAfter;
    private final Map<String, SidecarStatus> latest = new ConcurrentHashMap<>();

    /** One sidecar's standing with respect to one event. */
    public enum State { APPLIED, PENDING, LAGGING }

    /**
     * @param sidecarId    the sidecar id
     * @param state        applied, pending (live, not yet) or lagging (silent)
     * @param delayMillis  for applied sidecars, an upper bound of the time from the event's
     *                     timestamp to its application there (exact when it was the last record
     *                     applied); else -1
     * @param silentMillis how long ago its last report was
     */
    public record Standing(String sidecarId, State state, long delayMillis, long silentMillis) {
    }

    public FleetView(Clock clock, Duration liveWindow, Duration goneAfter) {
        this.clock = clock;
        this.liveWindow = liveWindow;
        this.goneAfter = goneAfter;
    }

    /** A report read from the status topic. */
    void accept(SidecarStatus s) {
        latest.merge(s.sidecarId(), s, (old, neu) -> neu.reportedAt() >= old.reportedAt() ? neu : old);
    }

    /** A tombstone: the sidecar {@code id} is gone for good. */
    void forget(String id) {
        latest.remove(id);
    }

    /** Every sidecar heard from within {@code goneAfter}, with its standing for the event at {@code position}. */
    public List<Standing> standings(EventPosition position) {
        long now = clock.millis();
        List<Standing> result = new ArrayList<>();
        for (SidecarStatus s : latest.values()) {
            long silent = now - s.reportedAt();
            if (silent > goneAfter.toMillis()) {
                continue;
            }
            if (s.hasApplied(position.partition(), position.offset())) {
                long appliedAt = s.appliedAt().getOrDefault(position.partition(), s.reportedAt());
                result.add(new Standing(s.sidecarId(), State.APPLIED, Math.max(0, appliedAt - position.timestamp()),
                        silent));
            } else {
                result.add(new Standing(s.sidecarId(), silent <= liveWindow.toMillis() ? State.PENDING : State.LAGGING,
                        -1, silent));
            }
        }
        result.sort(Comparator.comparing(Standing::sidecarId));
        return result;
    }

    /** Whether every live sidecar has applied the event (and at least one has). */
    public boolean appliedByAllLive(EventPosition position) {
        List<Standing> standings = standings(position);
        return standings.stream().noneMatch(s -> s.state() == State.PENDING)
                && standings.stream().anyMatch(s -> s.state() == State.APPLIED);
    }
}
