package io.jwtsidecar.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.feed.FleetView.Receipt;
import io.jwtsidecar.feed.FleetView.Refusal;
import io.jwtsidecar.feed.FleetView.Standing;
import io.jwtsidecar.feed.FleetView.State;
import io.jwtsidecar.testing.LogCapture;
import io.jwtsidecar.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The bookkeeping of fleet receipts on a fake clock: which report of a sidecar counts, when it
 * was heard, what is refused, and that silent ids leave memory.
 */
class FleetViewTest {
    private static final Duration LIVE = Duration.ofSeconds(3);
    private static final Duration GONE = Duration.ofSeconds(60);
    private static final OptionalLong CREATE_TIME = OptionalLong.empty();
    /** An event at offset 7 of partition 0, written a second before the clock starts. */
    private static final long START = 1_700_000_000_000L;
    private static final EventPosition EVENT = new EventPosition(0, 7, START - 1_000);

    private final MutableClock clock = new MutableClock(Instant.ofEpochMilli(START));
    private final FleetView view = new FleetView(clock, LIVE, GONE);

    /** A report of {@code id} at {@code reportedAt} with partition 0 applied up to (not including) {@code next}. */
    private static SidecarStatus report(String id, long reportedAt, long next) {
        return new SidecarStatus(id, reportedAt, Map.of(0, next), Map.of(0, reportedAt), 0);
    }

    private Optional<Refusal> hear(String id, long reportedAt, long next) {
        return view.accept(id, report(id, reportedAt, next), CREATE_TIME);
    }

    private Optional<Standing> standingOf(String id) {
        return view.receipt(EVENT).sidecars().stream().filter(s -> s.sidecarId().equals(id)).findFirst();
    }

    private State stateOf(String id) {
        return standingOf(id).map(Standing::state).orElse(null);
    }

    private long now() {
        return clock.millis();
    }

    @Test
    void a_sidecar_past_the_event_is_applied_with_its_delay_one_short_of_it_is_pending() {
        hear("a", now(), 8);
        hear("b", now(), 7);

        Receipt receipt = view.receipt(EVENT);

        assertThat(receipt.sidecars()).containsExactly(
                new Standing("a", State.APPLIED, 1_000, 0, -1, -1, List.of(), 0),
                new Standing("b", State.PENDING, -1, 0, -1, -1, List.of(), 0));
        assertThat(receipt.complete()).isFalse();
    }

    @Test
    void a_silent_sidecar_is_lagging_after_the_live_window_and_no_longer_holds_the_receipt_up() {
        hear("a", now(), 8);
        hear("b", now(), 7);
        clock.advance(LIVE.plusMillis(1));
        hear("a", now(), 8);

        assertThat(stateOf("b")).isEqualTo(State.LAGGING);
        assertThat(view.receipt(EVENT).complete()).isTrue();
    }

    @Test
    void an_empty_fleet_never_has_a_complete_receipt() {
        assertThat(view.receipt(EVENT).complete()).isFalse();
    }

    @Test
    void a_report_more_than_the_skew_ahead_is_refused_counted_and_changes_nothing() {
        hear("frozen", now(), 7);

        Optional<Refusal> refusal = hear("frozen", now() + Duration.ofHours(1).toMillis(), 1_000_000_000_000L);

        assertThat(refusal).contains(Refusal.FROM_THE_FUTURE);
        assertThat(view.refused(Refusal.FROM_THE_FUTURE)).isEqualTo(1);
        assertThat(stateOf("frozen")).as("its last real report still stands").isEqualTo(State.PENDING);
    }

    @Test
    void a_forged_report_from_the_future_cannot_complete_a_receipt_for_a_frozen_sidecar_nor_keep_it_listed() {
        hear("admin", now(), 8);
        hear("frozen", now(), 7);
        hear("frozen", now() + Duration.ofHours(1).toMillis(), 1_000_000_000_000L);
        hear("ghost", now() + Duration.ofHours(1).toMillis(), 1_000_000_000_000L);

        assertThat(view.receipt(EVENT).complete()).isFalse();
        assertThat(stateOf("ghost")).as("never heard from but from the future").isNull();

        clock.advance(GONE.plusMillis(1));
        hear("admin", now(), 8);
        assertThat(view.receipt(EVENT).sidecars()).extracting(Standing::sidecarId).containsExactly("admin");
    }

    @Test
    void a_report_just_within_the_skew_is_accepted_but_never_seems_fresher_than_when_it_was_read() {
        assertThat(hear("b", now() + FleetView.MAX_FUTURE_SKEW.toMillis(), 7)).isEmpty();

        assertThat(standingOf("b")).map(Standing::silentMillis).contains(0L);
        clock.advance(LIVE.plusMillis(1));
        assertThat(stateOf("b")).as("silent for longer than the live window since it was read").isEqualTo(State.LAGGING);
    }

