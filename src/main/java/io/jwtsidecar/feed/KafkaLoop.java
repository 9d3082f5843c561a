package io.jwtsidecar.feed;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread of one of the sidecar's Kafka clients (the revocation feed, the status reporter,
 * the fleet status reader), and the one way such a thread runs and stops:
 * <ul>
 *   <li>{@link Body#run} creates its client, loops while {@link #running()}, and closes the client
 *       (try-with-resources) however it leaves;</li>
 *   <li>an unexpected exception is logged and the body runs again after {@code restartDelay} with
 *       a fresh client, so a loop never dies silently and leaves its data going stale;</li>
 *   <li>{@link #close()} clears the flag, cuts any wait short ({@link #pause} and the client's
 *       blocking call, through the wake-up the body registered with {@link #onStop}), and joins
 *       the thread. Interrupts are never used: they break a Kafka client's close.</li>
 * </ul>
 * Thread-safe; {@link #pause} and {@link #onStop} are for the loop's own thread.
 */
final class KafkaLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaLoop.class);

    /** One run of a loop's body. */
    @FunctionalInterface
    interface Body {
        void run() throws InterruptedException;
    }

    private final String name;
    private final Duration restartDelay;
    private final Duration joinTimeout;
    private final Body body;
    private final Thread thread;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Runnable wakeUp = () -> { };

    /**
     * @param name         the thread's name, also used in logs
     * @param restartDelay the wait before a body that failed runs again
     * @param joinTimeout  how long {@link #close()} waits for the thread
     */
    KafkaLoop(String name, Duration restartDelay, Duration joinTimeout, Body body) {
        this.name = name;
        this.restartDelay = restartDelay;
        this.joinTimeout = joinTimeout;
        this.body = body;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Whether the loop should go on; false once {@link #close()} was called. */
    boolean running() {
        return running;
    }

    /** What cuts the body's blocking call short when the loop stops (e.g. {@code consumer::wakeup}). */
    void onStop(Runnable wakeUp) {
        this.wakeUp = wakeUp;
        if (!running) {
            wakeUp.run();
        }
    }

    /**
     * Waits, returning early when the loop is stopped.
     *
     * @return true when the loop was stopped
     */
    boolean pause(Duration d) throws InterruptedException {
        return stopRequested.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void loop() {
        while (running) {
            try {
                body.run();
            } catch (WakeupException | InterruptException e) {
                if (running) {
                    log.error("{} was woken up while running; starting again", name, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (running) {
                    log.error("{} stopped by an unexpected error; starting again in {}", name, restartDelay, e);
                }
            }
            try {
                if (running && pause(restartDelay)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        stopRequested.countDown();
        wakeUp.run();
        try {
            thread.join(joinTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("{} did not stop within {}", name, joinTimeout);
        }
    }
}
