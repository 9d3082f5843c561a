package io.jwtsidecar.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The clients a node-level sidecar lists: named, bounded, forgotten when idle. */
class ServedClientsTest {
    private static final Duration IDLE = Duration.ofMinutes(5);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final AtomicInteger nudges = new AtomicInteger();
    private final ServedClients clients = new ServedClients(clock, IDLE);

    ServedClientsTest() {
        clients.onNewClient(nudges::incrementAndGet);
    }

    @Test
    void clients_are_listed_sorted_once_each_and_a_new_one_nudges_the_reporter_once() {
        clients.seen("shop/web-1");
        clients.seen("shop/web-0");
        clients.seen("shop/web-1");
        clients.seen(null);

        assertThat(clients.clients()).containsExactly("shop/web-0", "shop/web-1");
        assertThat(nudges).as("one nudge per new client, none for a repeat").hasValue(2);
    }

    @Test
    void a_client_idle_for_longer_than_the_window_is_forgotten_and_a_busy_one_is_kept() {
        clients.seen("shop/idle");
        clients.seen("shop/busy");
        clock.advance(IDLE.minusSeconds(10));
        clients.seen("shop/busy");
        clock.advance(Duration.ofSeconds(20));

        assertThat(clients.clients()).containsExactly("shop/busy");

        clients.seen("shop/idle");
        assertThat(clients.clients()).containsExactly("shop/busy", "shop/idle");
        assertThat(nudges).as("back after being forgotten: new again").hasValue(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"web-0", "shop/", "/web-0", "Shop/web-0", "shop/web_0", "shop/web-0/x", "shop/web-0\n",
            "shop/-web", "a-namespace-name-longer-than-sixty-three-characters-is-not-a-label/web-0"})
    void a_name_that_is_not_namespace_slash_pod_is_not_listed_and_is_counted(String name) {
        clients.seen(name);

        assertThat(clients.clients()).isEmpty();
        assertThat(clients.refused(ServedClients.Refusal.MALFORMED)).isEqualTo(1);
        assertThat(nudges).hasValue(0);
    }

    @Test
    void a_pod_name_up_to_its_kubernetes_limit_is_a_name() {
        String longest = "n".repeat(63) + "/" + "p".repeat(253);

        assertThat(ServedClients.isName(longest)).isTrue();
        assertThat(ServedClients.isName(longest + "p")).isFalse();
    }

    @Test
    void at_the_cap_a_new_name_is_refused_while_listed_clients_keep_being_served() {
        for (int i = 0; i < ServedClients.MAX_CLIENTS; i++) {
            clients.seen("flood/pod-" + i);
        }
        clients.seen("shop/web-0");
        clients.seen("flood/pod-0");

        assertThat(clients.clients()).hasSize(ServedClients.MAX_CLIENTS).doesNotContain("shop/web-0");
        assertThat(clients.refused(ServedClients.Refusal.FULL)).isEqualTo(1);

        clock.advance(IDLE.plusSeconds(1));
        assertThat(clients.clients()).as("the flood goes idle").isEmpty();
        clients.seen("shop/web-0");
        assertThat(clients.clients()).containsExactly("shop/web-0");
    }
}