    @Test
    void the_last_report_in_topic_order_wins_even_with_an_older_timestamp() {
        hear("b", now(), 8);
        hear("b", now() - 500, 7); // its clock stepped back: still its newest word

        assertThat(stateOf("b")).isEqualTo(State.PENDING);
        assertThat(standingOf("b")).map(Standing::silentMillis).contains(500L);
    }

    @Test
    void a_record_whose_key_is_not_the_sidecar_it_reports_about_is_refused() {
        hear("a", now(), 7);

        Optional<Refusal> refusal = view.accept("b", report("a", now(), 1_000), CREATE_TIME);

        assertThat(refusal).contains(Refusal.KEY_MISMATCH);
        assertThat(stateOf("a")).isEqualTo(State.PENDING);
        assertThat(stateOf("b")).isNull();
    }

    @Test
    void on_a_topic_stamped_by_the_broker_silence_is_judged_by_the_append_time() {
        long appended = now() - LIVE.toMillis() - 1;

        // Its producer's clock says now: within the skew of the broker's, but not when it was written.
        view.accept("b", report("b", now(), 7), OptionalLong.of(appended));

        assertThat(stateOf("b")).as("appended before the live window began").isEqualTo(State.LAGGING);
        assertThat(standingOf("b")).map(Standing::silentMillis).contains(LIVE.toMillis() + 1);
    }

    @Test
    void on_a_topic_stamped_by_the_broker_reported_at_is_judged_against_the_append_time() {
        long appended = now() - 10_000;

        Optional<Refusal> refusal = view.accept("b", report("b", now(), 8), OptionalLong.of(appended));

        assertThat(refusal).as("ten seconds ahead of the broker when it was written").contains(Refusal.FROM_THE_FUTURE);
    }

    @Test
    void a_broker_clock_ahead_of_ours_cannot_make_a_report_seem_fresher_than_now() {
        long appended = now() + 30_000;

        view.accept("b", report("b", appended, 7), OptionalLong.of(appended));

        assertThat(standingOf("b")).map(Standing::silentMillis).contains(0L);
        clock.advance(LIVE.plusMillis(1));
        assertThat(stateOf("b")).isEqualTo(State.LAGGING);
    }

    @Test
    void a_report_already_older_than_gone_after_when_read_is_not_tracked_and_drops_the_id() {
        hear("b", now(), 8);

        hear("b", now() - GONE.toMillis() - 1, 8); // replayed from the compacted topic at start

        assertThat(view.tracked()).isZero();
        assertThat(view.refused(Refusal.FROM_THE_FUTURE)).isZero();
    }

    @Test
    void silent_ids_are_removed_from_memory_not_only_hidden() {
        for (int i = 0; i < 3; i++) {
            hear("b-" + i, now(), 8);
        }
        clock.advance(GONE.plusMillis(1));

        assertThat(view.receipt(EVENT).sidecars()).as("hidden at once").isEmpty();
        assertThat(view.expire()).isEqualTo(3);
        assertThat(view.tracked()).isZero();
    }

    @Test
    void a_tombstone_forgets_the_id() {
        hear("b", now(), 8);

        view.forget("b");

        assertThat(view.tracked()).isZero();
    }

    @Test
    void a_flood_of_distinct_ids_stops_at_the_cap_and_no_receipt_is_complete_while_ids_are_turned_away() {
        FleetView small = new FleetView(clock, LIVE, GONE, 100);
        small.accept("admin", report("admin", now(), 8), CREATE_TIME);
        for (int i = 0; i < 150; i++) {
            small.accept("flood-" + i, report("flood-" + i, now(), 8), CREATE_TIME);
        }

        assertThat(small.tracked()).isEqualTo(100);
        assertThat(small.refused(Refusal.FULL)).isEqualTo(51);
        assertThat(small.receipt(EVENT).complete()).as("a sidecar turned away might not have applied it").isFalse();
        assertThat(small.accept("admin", report("admin", now(), 8), CREATE_TIME)).as("known ids still report").isEmpty();

        clock.advance(GONE.plusMillis(1));
        small.expire();
        assertThat(small.accept("admin", report("admin", now(), 8), CREATE_TIME)).isEmpty();
        assertThat(small.tracked()).as("the flood went silent and was forgotten").isEqualTo(1);
        assertThat(small.receipt(EVENT).complete()).as("nobody turned away for goneAfter").isTrue();
    }

