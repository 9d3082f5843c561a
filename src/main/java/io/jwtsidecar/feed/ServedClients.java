package io.jwtsidecar.feed;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The clients a node-level sidecar has answered lately, by the name each gives itself in the
 * {@value #HEADER} header ({@code <namespace>/<pod>}, set by the injector in node mode). The
 * sidecar reports them in its fleet status, so a fleet receipt says, per node, which pods the
 * sidecar that applied a revocation answers for.
 *
 * <p>A name is the caller's own word, not an authentication: whoever can reach the sidecar's
 * socket can name itself anything. It is only shown in receipts, never used to decide a verdict,
 * and it is bounded: at most {@value #MAX_CLIENTS} names at once (a flood of made-up names can
 * crowd out real ones for as long as their sender keeps them fresh, which {@link #refused}
 * counts; it can hide pods from receipts, never change a verdict), each a Kubernetes
 * namespace and pod name, so nothing else reaches the status topic.
 *
 * <p>Recording is on the request path: one map lookup, and a write at most once a second per
 * client. Thread-safe.
 */
public final class ServedClients {
    /** The request header a client names itself in. */
    public static final String HEADER = "Jwt-Sidecar-Client";
    /** The most clients held and reported at once: above the kubelet's default of 110 pods a node. */
    public static final int MAX_CLIENTS = 128;
    /** A namespace (a DNS label, 63) and a pod name (a DNS subdomain, 253). */
    static final int MAX_NAME_LENGTH = 63 + 1 + 253;

    private static final Pattern NAME = Pattern.compile(
            "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?");
    private static final long REFRESH_MILLIS = 1_000;

    /** Why a name was not taken. */
    public enum Refusal {
        /** Not {@code <namespace>/<pod>}. */
        MALFORMED("malformed"),
        /** {@value #MAX_CLIENTS} clients are held already. */
        FULL("full");

        private final String code;

        Refusal(String code) {
            this.code = code;
        }

        /** The stable name, for metrics. */
        public String code() {
            return code;
        }
    }

    private final Clock clock;
    private final long idleMillis;
    private volatile Runnable onNewClient = () -> { };
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
    private final LongAdder[] refusals = {new LongAdder(), new LongAdder()};

    /** @param idleAfter how long a client stays listed after its last request ({@code fleet.clientIdleAfter}) */
    public ServedClients(Clock clock, Duration idleAfter) {
        this.clock = clock;
        this.idleMillis = idleAfter.toMillis();
    }

    /**
     * Calls {@code action} whenever a client is listed for the first time: the status reporter's
     * nudge, so a receipt names a new pod within a report, not a heartbeat.
     */
    public void onNewClient(Runnable action) {
        this.onNewClient = action;
    }

    /** Whether {@code name} is a namespace and a pod name joined by a slash. */
    public static boolean isName(String name) {
        return name.length() <= MAX_NAME_LENGTH && NAME.matcher(name).matches();
    }

    /** A request came from the client of this name; null (no header) is nobody in particular. */
    public void seen(@Nullable String name) {
        if (name == null) {
            return;
        }
        long now = clock.millis();
        Long last = lastSeen.get(name);
        if (last != null) {
            if (now - last >= REFRESH_MILLIS) {
                lastSeen.put(name, now);
            }
            return;
        }
        if (!isName(name)) {
            refusals[Refusal.MALFORMED.ordinal()].increment();
            return;
        }
        // Checked before the insert, so concurrent first requests may pass the cap by a few;
        // clients() never lists more than the cap.
        if (lastSeen.size() >= MAX_CLIENTS) {
            refusals[Refusal.FULL.ordinal()].increment();
            return;
        }
        if (lastSeen.putIfAbsent(name, now) == null) {
            onNewClient.run();
        }
    }

    /** The clients heard from within the idle window, sorted, at most {@value #MAX_CLIENTS}; forgets the rest. */
    public List<String> clients() {
        long now = clock.millis();
        lastSeen.values().removeIf(at -> now - at > idleMillis);
        List<String> names = new ArrayList<>(lastSeen.keySet());
        names.sort(null);
        return names.size() > MAX_CLIENTS ? List.copyOf(names.subList(0, MAX_CLIENTS)) : List.copyOf(names);
    }

    /** How many names were not taken for {@code why} since start. */
    public long refused(Refusal why) {
        return refusals[why.ordinal()].sum();
    }
}
