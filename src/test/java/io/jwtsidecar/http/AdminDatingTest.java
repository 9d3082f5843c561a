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
 * A rule dated ahead neither freezes its key nor makes the admin API publish what the sidecars
 * refuse (found by an outside review: a signed publisher could date a rule up to the year 9999, and
 * after restoring it no one could revoke the user again). The feed now refuses events dated more
 * than ten minutes after their record (RecordReaderTest); within that window a restore is dated a
 * second after the rule, and the admin API says when it can be.
 */
class FutureDatedRuleTest {
    private static final String ISSUER = "https://idp.example.com";
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
                Set.of("api"), List.of(), null, Duration.ofSeconds(30), Duration.ofHours(1), null);
        requests = new RevocationRequests(new TokenVerifier(List.of(policy), 8192, clock,
                (t, s) -> RevocationCheck.Status.NOT_REVOKED), clock);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private void apply(RevocationEvent e) throws Exception {
        // As every sidecar reads it: the event must decode from its own encoding.
        RevocationEvent read = codec.decode(codec.encode(e));
        store.apply(new StoreBatch("t", List.of(new EventRecord(read, clock.millis(), "bridge")), List.of(),
                Map.of(0, (long) ++records), clock.epochSecond()));
    }

    @Test
    void a_rule_dated_ten_minutes_ahead_is_restored_once_the_admin_api_may_date_the_restore_and_revoked_again() throws Exception {
        RuleKey eve = new RuleKey(RevocationScope.SUB, ISSUER, "eve");
        long ahead = clock.epochSecond() + EventRecord.MAX_AHEAD_SECONDS;
        // A signed bridge dates a rule as far ahead as the sidecars accept.
        apply(new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE, eve, ahead,
                ahead + 3600, "admin", "idp-bridge"));

        // DELETE /v1/revocations/sub/.../eve: a restore must be later than the rule, too far ahead for now.
        assertThatThrownBy(() -> requests.restore(eve, store.state(eve), null, "mistake", "ops"))
                .isInstanceOf(RevocationRequests.ConflictException.class)
                .hasMessageContaining("try again at " + (ahead + 1 - 300));

        clock.advance(Duration.ofSeconds(301));
        RevocationEvent restore = requests.restore(eve, store.state(eve), null, "mistake", "ops");
        assertThat(restore.at()).isEqualTo(ahead + 1);
        apply(restore);
        assertThat(store.find(eve)).isEmpty();

        // Right away eve can be revoked again (POST /v1/revocations {"scope":"sub","value":"eve"}), dated at
        // the restore, which a revoke wins; a day later she can be restored and revoked as usual.
        apply(requests.revoke(revokeEve(), store.state(eve), "ops"));
        assertThat(store.find(eve)).as("revoked right after the restore").isPresent();
        clock.advance(Duration.ofDays(1));
        apply(requests.restore(eve, store.state(eve), null, "mistake again", "ops"));
        assertThat(store.find(eve)).isEmpty();
        apply(requests.revoke(revokeEve(), store.state(eve), "ops"));
        assertThat(store.find(eve)).as("revoked a day later").isPresent();
    }

    private RevocationRequests.RevokeRequest revokeEve() throws Exception {
        return requests.parseRevoke(new JsonObject().put("scope", "sub").put("issuer", ISSUER).put("value", "eve"));
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
