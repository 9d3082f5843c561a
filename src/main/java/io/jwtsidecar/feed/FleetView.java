package io.jwtsidecar.feed;

import io.jwtsidecar.logging.LogSafe;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bookkeeping behind fleet receipts: the latest report of every sidecar, and for a given
 * event which sidecars have applied it. No Kafka here: {@link FleetStatus} reads the status
 * topic and hands over each decoded record, so this is tested on a fake clock.
 *
 * <p>A sidecar is <em>live</em> while it was heard from at most {@code liveWindow} ago,
 * <em>lagging</em> when it has been silent longer (stopped, partitioned, stuck) and <em>gone</em>
 * after {@code goneAfter}, when it is no longer listed. Waiting for "all" means all live
 * sidecars: a stopped one cannot hold a revocation up for longer than the live window.
 *
 * <h2>Which report counts</h2>
 * One entry per record key, which must be the report's {@code sidecarId}. The reports of one
 * sidecar come from its one producer, in order, to the one partition of their key, so the
 * latest is the last one <em>in topic order</em>: each accepted report replaces the one before,
 * whatever the timestamps say. A report never wins because its timestamp is larger (that once
 * let a report dated an hour ahead outlive its sender until the admin sidecar restarted). A
 * refused record changes nothing: the entry it would have replaced keeps ageing.
 *
 * <h2>When it was heard</h2>
 * Silence is measured from when a report was heard, on this sidecar's clock:
 * <ul>
 *   <li>on a status topic stamped by the broker ({@code message.timestamp.type=LogAppendTime},
 *       as {@code jwt-sidecar topic create} makes it), from the broker's append time, which no
 *       client can set;</li>
 *   <li>otherwise from the report's own {@code reportedAt}, which its producer chose.</li>
 * </ul>
 * Either way never later than the moment the record was read, so no report seems fresher than
 * that. A report whose {@code reportedAt} is more than {@link #MAX_FUTURE_SKEW} ahead of the
 * append time (or, without one, of this sidecar's clock) is refused: its producer's clock is
 * wrong or it is forged. Within the skew a producer-stamped report can outlive its sender's
 * silence by at most the skew; a broker-stamped one cannot at all. (A client allowed to write
 * the status topic can still report for another id with a current time; that lasts until the
 * real sidecar's next report, or the live window. Only Kafka ACLs keep writers out.)
 *
 * <h2>Forgetting, and the bound on memory</h2>
 * An entry silent for longer than {@code goneAfter} is hidden at once and removed from memory
 * by the next {@link #expire()} ({@link FleetStatus} calls it every second). A report already
 * older than {@code goneAfter} when read (the compacted topic replayed at start) is the newest
 * word from its sidecar: it is not tracked, and ends the entry of its id. At most
 * {@code maxTracked} ids are tracked. At the cap a report of a new id is refused ({@link
 * Refusal#FULL}) while known ids keep reporting; a slot frees once an id has been silent for
 * {@code goneAfter}. Because a sidecar turned away might not have applied an event, no receipt
 * is complete until {@code goneAfter} has passed since the last such refusal: fail closed rather
 * than claim the whole fleet. Each entry keeps at most {@link SidecarStatus#MAX_PARTITIONS}
 * partitions in three arrays (20 bytes a partition), so memory is bounded by
 * {@code maxTracked × 256 × 20} bytes, about 51 MB at the default cap, and in practice a few
 * hundred bytes a sidecar. The client names of node-level sidecars ({@link SidecarStatus#clients})
 * are kept up to {@value #MAX_HELD_CLIENT_NAMES} names over all entries (at most 32 MB); past that
 * an entry keeps only how many it named.
 *
 * <h2>Refusals</h2>
 * Every refused record is counted by {@link Refusal} ({@link #refused}) and logged at WARN, at
 * most once a minute for each reason, with how many more were refused meanwhile: a flood of
 * forged records cannot flood the log.
 *
 * <p>Threads: {@link #accept}, {@link #refuse}, {@link #forget} and {@link #expire} are called by
 * one thread at a time (the status topic consumer); the questions ({@link #receipt},
 * {@link #tracked}, {@link #refused}) from any thread.
 */
public final class FleetView {
    /** How far ahead of the reference clock a report's {@code reportedAt} may be. */
    public static final Duration MAX_FUTURE_SKEW = Duration.ofSeconds(5);
    /** The most sidecar ids tracked at once. */
    public static final int DEFAULT_MAX_TRACKED = 10_000;
    /** The most client names held over all entries: 100,000 pods on node-level sidecars. */
    static final int MAX_HELD_CLIENT_NAMES = 100_000;

    private static final Logger log = LoggerFactory.getLogger(FleetView.class);
    private static final long LOG_GAP_MILLIS = 60_000;
    private static final int LOGGED_ID_LENGTH = 100;
    private static final long NEVER = Long.MIN_VALUE;

    private final Clock clock;
    private final long liveMillis;
    private final long goneMillis;
    private final int maxTracked;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLongArray refusals = new AtomicLongArray(Refusal.values().length);
    /** Per refusal reason: when it was last logged, and how many went unlogged since. Consumer thread only. */
    private final long[] lastLogged = new long[Refusal.values().length];
    private final long[] unlogged = new long[Refusal.values().length];
    private volatile long lastTurnedAway = NEVER;
    /** Client names held by the entries. Consumer thread only. */
    private int heldClientNames;

    /** One sidecar's standing with respect to one event. */
    public enum State { APPLIED, PENDING, LAGGING }

    /**
     * @param sidecarId    the sidecar id
     * @param state        applied, pending (live, not yet) or lagging (silent)
     * @param delayMillis  for applied sidecars, an upper bound of the time from the event's
     *                     timestamp to its application there (exact when it was the last record
     *                     applied); else -1
     * @param silentMillis how long ago it was last heard from (never negative)
     * @param partitionsAssigned partitions of the revocation topic it reads (-1: not reported)
     * @param partitionsExisting partitions it last counted on the topic (-1: not known or not reported)
     * @param clients      for a node-level sidecar, the pods it answers for, sorted (empty when it
     *                     named none, or when more names than {@value #MAX_HELD_CLIENT_NAMES} are held)
     * @param clientCount  how many pods it named
     */
    public record Standing(String sidecarId, State state, long delayMillis, long silentMillis, int partitionsAssigned,
                           int partitionsExisting, List<String> clients, int clientCount) {
        public Standing {
            clients = List.copyOf(clients);
        }
    }

    /**
     * The fleet's answer for one event.
     *
     * @param sidecars every sidecar heard from within {@code goneAfter}, by id
     * @param complete whether every live sidecar has applied it, at least one has, and no
     *                 sidecar was turned away at the cap within {@code goneAfter}
     */
    public record Receipt(List<Standing> sidecars, boolean complete) {
        public Receipt {
            sidecars = List.copyOf(sidecars);
        }
    }

    /** Why a status record was not taken. */
    public enum Refusal {
        /** Not a status report (see {@link SidecarStatus#fromJson}), or no key. */
        MALFORMED("malformed"),
        /** The record key is not the report's {@code sidecarId}. */
        KEY_MISMATCH("key_mismatch"),
        /** {@code reportedAt} more than {@link #MAX_FUTURE_SKEW} ahead. */
        FROM_THE_FUTURE("from_the_future"),
        /** A new id while {@code maxTracked} ids are tracked. */
        FULL("full");

        private final String code;

        Refusal(String code) {
            this.code = code;
        }

        /** The stable name, for logs and metrics. */
        public String code() {
            return code;
        }
    }

    /** With the default cap of {@value #DEFAULT_MAX_TRACKED} ids. */
    public FleetView(Clock clock, Duration liveWindow, Duration goneAfter) {
        this(clock, liveWindow, goneAfter, DEFAULT_MAX_TRACKED);
    }

    /** @throws IllegalArgumentException when the cap is not positive */
    public FleetView(Clock clock, Duration liveWindow, Duration goneAfter, int maxTracked) {
        if (maxTracked <= 0) {
            throw new IllegalArgumentException("maxTracked must be positive, got " + maxTracked);
        }
        this.clock = clock;
        this.liveMillis = liveWindow.toMillis();
        this.goneMillis = goneAfter.toMillis();
        this.maxTracked = maxTracked;
        Arrays.fill(lastLogged, NEVER);
    }

    /**
     * The next record of the status topic, decoded.
     *
     * @param key        the record key
     * @param report     its value
     * @param appendedAt the broker's append time when the topic is stamped by the broker; else empty
     * @return why it was refused, or empty when it was taken (or was already gone)
     */
    Optional<Refusal> accept(String key, SidecarStatus report, OptionalLong appendedAt) {
        long now = clock.millis();
        if (!key.equals(report.sidecarId())) {
            return refuse(key, Refusal.KEY_MISMATCH, "the record reports about '" + LogSafe.text(report.sidecarId(), LOGGED_ID_LENGTH) + "'");
        }
        long reference = appendedAt.orElse(now);
        long ahead = report.reportedAt() - reference;
        if (ahead > MAX_FUTURE_SKEW.toMillis()) {
            return refuse(key, Refusal.FROM_THE_FUTURE, "reportedAt is " + ahead + " ms ahead of "
                    + (appendedAt.isPresent() ? "the broker's append time" : "this sidecar's clock"));
        }
        long heardAt = Math.min(appendedAt.orElse(report.reportedAt()), now);
        if (now - heardAt > goneMillis) {
            remove(key);
            return Optional.empty();
        }
        if (entries.size() >= maxTracked && !entries.containsKey(key)) {
            lastTurnedAway = now;
            return refuse(key, Refusal.FULL, maxTracked + " sidecars are tracked already; no fleet receipt is "
                    + "complete until none has been turned away for " + Duration.ofMillis(goneMillis));
        }
        Entry previous = entries.get(key);
        int held = heldClientNames - (previous == null ? 0 : previous.clients.size());
        boolean keepNames = held + report.clients().size() <= MAX_HELD_CLIENT_NAMES;
        entries.put(key, Entry.of(report, heardAt, keepNames));
        heldClientNames = held + (keepNames ? report.clients().size() : 0);
        return Optional.empty();
    }

    /** Counts and logs (at most once a minute for each reason) a record that was not taken. */
    Optional<Refusal> refuse(String key, Refusal why, String detail) {
        refusals.incrementAndGet(why.ordinal());
        long now = clock.millis();
        int i = why.ordinal();
        if (lastLogged[i] != NEVER && now - lastLogged[i] < LOG_GAP_MILLIS) {
            unlogged[i]++;
            return Optional.of(why);
        }
        log.warn("refused a status record ({}) for sidecar '{}': {}{}", why.code(), LogSafe.text(key, LOGGED_ID_LENGTH), detail,
                unlogged[i] == 0 ? "" : " (and " + unlogged[i] + " more " + why.code() + " since the last such line)");
        lastLogged[i] = now;
        unlogged[i] = 0;
        return Optional.of(why);
    }

    /** A tombstone: the sidecar {@code key} is gone for good. */
    void forget(String key) {
        remove(key);
    }

    private void remove(String key) {
        Entry gone = entries.remove(key);
        if (gone != null) {
            heldClientNames -= gone.clients.size();
        }
    }

    /** Removes every entry silent for longer than {@code goneAfter}; returns how many. */
    int expire() {
        long now = clock.millis();
        int removed = 0;
        for (Entry e : List.copyOf(entries.values())) {
            if (now - e.heardAt > goneMillis) {
                remove(e.sidecarId);
                removed++;
            }
        }
        return removed;
    }

    /** The standing of every sidecar heard from within {@code goneAfter} for the event at {@code position}. */
    public Receipt receipt(EventPosition position) {
        long now = clock.millis();
        List<Standing> standings = new ArrayList<>();
        boolean pending = false;
        boolean applied = false;
        for (Entry e : entries.values()) {
            long silent = Math.max(0, now - e.heardAt);
            if (silent > goneMillis) {
                continue;
            }
            int i = Arrays.binarySearch(e.partitions, position.partition());
            if (i >= 0 && e.next[i] > position.offset()) {
                long appliedAt = e.appliedAt[i] >= 0 ? e.appliedAt[i] : e.reportedAt;
                standings.add(new Standing(e.sidecarId, State.APPLIED, Math.max(0, appliedAt - position.timestamp()),
                        silent, e.assigned, e.existing, e.clients, e.clientCount));
                applied = true;
            } else if (silent <= liveMillis) {
                standings.add(new Standing(e.sidecarId, State.PENDING, -1, silent, e.assigned, e.existing, e.clients,
                        e.clientCount));
                pending = true;
            } else {
                standings.add(new Standing(e.sidecarId, State.LAGGING, -1, silent, e.assigned, e.existing, e.clients,
                        e.clientCount));
            }
        }
        standings.sort(Comparator.comparing(Standing::sidecarId));
        long turnedAway = lastTurnedAway;
        boolean fleetKnown = turnedAway == NEVER || now - turnedAway > goneMillis;
        return new Receipt(standings, applied && !pending && fleetKnown);
    }

    /** How many sidecar ids are held in memory (including silent ones not yet expired). */
    public int tracked() {
        return entries.size();
    }

    /** How many status records were refused for {@code why} since start. */
    public long refused(Refusal why) {
        return refusals.get(why.ordinal());
    }


    /** One tracked sidecar: its last report, by partition in sorted arrays. Immutable. */
    private static final class Entry {
        final String sidecarId;
        final long reportedAt;
        final long heardAt;
        final int[] partitions;
        final long[] next;
        /** -1 where the report has no appliedAt for the partition. */
        final long[] appliedAt;
        final int assigned;
        final int existing;
        final List<String> clients;
        final int clientCount;

        private Entry(String sidecarId, long reportedAt, long heardAt, int[] partitions, long[] next, long[] appliedAt,
                      int assigned, int existing, List<String> clients, int clientCount) {
            this.sidecarId = sidecarId;
            this.reportedAt = reportedAt;
            this.heardAt = heardAt;
            this.partitions = partitions;
            this.next = next;
            this.appliedAt = appliedAt;
            this.assigned = assigned;
            this.existing = existing;
            this.clients = clients;
            this.clientCount = clientCount;
        }

        static Entry of(SidecarStatus s, long heardAt, boolean keepNames) {
            int[] partitions = s.appliedNext().keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
            long[] next = new long[partitions.length];
            long[] at = new long[partitions.length];
            for (int i = 0; i < partitions.length; i++) {
                next[i] = s.appliedNext().getOrDefault(partitions[i], 0L);
                at[i] = s.appliedAt().getOrDefault(partitions[i], -1L);
            }
            return new Entry(s.sidecarId(), s.reportedAt(), heardAt, partitions, next, at, s.partitionsAssigned(),
                    s.partitionsExisting(), keepNames ? s.clients() : List.of(), s.clients().size());
        }
    }
}
