package io.jwtsidecar.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.revocation.RuleMerge.Effect;
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
    void a_restore_lifts_a_rule_not_later_than_itself_and_leaves_a_mark() {
        RuleMerge.Result r = after(ruled(SUB, NOW, NOW + 3600), restore(SUB, NOW, NOW + 3600));

        assertThat(r.effect()).isEqualTo(Effect.LIFTED);
        assertThat(r.state().rule()).isNull();
        assertThat(r.state().mark()).extracting(RestoreMark::at).isEqualTo(NOW);
        assertThat(r.state().provenance()).isEqualTo(new Provenance(222, "pub-2", true));
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
    void a_replayed_revoke_not_later_than_the_last_restore_changes_nothing_ties_go_to_the_restore() {
        KeyState restored = after(ruled(SUB, NOW - 60, NOW + 3600), restore(SUB, NOW, NOW + 3600)).state();

        for (long at : new long[] {NOW - 60, NOW}) {
            RuleMerge.Result r = after(restored, revoke(SUB, at, NOW + 3600));
            assertThat(r.effect()).isEqualTo(Effect.IGNORED_RESTORED);
            assertThat(r.state().rule()).isNull();
        }
        assertThat(after(restored, revoke(SUB, NOW + 1, NOW + 3600)).effect()).isEqualTo(Effect.CREATED);
    }

    @Test
    void an_expired_restore_still_lifts_but_leaves_no_mark() {
        RuleMerge.Result r = after(ruled(SUB, NOW - 100, NOW + 3600), restore(SUB, NOW - 50, NOW - 1));

        assertThat(r.effect()).isEqualTo(Effect.LIFTED);
        assertThat(r.state().isEmpty()).isTrue();
    }

    @Test
    void a_key_rule_is_permanent_whatever_the_expiry_its_event_carries() {
        KeyState s = ruled(KID, NOW, NOW + 60);

        assertThat(s.rule().permanent()).isTrue();
        assertThat(after(s, revoke(KID, NOW + 1, NOW - 1)).effect()).as("an old expiry does not matter for kid")
                .isEqualTo(Effect.STRENGTHENED);
        KeyState restored = after(s, restore(KID, NOW + 5, NOW + 60)).state();
        assertThat(restored.mark().expiresAt()).isEqualTo(Rule.PERMANENT);
    }
}
