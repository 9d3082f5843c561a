package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.EventRecord;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.StoreBatch;
import io.jwtsidecar.revocation.TokenFacts;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the admin API dates events against what the sidecars accept (a revoke at most 600 s after its
 * record, a restore 300 s; RecordReaderTest). Found by outside reviews: a rule dated years ahead
 * froze its key; a restore a publisher dated ahead kept the admin from revoking the user again; a
 * burst of revokes pushed the rule time minutes ahead and locked the user out.
 */
class AdminDatingTest {
    private static final String ISSUER = "https://idp.example.com";
    private static final long SKEW = 30;
    @TempDir
    Path dir;
    private RocksDbRevocationStore store;
    private MutableClock clock;
    private RevocationRequests requests;
    private final EventCodec codec = new EventCodec();
    private int records;

    @BeforeEach
    void setUp() {
        store = RocksDbRevocationStore.open(dir.resolve("store"), 1000, 0.001);
        clock = MutableClock.atNow();
        IssuerPolicy policy = new IssuerPolicy(ISSUER, new StaticKeySource(List.of(new VerificationKey("k1",
                JwsAlgorithm.HS256, TestKeys.generate(JwsAlgorithm.HS256).verificationKey()))), Set.of(JwsAlgorithm.HS256),
                Set.of("api"), List.of(), null, Duration.ofSeconds(SKEW), Duration.ofHours(1), null);
        requests = new RevocationRequests(new TokenVerifier(List.of(policy), 8192, clock,
                (t, s) -> RevocationCheck.Status.NOT_REVOKED), clock);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    /** Applies an event as every sidecar reads it: decoded from its own encoding, in a record stamped now. */
    private void apply(RevocationEvent e) throws Exception {
        RevocationEvent read = codec.decode(codec.encode(e));
        assertThat(read.at() - clock.epochSecond()).as("dated within what the sidecars accept of a %s", e.type())
                .isLessThanOrEqualTo(EventRecord.maxAheadSeconds(e.type()));
        store.apply(new StoreBatch("t", List.of(new EventRecord(read, clock.millis(), "bridge")), List.of(),
                Map.of(0, (long) ++records), clock.epochSecond()));
    }

    private RevocationRequests.RevokeRequest revokeOf(String who) throws Exception {
        return requests.parseRevoke(new JsonObject().put("scope", "sub").put("issuer", ISSUER).put("value", who));
    }

    private static RevocationEvent bridge(RevocationEvent.Type type, RuleKey key, long at) {
        return new RevocationEvent(UUID.randomUUID().toString(), type, key, at, at + 3600, "admin", "idp-bridge");
    }

    @Test
    void a_rule_dated_as_far_ahead_as_the_sidecars_accept_is_restored_once_a_restore_may_be_dated_there() throws Exception {
        RuleKey eve = new RuleKey(RevocationScope.SUB, ISSUER, "eve");
        long ahead = clock.epochSecond() + EventRecord.MAX_REVOKE_AHEAD_SECONDS;
        apply(bridge(RevocationEvent.Type.REVOKE, eve, ahead));

        // DELETE /v1/revocations/sub/.../eve: the restore must be dated at the rule's time, too far ahead for now.
        long retryAt = ahead - EventRecord.MAX_RESTORE_AHEAD_SECONDS + 60;
        assertThatThrownBy(() -> requests.restore(eve, store.state(eve), null, "mistake", "ops"))
                .isInstanceOf(RevocationRequests.ConflictException.class)
                .hasMessageContaining("try again at " + retryAt);

        clock.advance(Duration.ofSeconds(retryAt - clock.epochSecond()));
        RevocationEvent restore = requests.restore(eve, store.state(eve), null, "mistake", "ops");
        assertThat(restore.at()).isEqualTo(ahead);
        apply(restore);
        assertThat(store.find(eve)).isEmpty();

        // Right away eve can be revoked again (POST /v1/revocations {"scope":"sub","value":"eve"}), a second after
        // the restore; a day later she can be restored and revoked as usual.
        RevocationEvent again = requests.revoke(revokeOf("eve"), store.state(eve), "ops");
        assertThat(again.at()).isEqualTo(ahead + 1);
        apply(again);
        assertThat(store.find(eve)).as("revoked right after the restore").isPresent();
        clock.advance(Duration.ofDays(1));
        apply(requests.restore(eve, store.state(eve), null, "mistake again", "ops"));
        assertThat(store.find(eve)).isEmpty();
        apply(requests.revoke(revokeOf("eve"), store.state(eve), "ops"));
        assertThat(store.find(eve)).as("revoked a day later").isPresent();
    }

    @Test
    void a_restore_a_publisher_dates_ahead_does_not_keep_an_admin_from_revoking_the_user_again() throws Exception {
        RuleKey mallory = new RuleKey(RevocationScope.SUB, ISSUER, "mallory");
        apply(requests.revoke(revokeOf("mallory"), store.state(mallory), "ops"));
        // A signed bridge lifts it, dating its restore as far ahead as the sidecars accept.
        long ahead = clock.epochSecond() + EventRecord.MAX_RESTORE_AHEAD_SECONDS;
        apply(bridge(RevocationEvent.Type.RESTORE, mallory, ahead));

        // A minute later mallory's account is found compromised.
        clock.advance(Duration.ofSeconds(60));
        RevocationEvent revoke = requests.revoke(revokeOf("mallory"), store.state(mallory), "ops");
        apply(revoke);

        assertThat(revoke.at()).isEqualTo(ahead + 1);
        assertThat(store.find(mallory)).as("cut off now, not in four minutes").isPresent();
    }

    @Test
    void a_burst_of_revokes_of_one_user_is_neither_refused_nor_dated_ahead() throws Exception {
        RuleKey carol = new RuleKey(RevocationScope.SUB, ISSUER, "carol");
        long now = clock.epochSecond();
        // An automation revokes carol on every suspicious request: 305 revokes within one second.
        for (int i = 0; i < 305; i++) {
            apply(requests.revoke(revokeOf("carol"), store.state(carol), "siem"));
        }

        assertThat(store.state(carol).rule().at()).isEqualTo(now);
        TokenFacts later = new TokenFacts(ISSUER, null, null, "carol", null, null, null, now + 120);
        assertThat(store.isRevoked(later, SKEW)).as("a token issued two minutes after the burst").isFalse();
    }

    @Test
    void the_restore_of_a_ban_until_the_end_of_the_range_is_an_event_every_sidecar_reads() throws Exception {
        RuleKey frank = new RuleKey(RevocationScope.SUB, ISSUER, "frank");
        apply(new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE, frank,
                clock.epochSecond(), EventCodec.MAX_EPOCH_SECONDS, "admin", "idp-bridge"));
        RevocationEvent restore = requests.restore(frank, store.state(frank), null, "mistake", "ops");
        assertThat(restore.expiresAt()).as("remembered as long as the ban could matter")
                .isEqualTo(EventCodec.MAX_EPOCH_SECONDS);
        assertThatCode(() -> codec.decode(codec.encode(restore)))
                .as("the admin API must never publish what every sidecar dead-letters (RevocationRequests' contract)")
                .doesNotThrowAnyException();
    }
}
