package io.jwtsidecar.app;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * What has been started, to be stopped in reverse: each part is pushed as soon as it runs, so
 * whatever started later, and may use it, stops first. {@link #close()} stops every part even when
 * one fails, and reports the failures together once all have been tried: a feed that fails to stop
 * must not leave the store's native handles open.
 *
 * <p>The order of pushes is the order of shutdown read backwards, so a step that must run first at
 * the stop (draining the listeners) is pushed last. Not thread-safe: its owner serialises start
 * and close.
 */
final class ResourceStack implements AutoCloseable {
    private record Entry(String name, AutoCloseable closer) {
    }

    private final Deque<Entry> started = new ArrayDeque<>();

    /**
     * Runs a start that pushes what it starts onto a new stack. If the start throws, what it had
     * already started is closed in reverse and the exception is rethrown with any failures to
     * close suppressed on it; nothing is left running.
     */
    static <T> T starting(Function<ResourceStack, T> start) {
        ResourceStack stack = new ResourceStack();
        try {
            return start.apply(stack);
        } catch (RuntimeException | Error e) {
            try {
                stack.close();
            } catch (CloseFailed closeFailure) {
                closeFailure.failures().forEach(e::addSuppressed);
            }
            throw e;
        }
    }

    /**
     * Records a started resource, or how to stop something that is not itself an
     * {@link AutoCloseable} (a lambda); returns it, for use inline.
     *
     * @param name what it is, for the report of a failure to close
     */
    <T extends AutoCloseable> T push(String name, T resource) {
        started.push(new Entry(name, resource));
        return resource;
    }

    /**
     * Closes everything pushed, last first, each once; a second call does nothing.
     *
     * @throws CloseFailed after every part has been tried, when one or more failed to close
     */
    @Override
    public void close() {
        List<Throwable> failures = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        while (!started.isEmpty()) {
            Entry e = started.pop();
            try {
                e.closer().close();
            } catch (InterruptedException interrupted) {
                // Keep stopping the rest, and leave the interrupt for the caller to see.
                Thread.currentThread().interrupt();
                failures.add(interrupted);
                failed.add(e.name());
            } catch (Exception | Error failure) {
                failures.add(failure);
                failed.add(e.name());
            }
        }
        if (!failures.isEmpty()) {
            throw new CloseFailed(failed, failures);
        }
    }

    /** Some parts failed to close; each failure is suppressed on this exception, in closing order. */
    static final class CloseFailed extends RuntimeException {
        private final transient List<Throwable> failures;

        CloseFailed(List<String> names, List<Throwable> failures) {
            super("closing failed: " + String.join(", ", names), null, true, false);
            this.failures = List.copyOf(failures);
            failures.forEach(this::addSuppressed);
        }

        List<Throwable> failures() {
            return failures;
        }
    }
}
