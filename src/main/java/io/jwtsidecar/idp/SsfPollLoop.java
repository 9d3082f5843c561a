package io.jwtsidecar.idp;

import io.jwtsidecar.token.SeenIds;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poll delivery of Shared Signals (RFC 8936): asks the transmitter for SETs, checks each
 * ({@link SecurityEventCheck}), publishes the revocations through the admin API's path, and
 * acknowledges a SET by its jti in the next poll, only once its revocation is published and
 * applied here. Refused SETs are reported in {@code setErrs} with their error code; unknown event
 * types are acknowledged and counted.
 *
 * <p><b>Nothing lost, nothing applied twice.</b> A SET is acknowledged only after it took effect
 * here, so a crash before that makes the transmitter deliver it again. A SET applied but not yet
 * acknowledged is in the {@link PollJournal} on disk: after a restart the first poll acknowledges
 * it, and a redelivered copy is acknowledged without being published. In the window the journal
 * cannot close (a crash between the publication and the journal line) the SET is published again
 * with the same event id ({@link IdpRevocation#eventId()}), which the publishing path answers as
 * already applied: at most one extra record on the topic, never a second effect.
 *
 * <p><b>A transmitter that is down</b> makes the loop wait before the next try, doubling from
 * {@code minBackoff} to {@code maxBackoff}, and report itself degraded ({@link #status()}), which
 * readiness names without turning not-ready: verification never waits on the transmitter.
 *
 * <p>One thread, owned by this loop, calls {@link #runOnce()}; {@link #status()} may be called
 * from any thread. {@link #close()} lets a step that is publishing finish (so it reaches the
 * journal) and interrupts a step that is only waiting for the transmitter.
 */
public final class SsfPollLoop implements AutoCloseable {
    /** How long a SET signed with an unknown key waits for the transmitter's keys to be fetched again. */
    private static final Duration KEY_REFETCH_WAIT = Duration.ofSeconds(3);
    private static final Logger log = LoggerFactory.getLogger(SsfPollLoop.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    private static final int REMEMBERED_ACKS = 10_000;

    /** The transmitter, as the loop needs it (an {@link SsfStreamClient} outside tests). */
    public interface Transmitter {
        URI pollEndpoint() throws IOException, InterruptedException;

        SsfStreamClient.Batch poll(URI endpoint, List<String> ack, Map<String, SecurityEventCheck.Refused> errors,
                                   int maxEvents, boolean returnImmediately) throws IOException, InterruptedException;
    }

    /** What became of a publication, as far as acknowledging goes. */
    public enum Publication {
        /** Published and applied here, or the store already honours it: acknowledge. */
        TAKEN,
        /** Not published, or not applied here in time: do not acknowledge; it comes again. */
        NOT_TAKEN
    }

    /** Publishes a revocation through the admin API's path; completes on any thread. */
    @FunctionalInterface
    public interface Publisher {
        CompletionStage<Publication> publish(IdpRevocation revocation);
    }

    /** Counts a signal outcome that did not reach the publisher (refused, replayed, unknown event). */
    @FunctionalInterface
    public interface Counter {
        void count(String outcome);
    }

    /**
     * @param maxEvents      the most SETs asked for in one poll
     * @param idleWait       how long to wait after a poll that brought nothing and acknowledged nothing
     * @param minBackoff     the first wait after a failure
     * @param maxBackoff     the longest wait after failures
     * @param publishTimeout how long one publication may take before the SET is left for redelivery
     */
    public record Settings(int maxEvents, Duration idleWait, Duration minBackoff, Duration maxBackoff,
                           Duration publishTimeout) {
    }

    private final String name;
    private final Transmitter transmitter;
    private final SecurityEventCheck check;
    private final SeenIds seen;
    private final PollJournal journal;
    private final Publisher publisher;
    private final Counter counter;
    private final Settings settings;
    private final LongSupplier nanoTime;
    private final Thread thread;

    // Owned by the loop's thread.
    private @Nullable URI endpoint;
    private final LinkedHashSet<String> toAcknowledge = new LinkedHashSet<>();
    private final LinkedHashMap<String, SecurityEventCheck.Refused> toReport = new LinkedHashMap<>();
    /** Acknowledged lately, in case the transmitter delivers one again: acknowledged again, not published. */
    private final LinkedHashSet<String> acknowledged = new LinkedHashSet<>();
    private int failures;

    private volatile Status status = new Status(false, "starting: no poll yet", 0);
    private volatile boolean stopping;
    private volatile boolean waitingOnTransmitter;

    /**
     * A readable state for readiness.
     *
     * @param healthy     whether the last poll succeeded
     * @param description "ok", or what failed and when the next try is
     * @param failures    consecutive failed polls
     */
    public record Status(boolean healthy, String description, int failures) {
    }

    /** @param name the source's name in readiness and logs, e.g. {@code ssf_poll https://idp.example} */
    public SsfPollLoop(String name, Transmitter transmitter, SecurityEventCheck check, SeenIds seen, PollJournal journal,
                       Publisher publisher, Counter counter, Settings settings, LongSupplier nanoTime) {
        this.name = name;
        this.transmitter = transmitter;
        this.check = check;
        this.seen = seen;
        this.journal = journal;
        this.publisher = publisher;
        this.counter = counter;
        this.settings = settings;
        this.nanoTime = nanoTime;
        this.thread = new Thread(this::run, "ssf-poll");
        this.thread.setDaemon(true);
    }

    public String name() {
        return name;
    }

    public Status status() {
        return status;
    }

    public void start() {
        thread.start();
    }

    private void run() {
        while (!stopping) {
            Duration wait = runOnce();
            if (!wait.isZero() && !stopping) {
                try {
                    waitingOnTransmitter = true;
                    TimeUnit.NANOSECONDS.sleep(wait.toNanos());
                } catch (InterruptedException e) {
                    return;
                } finally {
                    waitingOnTransmitter = false;
                }
            }
        }
    }

    /**
     * One step: a poll that acknowledges and reports what the last one brought, then the SETs it
     * brings, in order.
     *
     * @return how long to wait before the next step
     */
    public Duration runOnce() {
        try {
            URI pollAt = endpoint;
            if (pollAt == null) {
                waitingOnTransmitter = true;
                pollAt = transmitter.pollEndpoint();
                endpoint = pollAt;
            }
            List<String> ack = new ArrayList<>(journal.unacknowledged());
            toAcknowledge.stream().filter(j -> !ack.contains(j)).forEach(ack::add);
            Map<String, SecurityEventCheck.Refused> errors = new LinkedHashMap<>(toReport);
            waitingOnTransmitter = true;
            SsfStreamClient.Batch batch = transmitter.poll(pollAt, ack, errors, settings.maxEvents(), false);
            waitingOnTransmitter = false;
            journal.acknowledged(ack);
            ack.forEach(toAcknowledge::remove);
            remember(ack);
            errors.keySet().forEach(toReport::remove);
            healthy();
            boolean allTaken = take(batch);
            if (!allTaken) {
                return backoff("a revocation could not be published or checked yet; it will come again");
            }
            boolean idle = batch.sets().isEmpty() && ack.isEmpty() && errors.isEmpty() && toAcknowledge.isEmpty();
            return idle && !batch.moreAvailable() ? settings.idleWait() : Duration.ZERO;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
            return Duration.ZERO;
        } catch (IOException | RuntimeException e) {
            if (stopping) {
                return Duration.ZERO;
            }
            endpoint = failures > 0 ? null : endpoint; // the stream may have moved: look it up again
            return backoff(String.valueOf(e.getMessage()));
        } finally {
            waitingOnTransmitter = false;
        }
    }

    /** Checks and takes the SETs of one poll, in order; false when one must come again (stop there). */
    private boolean take(SsfStreamClient.Batch batch) throws IOException, InterruptedException {
        for (Map.Entry<String, String> delivered : batch.sets().entrySet()) {
            String jti = delivered.getKey();
            if (journal.contains(jti) || toAcknowledge.contains(jti) || acknowledged.contains(jti)) {
                toAcknowledge.add(jti); // taken before (e.g. before a restart): acknowledge, publish nothing
                continue;
            }
            SecurityEventCheck.Result result = check.check(delivered.getValue(), SignalSource.SSF_POLL);
            if (result instanceof SecurityEventCheck.Refused r && r.error() == SetError.INVALID_KEY) {
                // Signed with a key rotated in since the last fetch, perhaps: fetch, then check once more.
                try {
                    check.keysRefetched(delivered.getValue()).toCompletableFuture()
                            .get(KEY_REFETCH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    result = check.check(delivered.getValue(), SignalSource.SSF_POLL);
                } catch (ExecutionException | TimeoutException e) {
                    // Not refetched: left unacknowledged to come again, rather than reported as a bad key.
                    result = new SecurityEventCheck.Unavailable("the transmitter's keys could not be fetched again in time");
                }
            }
            if (result instanceof SecurityEventCheck.Unavailable u) {
                log.warn("{}: SET {} cannot be checked yet: {}", name, jti, u.description());
                return false;
            } else if (result instanceof SecurityEventCheck.Refused r) {
                refuse(jti, r);
            } else if (result instanceof SecurityEventCheck.Ignored i) {
                if (!i.jti().equals(jti)) {
                    refuse(jti, mismatch());
                } else {
                    counter.count("unknown_event");
                    log.info("{}: SET {} carries event type {}, which this sidecar does not enforce; acknowledged",
                            name, jti, CaepEvents.abbreviate(i.eventType()));
                    toAcknowledge.add(jti);
                }
            } else if (result instanceof SecurityEventCheck.Accepted a) {
                if (!a.revocation().signalId().equals(jti)) {
                    refuse(jti, mismatch());
                } else if (!publish(a)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Publishes one accepted SET; false when it must come again. */
    private boolean publish(SecurityEventCheck.Accepted accepted) throws IOException, InterruptedException {
        IdpRevocation revocation = accepted.revocation();
        Optional<SeenIds.Claim> claim = seen.claim(revocation.signer(), revocation.signalId(), accepted.forgetAfter());
        if (claim.isEmpty()) {
            report(revocation.signalId(), new SecurityEventCheck.Refused(SetError.INVALID_REQUEST,
                    "jti " + CaepEvents.abbreviate(revocation.signalId()) + " was received before"), "replayed");
            return true;
        }
        Publication publication;
        try {
            publication = publisher.publish(revocation).toCompletableFuture()
                    .get(settings.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            publication = Publication.NOT_TAKEN;
        }
        if (publication != Publication.TAKEN) {
            claim.get().release();
            return false;
        }
        journal.applied(revocation.signalId());
        toAcknowledge.add(revocation.signalId());
        return true;
    }

    private void remember(List<String> acks) {
        for (String jti : acks) {
            acknowledged.remove(jti);
            acknowledged.add(jti);
        }
        Iterator<String> oldest = acknowledged.iterator();
        while (acknowledged.size() > REMEMBERED_ACKS && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }

    private void refuse(String jti, SecurityEventCheck.Refused refused) {
        report(jti, refused, "refused_" + refused.error().code());
    }

    /** Reports {@code jti} in the next poll's setErrs, counted under {@code outcome}. */
    private void report(String jti, SecurityEventCheck.Refused refused, String outcome) {
        counter.count(outcome);
        log.warn("{}: SET {} refused ({}): {}", name, CaepEvents.abbreviate(jti), refused.error().code(),
                refused.description());
        toReport.put(jti, refused);
    }

    private static SecurityEventCheck.Refused mismatch() {
        return new SecurityEventCheck.Refused(SetError.INVALID_REQUEST, "the SET's jti is not the key it was delivered under");
    }

    private void healthy() {
        if (failures > 0) {
            log.info("{}: the transmitter answers again after {} failed polls", name, failures);
        }
        failures = 0;
        status = new Status(true, "ok", 0);
    }

    private Duration backoff(String why) {
        failures++;
        long factor = 1L << Math.min(failures - 1, 20);
        Duration wait = settings.minBackoff().multipliedBy(factor);
        if (wait.compareTo(settings.maxBackoff()) > 0) {
            wait = settings.maxBackoff();
        }
        status = new Status(false, "degraded: " + why + " (" + failures + " failed in a row, next try in "
                + wait.toMillis() + " ms)", failures);
        if (failures == 1 || Integer.bitCount(failures) == 1) {
            log.warn("{}: poll failed ({} in a row), next try in {} ms: {}", name, failures, wait.toMillis(), why);
        }
        return wait;
    }

    /** Stops the loop: a step that is publishing finishes first (so it reaches the journal). */
    @Override
    public void close() throws IOException {
        stopping = true;
        long deadline = nanoTime.getAsLong() + CLOSE_WAIT.toNanos();
        while (thread.isAlive() && nanoTime.getAsLong() < deadline) {
            if (waitingOnTransmitter) {
                thread.interrupt();
            }
            try {
                thread.join(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (thread.isAlive()) {
            thread.interrupt();
            log.warn("{}: the poll loop did not stop within {} s", name, CLOSE_WAIT.toSeconds());
        }
        journal.close();
    }
}
