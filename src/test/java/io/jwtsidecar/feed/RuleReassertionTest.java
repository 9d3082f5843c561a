package io.jwtsidecar.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.revocation.EventRecord;
import io.jwtsidecar.revocation.EventSignatureCheck;
import io.jwtsidecar.revocation.PublisherKey;
import io.jwtsidecar.revocation.Provenance;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.StoreBatch;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.PublisherKeys;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeyLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the admin plane re-publishes so the topic keeps saying what the stores enforce, on a real
 * RocksDB store and a fake clock. "Publishing" here applies the event back into the same store
 * as this sidecar's feed would, signed by this sidecar's key, with the record time of the clock.
 */
class RuleReassertionTest {
    private static final String ISS = "https://idp.example";
    private static final long NOW = 1_800_000_000L;
    private static final PublisherKeys CURRENT = PublisherKeys.ed25519("current");
    private static final PublisherKeys RETIRED = PublisherKeys.ed25519("retired");

    @TempDir
    Path dir;
    private RocksDbRevocationStore store;
    private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(NOW));
    private final List<RevocationEvent> published = new ArrayList<>();
    private RuleReassertion reassertion;
    private long offset;

    @BeforeEach
    void open() {
        store = RocksDbRevocationStore.open(dir, 1000, 0.01);
        EventSignatureCheck signatures = new EventSignatureCheck(List.of(key(CURRENT, false), key(RETIRED, true)), true);
        reassertion = new RuleReassertion(store, e -> {
            published.add(e);
            apply(e, CURRENT.kid());
            return CompletableFuture.completedFuture(new PublishReceipt(e.eventId(), 0, offset, clock.millis()));
        }, signatures, CURRENT.kid(), issuer -> 3600, () -> true, clock, Duration.ofMinutes(10), Duration.ofMinutes(30),
                Duration.ofHours(2), 100, "test");
    }

    @AfterEach
    void close() {
        reassertion.close();
        store.close();
    }

    private static PublisherKey key(PublisherKeys k, boolean retired) {
        return new PublisherKey(k.kid(), StaticKeyLoader.pem(k.kid(), JwsAlgorithm.EdDSA, k.publicPem()),
                retired ? PublisherKey.Trust.RETIRED : PublisherKey.Trust.CURRENT);
    }

    private void apply(RevocationEvent e, String signer) {
        store.apply(new StoreBatch("t", List.of(new EventRecord(e, clock.millis(), signer)), List.of(),
                Map.of(0, ++offset), clock.epochSecond()));
    }

    private static RevocationEvent revoke(RuleKey key, long at, long expiresAt) {
        return new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE, key, at, expiresAt, null, null);
    }

    private static RevocationEvent restore(RuleKey key, long at, long expiresAt) {
        return new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.RESTORE, key, at, expiresAt, null, null);
    }

    private static RuleKey sub(String value) {
        return new RuleKey(RevocationScope.SUB, ISS, value);
    }

    @Test
    void a_rule_the_topic_says_as_signed_by_a_current_key_is_left_alone() throws Exception {
        apply(revoke(sub("alice"), NOW, NOW + 3600), CURRENT.kid());

        assertThat(reassertion.runOnce()).isZero();
    }

    @Test
    void a_rule_whose_newest_record_changed_nothing_is_published_again_with_its_times_and_then_left_alone()
            throws Exception {
        apply(revoke(sub("alice"), NOW, NOW + 3600), CURRENT.kid());
        apply(revoke(sub("alice"), 0, NOW + 60), CURRENT.kid()); // a replayed weaker revoke: the newest record

        assertThat(reassertion.runOnce()).isEqualTo(1);
        assertThat(published).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(RevocationEvent.Type.REVOKE);
            assertThat(e.at()).isEqualTo(NOW);
            assertThat(e.expiresAt()).isEqualTo(NOW + 3600);
            assertThat(e.reason()).isEqualTo("reassert:not_current");
            assertThat(e.actor()).isEqualTo("jwt-sidecar:test");
        });
        assertThat(reassertion.runOnce()).as("the re-published record is current").isZero();
    }

    @Test
    void a_restore_whose_newest_record_is_a_replayed_revoke_is_published_again() throws Exception {
        apply(revoke(sub("bob"), NOW - 10, NOW + 3600), CURRENT.kid());
        apply(restore(sub("bob"), NOW, NOW + 3600), CURRENT.kid());
        apply(revoke(sub("bob"), NOW - 10, NOW + 3600), CURRENT.kid()); // replayed: ignored, but newest

        assertThat(reassertion.runOnce()).isEqualTo(1);
        assertThat(published.get(0).type()).isEqualTo(RevocationEvent.Type.RESTORE);
        assertThat(published.get(0).at()).isEqualTo(NOW);
        assertThat(store.find(sub("bob"))).isEmpty();
    }

    @Test
    void unsigned_and_retired_key_rules_are_re_signed_and_a_distrusted_keys_restore_is_not() throws Exception {
        apply(revoke(sub("unsigned"), NOW, NOW + 3600), Provenance.UNSIGNED);
        apply(revoke(sub("retired"), NOW, NOW + 3600), RETIRED.kid());
        apply(revoke(sub("removed"), NOW, NOW + 3600), "removed-key");
        apply(restore(sub("removed-restore"), NOW, NOW + 3600), "removed-key");

        assertThat(reassertion.runOnce()).isEqualTo(3);
        assertThat(published).extracting(e -> e.key().value()).containsExactlyInAnyOrder("unsigned", "retired", "removed");
        assertThat(published).allSatisfy(e -> assertThat(e.reason()).isEqualTo("reassert:resign"));
    }

    @Test
    void a_permanent_key_rule_is_renewed_once_per_period_by_this_sidecars_clock() throws Exception {
        RuleKey kid = new RuleKey(RevocationScope.KID, ISS, "k1");
        apply(revoke(kid, NOW, NOW + 60), CURRENT.kid());
        assertThat(reassertion.runOnce()).isZero();

        clock.advance(Duration.ofMinutes(31));
        assertThat(reassertion.runOnce()).isEqualTo(1);
        RevocationEvent renewal = published.get(0);
        assertThat(renewal.reason()).isEqualTo("reassert:renew");
        assertThat(renewal.at()).isEqualTo(NOW);
        assertThat(renewal.expiresAt()).as("a lifetime ahead, for older readers").isEqualTo(clock.epochSecond() + 3600);

        clock.advance(Duration.ofMinutes(10));
        assertThat(reassertion.runOnce()).isZero();
        clock.advance(Duration.ofMinutes(25));
        assertThat(reassertion.runOnce()).isEqualTo(1);
    }

    @Test
    void a_non_permanent_rule_is_never_renewed_by_age_and_an_expired_mark_is_not_asserted() throws Exception {
        apply(revoke(sub("carol"), NOW, NOW + 7200), CURRENT.kid());
        apply(restore(sub("dave"), NOW, NOW + 600), CURRENT.kid());
        apply(revoke(sub("dave"), 0, NOW + 600), CURRENT.kid()); // makes the mark not current

        clock.advance(Duration.ofMinutes(11));

        assertThat(reassertion.runOnce()).isZero();
    }

    @Test
    void a_ban_that_outlives_the_retention_of_its_record_is_asserted_again_an_ordinary_rule_is_not() throws Exception {
        apply(revoke(sub("banned"), NOW, NOW + 30 * 86_400), CURRENT.kid());
        apply(revoke(sub("ordinary"), NOW, NOW + 3600 + 60), CURRENT.kid());

        clock.advance(Duration.ofMinutes(31));

        assertThat(reassertion.runOnce()).isEqualTo(1);
        assertThat(published).singleElement().satisfies(e -> {
            assertThat(e.key().value()).isEqualTo("banned");
            assertThat(e.expiresAt()).isEqualTo(NOW + 30 * 86_400);
            assertThat(e.reason()).isEqualTo("reassert:renew");
        });
        assertThat(reassertion.lastPass(RuleReassertion.Reason.RENEW)).isEqualTo(1);
        assertThat(reassertion.runOnce()).isZero();
        assertThat(reassertion.lastPass(RuleReassertion.Reason.RENEW)).isZero();
    }

    @Test
    void a_rule_whose_newest_record_carries_an_old_timestamp_is_asserted_again_before_retention_drops_it()
            throws Exception {
        RevocationEvent e = revoke(sub("backdated"), NOW, NOW + 3600);
        store.apply(new StoreBatch("t", List.of(new EventRecord(e, 0, CURRENT.kid())), List.of(), Map.of(0, ++offset),
                clock.epochSecond()));

        assertThat(reassertion.runOnce()).isEqualTo(1);
        assertThat(published.get(0).reason()).isEqualTo("reassert:renew");
    }

    @Test
    void a_rule_whose_newest_record_could_not_be_applied_is_published_again() throws Exception {
        apply(revoke(sub("erased"), NOW, NOW + 3600), CURRENT.kid());
        // A tombstone keyed by the rule: dead-lettered, but compaction would keep it and drop the revoke.
        store.apply(new StoreBatch("t", List.of(), List.of(new io.jwtsidecar.revocation.DeadLetter(0, ++offset,
                clock.millis(), sub("erased").toBytes(), null, "record has no value")), Map.of(0, offset),
                clock.epochSecond(), Map.of(sub("erased"), clock.millis())));

        assertThat(reassertion.runOnce()).isEqualTo(1);
        assertThat(published.get(0).reason()).isEqualTo("reassert:not_current");
        assertThat(reassertion.runOnce()).isZero();
    }

    @Test
    void nothing_is_published_while_this_sidecars_data_is_not_fresh() throws Exception {
        RuleReassertion stale = new RuleReassertion(store, e -> {
            published.add(e);
            return CompletableFuture.completedFuture(null);
        }, EventSignatureCheck.none(), Provenance.UNSIGNED, issuer -> 3600, () -> false, clock, Duration.ofMinutes(10),
                Duration.ofMinutes(30), Duration.ofHours(2), 100, "test");
        apply(revoke(sub("erin"), NOW, NOW + 3600), CURRENT.kid());
        apply(revoke(sub("erin"), 0, NOW + 60), CURRENT.kid());

        assertThat(stale.runOnce()).isZero();
        stale.close();
    }
}
