package io.jwtsidecar.app;

import io.jwtsidecar.token.RevocationCheck;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Whether the revocation data may be trusted as current, and what the sidecar does when it may
 * not: {@code revocation.maxStaleness} and {@code revocation.onStale}. The feed measures (its
 * staleness runs on a monotonic clock, so a quiet topic stays fresh and a lost broker makes it
 * age); this class decides, in the one place the verifier, readiness and the re-assertion all ask.
 *
 * <p>Data is fresh once the feed has caught up for the first time and while its staleness is at
 * most {@code maxStaleness} (exactly at the limit is still fresh). Otherwise it is stale, and a
 * token no rule matches is refused with a 503 (fail-closed) or passed with a warning (fail-open).
 * Thread-safe: it only reads the feed.
 */
final class RevocationFreshness {

    /** Where the data stands; {@link #label()} is what readiness reports. */
    enum State {
        CATCHING_UP("catching_up"), FRESH("fresh"), STALE("stale");

        private final String label;

        State(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    /** One look at the feed: the state and, once caught up, the staleness it was judged by (else null). */
    record Reading(State state, @Nullable Duration staleness) {
    }

    private final BooleanSupplier caughtUp;
    private final Supplier<Duration> staleness;
    private final Duration maxStaleness;
    private final boolean failOpen;

    /**
     * @param caughtUp     whether the feed has caught up with the topic at least once
     * @param staleness    the time since the feed last confirmed it had read to the log end
     * @param maxStaleness the oldest data still trusted as current
     * @param failOpen     whether stale data still lets tokens through (with a warning)
     */
    RevocationFreshness(BooleanSupplier caughtUp, Supplier<Duration> staleness, Duration maxStaleness, boolean failOpen) {
        this.caughtUp = caughtUp;
        this.staleness = staleness;
        this.maxStaleness = Objects.requireNonNull(maxStaleness, "maxStaleness");
        this.failOpen = failOpen;
    }

    /** Reads the feed once: a report built from one reading cannot say "fresh" with a stale age. */
    Reading read() {
        if (!caughtUp.getAsBoolean()) {
            return new Reading(State.CATCHING_UP, null);
        }
        Duration age = staleness.get();
        return new Reading(age.compareTo(maxStaleness) <= 0 ? State.FRESH : State.STALE, age);
    }

    /** Whether the data is current: caught up and no older than maxStaleness. */
    boolean isFresh() {
        return read().state() == State.FRESH;
    }

    /**
     * The answer for a token no rule matches: not revoked while fresh; otherwise a 503 under
     * fail-closed, or a pass with a warning under fail-open (before the first catch-up too).
     */
    RevocationCheck.Status noRuleMatched() {
        if (isFresh()) {
            return RevocationCheck.Status.NOT_REVOKED;
        }
        return failOpen ? RevocationCheck.Status.NOT_REVOKED_STALE : RevocationCheck.Status.STALE;
    }

    /**
     * Whether this reading lets the sidecar take traffic: fresh, or stale under fail-open (a stale
     * fail-closed sidecar answers 503 and says so). Never before the first catch-up, even under
     * fail-open: the orchestrator keeps traffic away until the replay of the topic has finished.
     */
    boolean admitsTraffic(Reading reading) {
        return reading.state() == State.FRESH || reading.state() == State.STALE && failOpen;
    }
}
