package io.jwtsidecar.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.app.RevocationFreshness.State;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.token.RevocationCheck.Status;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * revocation.maxStaleness and revocation.onStale at their boundaries. The feed is stood in for by
 * a last confirmation and a clock the test moves: the staleness the real feed reports is the same
 * kind of figure, the time since it last confirmed it had read to the log end.
 */
class RevocationFreshnessTest {
    private static final Duration MAX = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private Instant confirmedAt;

    private RevocationFreshness freshness(boolean failOpen) {
        return new RevocationFreshness(() -> confirmedAt != null, () -> Duration.between(confirmedAt, clock.instant()),
                MAX, failOpen);
    }

    private void caughtUpNow() {
        confirmedAt = clock.instant();
    }

    @Test
    void before_the_first_catch_up_the_data_is_not_fresh_whatever_the_clock_says() {
        RevocationFreshness closed = freshness(false);

        assertThat(closed.read()).isEqualTo(new RevocationFreshness.Reading(State.CATCHING_UP, null));
        assertThat(closed.isFresh()).isFalse();
        assertThat(closed.noRuleMatched()).isEqualTo(Status.STALE);
        assertThat(freshness(true).noRuleMatched()).isEqualTo(Status.NOT_REVOKED_STALE);
    }

    @Test
    void exactly_at_max_staleness_is_still_fresh() {
        RevocationFreshness f = freshness(false);
        caughtUpNow();
        clock.advance(MAX);

        assertThat(f.read()).isEqualTo(new RevocationFreshness.Reading(State.FRESH, MAX));
        assertThat(f.isFresh()).isTrue();
        assertThat(f.noRuleMatched()).isEqualTo(Status.NOT_REVOKED);
    }

    @Test
    void a_nanosecond_over_max_staleness_is_stale() {
        RevocationFreshness f = freshness(false);
        caughtUpNow();
        clock.advance(MAX.plusNanos(1));

        assertThat(f.read().state()).isEqualTo(State.STALE);
        assertThat(f.isFresh()).isFalse();
    }

    @Test
    void stale_data_under_fail_closed_refuses_a_token_no_rule_matches() {
        RevocationFreshness f = freshness(false);
        caughtUpNow();
        clock.advance(MAX.plusSeconds(1));

        assertThat(f.noRuleMatched()).isEqualTo(Status.STALE);
    }

    @Test
    void stale_data_under_fail_open_passes_a_token_no_rule_matches_with_a_warning() {
        RevocationFreshness f = freshness(true);
        caughtUpNow();
        clock.advance(MAX.plusSeconds(1));

        assertThat(f.noRuleMatched()).isEqualTo(Status.NOT_REVOKED_STALE);
    }

    @Test
    void fresh_data_is_a_plain_pass_under_either_policy() {
        caughtUpNow();
        clock.advance(Duration.ofSeconds(1));

        assertThat(freshness(true).noRuleMatched()).isEqualTo(Status.NOT_REVOKED);
        assertThat(freshness(false).noRuleMatched()).isEqualTo(Status.NOT_REVOKED);
    }

    @Test
    void a_new_confirmation_makes_stale_data_fresh_again() {
        RevocationFreshness f = freshness(false);
        caughtUpNow();
        clock.advance(MAX.multipliedBy(2));
        assertThat(f.isFresh()).isFalse();

        caughtUpNow();

        assertThat(f.isFresh()).isTrue();
    }

    @Test
    void traffic_is_admitted_when_fresh_or_stale_under_fail_open_and_never_while_catching_up() {
        RevocationFreshness open = freshness(true);
        RevocationFreshness closed = freshness(false);
        assertThat(open.admitsTraffic(open.read())).isFalse();
        assertThat(closed.admitsTraffic(closed.read())).isFalse();

        caughtUpNow();
        assertThat(open.admitsTraffic(open.read())).isTrue();
        assertThat(closed.admitsTraffic(closed.read())).isTrue();

        clock.advance(MAX.plusNanos(1));
        assertThat(open.admitsTraffic(open.read())).isTrue();
        assertThat(closed.admitsTraffic(closed.read())).isFalse();
    }
}
