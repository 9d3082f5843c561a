package io.jwtsidecar.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        return new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.RESTORE,
                new RuleKey(scope, ISS, value), AT, AT + 3600, "mistake", "test");
    }

    private void apply(List<RevocationEvent> events, Map<Integer, Long> offsets) {
        store.apply(new StoreBatch(TOPIC, events, List.of(), offsets));
    }

    private static TokenFacts alice(Long iat) {
        return new TokenFacts(ISS, "jti-1", "sid-1", "alice", "web", "k1", iat);
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
        assertThat(store.isRevoked(new TokenFacts(ISS, "jti-2", null, "alice", null, null, AT), 0)).isFalse();
    }

    @Test
    void rules_are_per_issuer() {
        apply(List.of(revoke(RevocationScope.SUB, "alice", AT)), Map.of(0, 1L));

        assertThat(store.isRevoked(new TokenFacts("https://other.example", null, null, "alice", null, null, AT - 1), 0))
                .isFalse();
    }

    @Test
    void every_scope_matches_its_own_claim() {
        apply(List.of(
                revoke(RevocationScope.SID, "sid-9", AT),
                revoke(RevocationScope.CLIENT, "mobile", AT),
                revoke(RevocationScope.KID, "old-key", AT)), Map.of(0, 3L));

        assertThat(store.isRevoked(new TokenFacts(ISS, null, "sid-9", "bob", null, null, AT - 1), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, null, null, "bob", "mobile", null, AT - 1), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, null, null, "bob", null, "old-key", AT + 999), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, null, "sid-8", "bob", "web", "new-key", AT - 1), 0)).isFalse();
    }

    @Test
    void an_issuer_rule_revokes_everything_issued_before_it() {
        apply(List.of(revoke(RevocationScope.ISSUER, "", AT)), Map.of(0, 1L));

        assertThat(store.isRevoked(new TokenFacts(ISS, null, null, "anyone", null, null, AT - 1), 0)).isTrue();
        assertThat(store.isRevoked(new TokenFacts(ISS, null, null, "anyone", null, null, AT + 1), 0)).isFalse();
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
        store.apply(new StoreBatch(TOPIC, List.of(),
                List.of(new DeadLetter(1, 41, null, garbage, "not JSON")), Map.of(1, 42L)));

        reopen();

        assertThat(store.deadLetterCount()).isEqualTo(1);
        assertThat(store.nextOffsets(TOPIC)).containsEntry(1, 42L);
        DeadLetter d = store.deadLetters(10).get(0);
        assertThat(d.partition()).isEqualTo(1);
        assertThat(d.offset()).isEqualTo(41);
        assertThat(d.key()).isNull();
        assertThat(d.value()).isEqualTo(garbage);
        assertThat(d.reason()).isEqualTo("not JSON");
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
}
