package io.jwtsidecar.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.revocation.RuleMerge.Effect;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** How one event changes its rule key's state: revokes never weaken, only newer restores lift. */
class RuleMergeTest {
    private static final String ISS = "https://issuer.example";
    private static final RuleKey SUB = new RuleKey(RevocationScope.SUB, ISS, "alice");
    private static final RuleKey KID = new RuleKey(RevocationScope.KID, ISS, "k1");
    private static final long NOW = 1_800_000_000L;

    private static EventRecord revoke(RuleKey key, long at, long expiresAt) {
        return new EventRecord(new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE, key, at,
                expiresAt, null, null), 111, "pub-1");
    }

    private static EventRecord restore(RuleKey key, long at, long expiresAt) {
        return new EventRecord(new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.RESTORE, key, at,
                expiresAt, null, null), 222, "pub-2");
    }

    private static RuleMerge.Result after(KeyState s, EventRecord e) {
        return RuleMerge.apply(s, e, NOW);
    }

    private static KeyState ruled(RuleKey key, long at, long expiresAt) {
        return after(KeyState.empty(key), revoke(key, at, expiresAt)).state();
    }

    @Test
    void a_revoke_of_an_empty_key_creates_the_rule_and_is_current() {
        RuleMerge.Result r = after(KeyState.empty(SUB), revoke(SUB, NOW, NOW + 3600));

        assertThat(r.effect()).isEqualTo(Effect.CREATED);
        assertThat(r.state().rule()).extracting(Rule::at, Rule::expiresAt).containsExactly(NOW, NOW + 3600);
        assertThat(r.state().provenance()).isEqualTo(new Provenance(111, "pub-1", true));
    }

    @Test
    void a_revoke_with_an_earlier_time_or_expiry_changes_nothing_and_the_topic_no_longer_says_the_rule() {
        KeyState s = ruled(SUB, NOW, NOW + 3600);

        for (EventRecord weaker : new EventRecord[] {revoke(SUB, 0, NOW + 3600), revoke(SUB, NOW - 10, NOW + 100)}) {
            RuleMerge.Result r = after(s, weaker);
            assertThat(r.effect()).isEqualTo(Effect.IGNORED_WEAKER);
            assertThat(r.state().rule()).isEqualTo(s.rule());
            assertThat(r.state().provenance().current()).isFalse();
        }
    }

    @Test
    void a_revoke_whose_expiry_is_already_past_changes_nothing() {
        KeyState s = ruled(SUB, NOW, NOW + 3600);

        RuleMerge.Result r = after(s, revoke(SUB, NOW + 5, NOW - 1));

        assertThat(r.effect()).isEqualTo(Effect.IGNORED_EXPIRED);
        assertThat(r.state().rule()).isEqualTo(s.rule());
        assertThat(after(KeyState.empty(SUB), revoke(SUB, NOW - 100, NOW - 1)).state().isEmpty()).isTrue();
    }

    @Test
    void a_revoke_later_in_one_respect_keeps_the_later_of_both_and_is_not_current_on_its_own() {
        KeyState s = ruled(SUB, NOW, NOW + 3600);

        RuleMerge.Result r = after(s, revoke(SUB, NOW + 10, NOW + 100));

        assertThat(r.effect()).isEqualTo(Effect.STRENGTHENED);
        assertThat(r.state().rule()).extracting(Rule::at, Rule::expiresAt).containsExactly(NOW + 10, NOW + 3600);
        assertThat(r.state().provenance().current()).as("the record alone says expiresAt NOW+100").isFalse();
    }

    @Test
    void a_revoke_later_in_both_respects_replaces_the_rule_and_is_current() {
        RuleMerge.Result r = after(ruled(SUB, NOW, NOW + 3600), revoke(SUB, NOW + 10, NOW + 4000));

        assertThat(r.effect()).isEqualTo(Effect.STRENGTHENED);
        assertThat(r.state().rule()).extracting(Rule::at, Rule::expiresAt).containsExactly(NOW + 10, NOW + 4000);
        assertThat(r.state().provenance().current()).isTrue();
    }

    @Test
    void the_same_revoke_again_is_a_repeat_and_current() {
        KeyState s = ruled(SUB, NOW, NOW + 3600);

        RuleMerge.Result r = after(s, revoke(SUB, NOW, NOW + 3600));

        assertThat(r.effect()).isEqualTo(Effect.REPEATED);
        assertThat(r.state().provenance().current()).isTrue();
    }

    @Test
    void a_restore_lifts_a_rule_not_later_than_itself_and_leaves_a_mark_as_long_as_the_rule_could_matter() {
        RuleMerge.Result r = after(ruled(SUB, NOW, NOW + 7200), restore(SUB, NOW + 1, NOW + 3600));

        assertThat(r.effect()).isEqualTo(Effect.LIFTED);
        assertThat(r.state().rule()).isNull();
        assertThat(r.state().mark()).extracting(RestoreMark::at, RestoreMark::expiresAt)
                .containsExactly(NOW + 1, NOW + 7200);
        assertThat(r.state().provenance()).isEqualTo(new Provenance(222, "pub-2", true));
    }

    @Test
    void a_restore_at_the_rule_time_wins_the_tie_whatever_its_record_time() {
        KeyState s = ruled(SUB, NOW, NOW + 3600); // record time 111

        for (long recordMillis : new long[] {0, 111, 222, Long.MAX_VALUE}) {
            RuleMerge.Result r = after(s, at(restore(SUB, NOW, NOW + 3600), recordMillis));
            assertThat(r.effect()).as("record time %d", recordMillis).isEqualTo(Effect.LIFTED);
            assertThat(r.state().rule()).isNull();
        }
    }

    /** The same event, carried by a record of another timestamp (a replay gets a new one). */
    private static EventRecord at(EventRecord r, long recordMillis) {
        return new EventRecord(r.event(), recordMillis, r.signer());
    }

    @Test
    void a_replayed_older_restore_lifts_nothing() {
        KeyState s = ruled(SUB, NOW, NOW + 3600);

        RuleMerge.Result r = after(s, restore(SUB, NOW - 60, NOW + 3000));

        assertThat(r.effect()).isEqualTo(Effect.IGNORED_OLDER_RESTORE);
        assertThat(r.state().rule()).isEqualTo(s.rule());
        assertThat(r.state().provenance().current()).isFalse();
    }

    @Test
    void a_replayed_revoke_not_later_than_the_last_restore_changes_nothing_and_lengthens_the_mark() {
        KeyState restored = after(ruled(SUB, NOW - 60, NOW + 3600), restore(SUB, NOW, NOW + 3600)).state();

        RuleMerge.Result r = after(restored, at(revoke(SUB, NOW - 60, NOW + 9000), Long.MAX_VALUE));

        assertThat(r.effect()).as("however late its record").isEqualTo(Effect.IGNORED_RESTORED);
        assertThat(r.state().rule()).isNull();
        assertThat(r.state().mark().expiresAt()).as("as long as the blocked revoke could matter").isEqualTo(NOW + 9000);
        assertThat(after(restored, at(revoke(SUB, NOW, NOW + 9000), Long.MAX_VALUE)).effect())
                .as("a revoke at the restore's time loses the tie, however late its record")
                .isEqualTo(Effect.IGNORED_RESTORED);
        assertThat(after(restored, revoke(SUB, NOW + 1, NOW + 3600)).effect()).as("a second later it stands")
                .isEqualTo(Effect.CREATED);
    }

    @Test
    void reading_an_event_again_changes_no_rule_or_mark() {
        EventRecord[] events = {revoke(SUB, NOW - 60, NOW + 3600), restore(SUB, NOW - 30, NOW + 1800),
            revoke(SUB, NOW - 30, NOW + 7200), restore(SUB, NOW, NOW + 600), revoke(SUB, NOW - 100, NOW + 90_000)};
        KeyState s = KeyState.empty(SUB);
        for (EventRecord e : events) {
            s = after(s, e).state();
        }
        for (EventRecord e : events) {
            EventRecord replayed = at(e, Long.MAX_VALUE);
            assertThat(times(after(s, replayed).state())).as("%s read again", e.event().type()).isEqualTo(times(s));
        }
    }

    @Test
    void a_revoke_and_a_restore_give_the_same_state_in_either_order() {
        long[][] times = {{NOW - 10, NOW}, {NOW, NOW}, {NOW + 10, NOW}, {NOW - 10, NOW + 5}, {NOW + 5, NOW + 5}};
        for (long[] t : times) {
            EventRecord revoke = revoke(SUB, t[0], NOW + 3600 + t[0] - NOW);
            EventRecord restore = restore(SUB, t[1], NOW + 1800);
            KeyState a = after(after(KeyState.empty(SUB), revoke).state(), restore).state();
            KeyState b = after(after(KeyState.empty(SUB), restore).state(), revoke).state();
            assertThat(times(a)).as("revoke at %d, restore at %d", t[0], t[1]).isEqualTo(times(b));
        }
    }

    /** The rule and mark times, without the event ids and provenance that record which event came last. */
    private static List<Long> times(KeyState s) {
        return java.util.Arrays.asList(s.rule() == null ? null : s.rule().at(), s.rule() == null ? null : s.rule().expiresAt(),
                s.mark() == null ? null : s.mark().at(), s.mark() == null ? null : s.mark().expiresAt());
    }

    @Test
    void an_expired_restore_still_lifts_and_is_remembered_as_long_as_the_rule_it_lifted() {
        RuleMerge.Result r = after(ruled(SUB, NOW - 100, NOW + 3600), restore(SUB, NOW - 50, NOW - 1));

        assertThat(r.effect()).isEqualTo(Effect.LIFTED);
        assertThat(r.state().rule()).isNull();
        assertThat(r.state().mark().expiresAt()).isEqualTo(NOW + 3600);
        assertThat(after(KeyState.empty(SUB), restore(SUB, NOW - 50, NOW - 1)).state().isEmpty())
                .as("with nothing to lift, an expired restore leaves nothing").isTrue();
    }

    @Test
    void a_key_rule_is_permanent_whatever_the_expiry_its_event_carries() {
        KeyState s = ruled(KID, NOW, NOW + 60);

        assertThat(s.rule().permanent()).isTrue();
        assertThat(after(s, revoke(KID, NOW + 1, NOW - 1)).effect()).as("an old expiry does not matter for kid")
                .isEqualTo(Effect.STRENGTHENED);
        KeyState restored = after(s, restore(KID, NOW + 5, NOW + 60)).state();
        assertThat(restored.rule()).isNull();
        assertThat(restored.mark().expiresAt()).isEqualTo(Rule.PERMANENT);
    }
}
