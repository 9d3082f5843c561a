package io.jwtsidecar.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stack the sidecar stops itself with: reverse order, every part tried, failures reported
 * together, and a start that fails halfway leaves nothing running.
 */
class ResourceStackTest {
    private final List<String> closed = new ArrayList<>();

    private AutoCloseable part(String name) {
        return () -> closed.add(name);
    }

    private AutoCloseable failing(String name) {
        return () -> {
            closed.add(name);
            throw new IllegalStateException(name + " would not stop");
        };
    }

    @Test
    void closes_the_last_started_first() {
        ResourceStack stack = new ResourceStack();
        stack.push("store", part("store"));
        stack.push("feed", part("feed"));
        stack.push("listeners", part("listeners"));

        stack.close();

        assertThat(closed).containsExactly("listeners", "feed", "store");
    }

    @Test
    void a_part_that_fails_to_close_does_not_keep_the_others_open_and_every_failure_is_reported() {
        ResourceStack stack = new ResourceStack();
        stack.push("store", part("store"));
        stack.push("feed", failing("feed"));
        stack.push("publisher", failing("publisher"));
        stack.push("listeners", part("listeners"));

        assertThatThrownBy(stack::close)
                .isInstanceOf(ResourceStack.CloseFailed.class)
                .hasMessage("closing failed: publisher, feed")
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
                        .containsExactly("publisher would not stop", "feed would not stop"));
        assertThat(closed).containsExactly("listeners", "publisher", "feed", "store");
    }

    @Test
    void closes_each_part_once() {
        ResourceStack stack = new ResourceStack();
        stack.push("store", part("store"));

        stack.close();
        stack.close();

        assertThat(closed).containsExactly("store");
    }

    @Test
    void an_interrupted_close_keeps_closing_the_rest_and_leaves_the_interrupt_set() {
        ResourceStack stack = new ResourceStack();
        stack.push("store", part("store"));
        stack.push("feed", () -> {
            throw new InterruptedException();
        });
        try {
            assertThatThrownBy(stack::close).hasMessage("closing failed: feed");
            assertThat(closed).containsExactly("store");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void a_start_that_fails_halfway_closes_what_it_had_started_in_reverse_and_rethrows() {
        IllegalStateException bindFailure = new IllegalStateException("port in use");

        assertThatThrownBy(() -> ResourceStack.starting(stack -> {
            stack.push("store", part("store"));
            stack.push("feed", failing("feed"));
            stack.push("vertx", part("vertx"));
            throw bindFailure;
        })).isSameAs(bindFailure);

        assertThat(closed).containsExactly("vertx", "feed", "store");
        // The start's own failure stays the one thrown; what failed to close rides along on it.
        assertThat(bindFailure.getSuppressed()).extracting(Throwable::getMessage).containsExactly("feed would not stop");
    }

    @Test
    void a_start_that_succeeds_leaves_everything_running_for_its_owner_to_close() {
        ResourceStack stack = ResourceStack.starting(s -> {
            s.push("store", part("store"));
            return s;
        });

        assertThat(closed).isEmpty();
        stack.close();
        assertThat(closed).containsExactly("store");
    }
}
