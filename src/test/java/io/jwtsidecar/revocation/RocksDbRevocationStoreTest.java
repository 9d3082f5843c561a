package io.jwtsidecar.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jwtsidecar.testing.PreviousReleaseStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The RocksDB store and its Bloom index, on a real RocksDB in a temporary directory. */
class RocksDbRevocationStoreTest {
    private static final String ISS = "https://issuer.example";
    private static final String TOPIC = "jwt-revocations";
    private static final long AT = 1_800_000_000L;

    @TempDir
    Path dir;

    private RocksDbRevocationStore store;

    @BeforeEach
    void open() {
        store = RocksDbRevocationStore.open(dir, 10_000, 0.001);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void reopen() {
        store.close();
        store = RocksDbRevocationStore.open(dir, 10_000, 0.001);
    }

    private static RevocationEvent revoke(RevocationScope scope, String value, long at) {
        return new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                new RuleKey(scope, ISS, value), at, at + 3600, "logout", "test");
    }

    private static RevocationEvent restore(RevocationScope scope, String value) {
        // A second after the rules of these tests: records without timestamps tie on the second, and a tie goes to the revoke.
        return new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.RESTORE,
                new RuleKey(scope, ISS, value), AT + 1, AT + 3600, "mistake", "test");
    }

    private void apply(List<RevocationEvent> events, Map<Integer, Long> offsets) {
        store.apply(StoreBatch.of(TOPIC, events, offsets, AT));
    }

    private static TokenFacts alice(Long iat) {
        return new TokenFacts(ISS, "jti-1", "sid-1", "alice", "web", List.of("k1"), null, iat);
    }

    @Test
    void a_sub_rule_revokes_tokens_issued_at_or_before_its_time_and_spares_later_ones() {
        apply(List.of(revoke(RevocationScope.SUB, "alice", AT)), Map.of(0, 1L));

        assertThat(store.isRevoked(alice(AT - 100), 0)).isTrue();
        assertThat(store.isRevoked(alice(AT), 0)).as("same second counts as before (fail closed)").isTrue();
        assertThat(store.isRevoked(alice(AT + 1), 0)).isFalse();
    }

    @Test
    void the_skew_extends_a_time_rule_to_tokens_minted_within_it_after_the_rule() {
        apply(List.of(revoke(RevocationScope.SUB, "alice", AT)), Map.of(0, 1L));

        assertThat(store.isRevoked(alice(AT + 30), 30)).isTrue();
        assertThat(store.isRevoked(alice(AT + 31), 30)).isFalse();
    }

    @Test
    void a_token_without_iat_is_caught_by_every_time_based_rule() {
        apply(List.of(revoke(RevocationScope.SUB, "alice", AT)), Map.of(0, 1L));

        assertThat(store.isRevoked(alice(null), 0)).isTrue();
    }

    @Test
    void a_jti_rule_matches_its_token_whatever_its_iat() {
        apply(List.of(revoke(RevocationScope.JTI, "jti-1", AT)), Map.of(0, 1L));

        assertThat(store.isRevoked(alice(AT + 10_000), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, "jti-2", null, "alice", null, null, null, AT), 0)).isFalse();
    }

    @Test
    void rules_are_per_issuer() {
        apply(List.of(revoke(RevocationScope.SUB, "alice", AT)), Map.of(0, 1L));

        assertThat(store.isRevoked(new TokenFacts("https://other.example", null, null, "alice", null, null, null, AT - 1), 0))
                .isFalse();
    }

    @Test
    void every_scope_matches_its_own_claim() {
        apply(List.of(
                revoke(RevocationScope.SID, "sid-9", AT),
                revoke(RevocationScope.CLIENT, "mobile", AT),
                revoke(RevocationScope.KID, "old-key", AT)), Map.of(0, 3L));

        assertThat(store.isRevoked(new TokenFacts(ISS, null, "sid-9", "bob", null, null, null, AT - 1), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, null, null, "bob", "mobile", null, null, AT - 1), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, null, null, "bob", null, List.of("old-key"), null, AT + 999), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, null, "sid-8", "bob", "web", List.of("new-key"), null, AT - 1), 0)).isFalse();
    }

    @Test
    void a_kid_rule_matches_the_verifying_key_by_its_configured_kid_or_by_its_thumbprint() {
        apply(List.of(revoke(RevocationScope.KID, "thumb-of-a-key-without-kid", AT),
                revoke(RevocationScope.KID, "k1", AT)), Map.of(0, 2L));

        assertThat(store.isRevoked(new TokenFacts(ISS, null, null, "bob", null, null, "thumb-of-a-key-without-kid", AT + 999), 0))
                .as("the key has no kid: its thumbprint names it").isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, null, null, "bob", null, List.of("k9"), "thumb-of-a-key-without-kid", AT + 999), 0))
                .as("the thumbprint names the key whatever its kid").isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, null, null, "bob", null, List.of("k1"), "thumb-of-k1", AT + 999), 0))
                .as("the configured kid names the key too").isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, null, null, "bob", null, null, "thumb-of-another-key", AT - 1), 0))
                .as("another key without kid").isFalse();
        assertThat(store.isRevoked(new TokenFacts(ISS, null, null, "bob", null, List.of("k2"), "thumb-of-k2", AT - 1), 0))
                .as("another key with a kid").isFalse();
    }

    @Test
    void with_rules_in_every_scope_a_token_is_revoked_by_each_and_an_unrevoked_token_is_not() {
        // One rule per scope, each for another token; the issuer rule names another issuer.
        apply(List.of(revoke(RevocationScope.JTI, "jti-r", AT), revoke(RevocationScope.SID, "sid-r", AT),
                revoke(RevocationScope.SUB, "sub-r", AT), revoke(RevocationScope.CLIENT, "client-r", AT),
                revoke(RevocationScope.KID, "kid-r", AT), revoke(RevocationScope.KID, "thumb-r", AT),
                new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                        new RuleKey(RevocationScope.ISSUER, "https://revoked.example", ""), AT, AT + 3600, "x", "test")),
                Map.of(0, 1L));
        long iat = AT - 10;

        assertThat(store.isRevoked(new TokenFacts(ISS, "n", "n", "n", "n", List.of("n"), "n", iat), 0))
                .as("a token no rule names").isFalse();
        assertThat(store.isRevoked(new TokenFacts(ISS, "jti-r", "n", "n", "n", List.of("n"), "n", iat), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, "n", "sid-r", "n", "n", List.of("n"), "n", iat), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, "n", "n", "sub-r", "n", List.of("n"), "n", iat), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, "n", "n", "n", "client-r", List.of("n"), "n", iat), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, "n", "n", "n", "n", List.of("kid-r"), "n", iat), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, "n", "n", "n", "n", List.of("n"), "thumb-r", iat), 0))
                .as("a kid rule naming the thumbprint").isTrue();
        assertThat(store.isRevoked(new TokenFacts("https://revoked.example", "n", "n", "n", "n", List.of("n"), "n",
                iat), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, "n", "n", "sub-r", "n", List.of("n"), "n", AT + 1), 0))
                .as("a Bloom hit whose rule does not block the token").isFalse();
    }

    @Test
    void a_kid_rule_is_found_behind_more_than_64_configured_kids() {
        apply(List.of(revoke(RevocationScope.KID, "k70", AT)), Map.of(0, 1L));
        List<String> kids = new ArrayList<>();
        for (int i = 0; i < 71; i++) {
            kids.add("k" + i);
        }

        assertThat(store.isRevoked(new TokenFacts(ISS, null, null, null, null, kids, null, AT), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, null, null, null, null, kids.subList(0, 70), null, AT), 0))
                .isFalse();
    }

    @Test
    void an_issuer_rule_revokes_everything_issued_before_it() {
        apply(List.of(revoke(RevocationScope.ISSUER, "", AT)), Map.of(0, 1L));

        assertThat(store.isRevoked(new TokenFacts(ISS, null, null, "anyone", null, null, null, AT - 1), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, null, null, "anyone", null, null, null, AT + 1), 0)).isFalse();
    }

    @Test
    void a_restore_lifts_the_rule() {
        apply(List.of(revoke(RevocationScope.SUB, "alice", AT)), Map.of(0, 1L));
        apply(List.of(restore(RevocationScope.SUB, "alice")), Map.of(0, 2L));

        assertThat(store.isRevoked(alice(AT - 100), 0)).isFalse();
        assertThat(store.find(new RuleKey(RevocationScope.SUB, ISS, "alice"))).isEmpty();
    }

    @Test
    void rules_and_offsets_survive_a_restart_and_the_index_is_rebuilt_from_the_store() {
        RevocationEvent e = revoke(RevocationScope.SUB, "alice", AT);
        apply(List.of(e), Map.of(0, 7L, 2, 3L));

        reopen();

        assertThat(store.isRevoked(alice(AT - 1), 0)).isTrue();
        assertThat(store.find(e.key())).hasValueSatisfying(r -> {
            assertThat(r.at()).isEqualTo(AT);
            assertThat(r.expiresAt()).isEqualTo(AT + 3600);
            assertThat(r.eventId()).isEqualTo(e.eventId());
        });
        assertThat(store.nextOffsets(TOPIC)).containsExactlyInAnyOrderEntriesOf(Map.of(0, 7L, 2, 3L));
        assertThat(store.nextOffsets("another-topic")).isEmpty();
    }

    @Test
    void dead_letters_are_kept_with_their_origin_counted_and_survive_a_restart() {
        byte[] garbage = "not json".getBytes(StandardCharsets.UTF_8);
        store.apply(new StoreBatch(TOPIC, List.of(), List.of(new DeadLetter(1, 41, 1234, null, garbage, "not JSON")),
                Map.of(1, 42L), AT));

        reopen();

        assertThat(store.deadLetterCount()).isEqualTo(1);
        assertThat(store.nextOffsets(TOPIC)).containsEntry(1, 42L);
        KeptDeadLetter d = store.deadLetters(-1, 10).get(0);
        assertThat(d.partition()).isEqualTo(1);
        assertThat(d.offset()).isEqualTo(41);
        assertThat(d.recordMillis()).isEqualTo(1234);
        assertThat(d.keyPrefix()).isNull();
        assertThat(d.keySize()).isEqualTo(-1);
        assertThat(d.valuePrefix()).isEqualTo(garbage);
        assertThat(d.valueSize()).isEqualTo(garbage.length);
        assertThat(d.truncated()).isFalse();
        assertThat(d.reason()).isEqualTo("not JSON");
        assertThat(store.deadLetterDroppedBytes()).isZero();
    }

    @Test
    void a_large_pill_keeps_only_a_prefix_of_its_key_and_value_and_a_digest_of_the_whole() throws Exception {
        byte[] key = new byte[5000];
        byte[] value = new byte[1 << 20];
        java.util.Arrays.fill(value, (byte) 'x');
        store.apply(new StoreBatch(TOPIC, List.of(), List.of(new DeadLetter(0, 7, 0, key, value, "not JSON")),
                Map.of(0, 8L), AT));

        KeptDeadLetter d = store.deadLetters(-1, 10).get(0);
        assertThat(d.keyPrefix()).hasSize(DeadLetterBudget.PREFIX_BYTES);
        assertThat(d.valuePrefix()).hasSize(DeadLetterBudget.PREFIX_BYTES);
        assertThat(d.keySize()).isEqualTo(5000);
        assertThat(d.valueSize()).isEqualTo(1 << 20);
        assertThat(d.truncated()).isTrue();
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update(java.nio.ByteBuffer.allocate(4).putInt(key.length).array());
        sha.update(key);
        sha.update(java.nio.ByteBuffer.allocate(4).putInt(value.length).array());
        sha.update(value);
        assertThat(d.sha256()).isEqualTo(sha.digest());
        assertThat(store.deadLetterDroppedBytes()).isEqualTo(5000 + (1 << 20) - 2L * DeadLetterBudget.PREFIX_BYTES);
    }

    @Test
    void past_the_budget_the_oldest_dead_letters_are_pruned_and_counted_as_dropped() {
        store.close();
        store = RocksDbRevocationStore.open(dir, 10_000, 0.001, 100_000);
        byte[] value = new byte[DeadLetterBudget.PREFIX_BYTES];
        for (int i = 0; i < 200; i++) {
            store.apply(new StoreBatch(TOPIC, List.of(), List.of(new DeadLetter(0, i, 0, null, value, "pill " + i)),
                    Map.of(0, i + 1L), AT));
        }

        long kept = store.deadLetterCount();
        assertThat(kept).as("about 100 kB of ~1.1 kB records").isBetween(80L, 99L);
        List<KeptDeadLetter> all = store.deadLetters(-1, 1000);
        assertThat(all).hasSize((int) kept);
        assertThat(all.get(0).offset()).as("the oldest went first").isEqualTo(200 - kept);
        assertThat(all.get(all.size() - 1).offset()).isEqualTo(199);
        assertThat(store.deadLetterDroppedBytes()).isGreaterThan((200 - kept) * DeadLetterBudget.PREFIX_BYTES);

        reopen();
        assertThat(store.deadLetterCount()).isEqualTo(kept);
    }

    @Test
    void dead_letters_are_listed_a_page_at_a_time_after_a_cursor() {
        for (int i = 0; i < 5; i++) {
            store.apply(new StoreBatch(TOPIC, List.of(), List.of(new DeadLetter(0, i, 0, null, new byte[] {1}, "x")),
                    Map.of(0, i + 1L), AT));
        }
        List<KeptDeadLetter> first = store.deadLetters(-1, 2);
        List<KeptDeadLetter> second = store.deadLetters(first.get(1).id(), 2);
        List<KeptDeadLetter> third = store.deadLetters(second.get(1).id(), 2);

        assertThat(first).extracting(KeptDeadLetter::offset).containsExactly(0L, 1L);
        assertThat(second).extracting(KeptDeadLetter::offset).containsExactly(2L, 3L);
        assertThat(third).extracting(KeptDeadLetter::offset).containsExactly(4L);
    }

    @Test
    void a_store_written_by_the_previous_release_opens_with_its_rules_and_its_dead_letters_bounded() throws Exception {
        store.close();
        Path old = dir.resolve("previous-release");
        java.nio.file.Files.createDirectories(old);
        // The previous layout: no restores column, values without a version byte, dead letters raw.
        RuleKey kid = new RuleKey(RevocationScope.KID, ISS, "k1");
        RuleKey sub = new RuleKey(RevocationScope.SUB, ISS, "alice");
        byte[] bigValue = new byte[100_000];
        byte[] reason = "not JSON".getBytes(StandardCharsets.UTF_8);
        PreviousReleaseStore.write(old, Map.of(kid, PreviousReleaseStore.rule(AT, AT + 3600, "e-kid"),
                sub, PreviousReleaseStore.rule(AT, AT + 3600, "e-sub")),
                Map.of(java.nio.ByteBuffer.allocate(12).putInt(0).putLong(9).array(),
                        java.nio.ByteBuffer.allocate(8 + reason.length + bigValue.length).putInt(reason.length).put(reason)
                                .putInt(-1).put(bigValue).array()));

        store = RocksDbRevocationStore.open(old, 10_000, 0.001);

        assertThat(store.find(kid)).hasValueSatisfying(r -> {
            assertThat(r.permanent()).as("a key rule holds until restored, whatever it was stored with").isTrue();
            assertThat(r.eventId()).isEqualTo("e-kid");
        });
        assertThat(store.find(sub)).hasValueSatisfying(r -> assertThat(r.expiresAt()).isEqualTo(AT + 3600));
        assertThat(store.state(sub).provenance()).isEqualTo(new Provenance(0, Provenance.UNSIGNED, true));
        assertThat(store.sweepExpired(AT + 7200)).as("the sub rule expired, the key rule did not").isEqualTo(1);
        assertThat(store.find(kid)).isPresent();
        KeptDeadLetter d = store.deadLetters(-1, 10).get(0);
        assertThat(d.offset()).isEqualTo(9);
        assertThat(d.valueSize()).isEqualTo(bigValue.length);
        assertThat(d.valuePrefix()).hasSize(DeadLetterBudget.PREFIX_BYTES);
        assertThat(d.keyPrefix()).isNull();
        assertThat(store.deadLetterCount()).isEqualTo(1);
    }


    @Test
    void closing_twice_is_harmless() {
        store.close();
        store.close();
        store = RocksDbRevocationStore.open(dir, 10_000, 0.001);
    }

    @Test
    void a_store_that_cannot_be_opened_says_where() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");

        StoreException e = assertThrows(StoreException.class, () -> RocksDbRevocationStore.open(file, 10, 0.01));

        assertThat(e.getMessage()).contains("Error opening revocation store at").contains(file.toString());
    }

    /**
     * {@link Rule#blocks} for any {@code iat}, rule time and skew a caller can hand it: the
     * comparison is the mathematical {@code iat - skew <= at}, never a wrapped one.
     */
    static Stream<Arguments> extremes() {
        long min = Long.MIN_VALUE;
        long max = Long.MAX_VALUE;
        return Stream.of(
                Arguments.of("iat Long.MIN_VALUE with a skew is before any rule time", min, 5L, AT, true),
                Arguments.of("iat Long.MIN_VALUE with the largest skew is before rule time 0", min, max, 0L, true),
                Arguments.of("iat Long.MIN_VALUE without skew is before rule time Long.MIN_VALUE + 1", min, 0L, min + 1, true),
                Arguments.of("iat Long.MIN_VALUE is at rule time Long.MIN_VALUE", min, 0L, min, true),
                Arguments.of("iat Long.MAX_VALUE with a skew is after rule time " + AT, max, 5L, AT, false),
                Arguments.of("iat Long.MAX_VALUE is at rule time Long.MAX_VALUE, skew or not", max, 5L, max, true),
                Arguments.of("iat Long.MAX_VALUE with the largest skew is within it of rule time 0", max, max, 0L, true),
                Arguments.of("iat Long.MAX_VALUE is after rule time Long.MIN_VALUE even with the largest skew", max, max, min, false),
                Arguments.of("iat Long.MAX_VALUE minus a negative skew is after rule time Long.MAX_VALUE - 10", max, -5L, max - 10, false),
                Arguments.of("iat Long.MIN_VALUE minus a negative skew is after rule time Long.MIN_VALUE", min, -1L, min, false),
                Arguments.of("iat Long.MIN_VALUE minus the most negative skew is 0, at rule time 0", min, min, 0L, true),
                Arguments.of("iat Long.MIN_VALUE minus the most negative skew is 0, after rule time -1", min, min, -1L, false),
                Arguments.of("iat 0 with the most negative skew is after rule time Long.MAX_VALUE", 0L, min, max, false),
                Arguments.of("iat exactly the skew after the rule time is caught", AT + 30, 30L, AT, true),
                Arguments.of("iat a second past the skew after the rule time is spared", AT + 31, 30L, AT, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("extremes")
    void a_time_rule_compares_without_overflow(String sentence, long issuedAt, long skew, long at, boolean blocked) {
        Rule rule = new Rule(new RuleKey(RevocationScope.SUB, ISS, "alice"), at, at, "e");

        assertThat(rule.blocks(issuedAt, skew)).as(sentence).isEqualTo(blocked);
    }

    @Test
    void a_rule_that_ignores_iat_blocks_at_the_extremes_too() {
        Rule rule = new Rule(new RuleKey(RevocationScope.KID, ISS, "k1"), AT, AT, "e");

        assertThat(rule.blocks(Long.MIN_VALUE, Long.MAX_VALUE)).isTrue();
        assertThat(rule.blocks(Long.MAX_VALUE, Long.MIN_VALUE)).isTrue();
    }

    @Test
    void a_token_with_iat_long_min_value_cannot_escape_a_sub_rule_in_the_store() {
        apply(List.of(revoke(RevocationScope.SUB, "alice", AT)), Map.of(0, 1L));

        assertThat(store.isRevoked(alice(Long.MIN_VALUE), 5)).isTrue();
        assertThat(store.isRevoked(alice(Long.MIN_VALUE), 0)).isTrue();
    }
}