    @Test
    void refusals_are_logged_at_most_once_a_minute_for_each_reason() {
        try (LogCapture log = LogCapture.warn(FleetView.class.getName())) {
            for (int i = 0; i < 1_000; i++) {
                hear("forged-" + i, now() + Duration.ofHours(1).toMillis(), 8);
            }
            view.accept("b", report("a", now(), 8), CREATE_TIME);
            assertThat(log.messages()).hasSize(2);
            assertThat(log.messages().get(0)).contains("forged-0", Refusal.FROM_THE_FUTURE.code());
            assertThat(log.messages().get(1)).contains(Refusal.KEY_MISMATCH.code());

            clock.advance(Duration.ofSeconds(61));
            hear("forged-again", now() + Duration.ofHours(1).toMillis(), 8);

            assertThat(log.messages()).hasSize(3);
            assertThat(log.messages().get(2)).contains("forged-again", "999");
        }
        assertThat(view.refused(Refusal.FROM_THE_FUTURE)).isEqualTo(1_001);
    }

    @Test
    void a_sidecar_id_is_logged_escaped_and_shortened() {
        try (LogCapture log = LogCapture.warn(FleetView.class.getName())) {
            view.accept("x\nINFO forged line" + "y".repeat(500), report("a", now(), 8), CREATE_TIME);

            assertThat(log.messages()).singleElement().asString().doesNotContain("\n").contains("\\n")
                    .doesNotContain("y".repeat(200));
        }
    }

    /** A node-level sidecar's report naming {@code clients}. */
    private static SidecarStatus nodeReport(String id, long reportedAt, long next, List<String> clients) {
        return new SidecarStatus(id, reportedAt, Map.of(0, next), Map.of(0, reportedAt), 0, 1, 1, clients);
    }

    @Test
    void a_node_level_sidecar_is_listed_with_the_pods_it_serves_whatever_its_state() {
        view.accept("node-a", nodeReport("node-a", now(), 8, List.of("shop/web-0", "shop/web-1")), CREATE_TIME);
        view.accept("node-b", nodeReport("node-b", now(), 7, List.of("shop/web-2")), CREATE_TIME);
        hear("pod-sidecar", now(), 8);

        assertThat(standingOf("node-a").orElseThrow()).satisfies(s -> {
            assertThat(s.state()).isEqualTo(State.APPLIED);
            assertThat(s.clients()).containsExactly("shop/web-0", "shop/web-1");
            assertThat(s.clientCount()).isEqualTo(2);
        });
        assertThat(standingOf("node-b").orElseThrow()).satisfies(s -> {
            assertThat(s.state()).isEqualTo(State.PENDING);
            assertThat(s.clients()).containsExactly("shop/web-2");
        });
        assertThat(standingOf("pod-sidecar").orElseThrow().clientCount()).isZero();

        view.accept("node-a", nodeReport("node-a", now(), 8, List.of("shop/web-1")), CREATE_TIME);
        assertThat(standingOf("node-a").orElseThrow().clients()).as("the latest report counts").containsExactly("shop/web-1");
    }

    @Test
    void past_the_budget_of_held_client_names_an_entry_keeps_only_its_count_until_names_are_freed() {
        List<String> full = new ArrayList<>();
        for (int i = 0; i < ServedClients.MAX_CLIENTS; i++) {
            full.add("shop/pod-" + i);
        }
        int nodes = FleetView.MAX_HELD_CLIENT_NAMES / ServedClients.MAX_CLIENTS;
        for (int n = 0; n < nodes; n++) {
            view.accept("node-" + n, nodeReport("node-" + n, now(), 8, full), CREATE_TIME);
        }
        view.accept("node-over", nodeReport("node-over", now(), 8, full), CREATE_TIME);

        Standing over = standingOf("node-over").orElseThrow();
        assertThat(over.clients()).isEmpty();
        assertThat(over.clientCount()).isEqualTo(ServedClients.MAX_CLIENTS);
        assertThat(standingOf("node-0").orElseThrow().clients()).hasSize(ServedClients.MAX_CLIENTS);

        view.accept("node-0", nodeReport("node-0", now(), 8, List.of()), CREATE_TIME);
        view.accept("node-over", nodeReport("node-over", now(), 8, full), CREATE_TIME);
        assertThat(standingOf("node-over").orElseThrow().clients()).as("node-0's names were freed")
                .hasSize(ServedClients.MAX_CLIENTS);

        clock.advance(GONE.plusSeconds(1));
        view.expire();
        view.accept("node-late", nodeReport("node-late", now(), 8, full), CREATE_TIME);
        assertThat(standingOf("node-late").orElseThrow().clients()).as("expired entries free their names")
                .hasSize(ServedClients.MAX_CLIENTS);
    }
}
