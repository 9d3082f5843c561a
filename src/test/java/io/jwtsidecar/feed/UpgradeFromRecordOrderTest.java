package io.jwtsidecar.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.revocation.EventSignatureCheck;
import io.jwtsidecar.revocation.Provenance;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.StoreBatch;
import io.jwtsidecar.revocation.TokenFacts;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.PreviousReleaseStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrading a fleet from the release before restore marks (it applied events in record order, and
 * its admin API dated a restore "now", often in the second of the revoke it lifted). The topic
 * still holds that release's events; a sidecar that rebuilds its store from the topic (a new pod)
 * reads them by their own times and must end where the upgraded sidecars are, or, being an admin
 * sidecar, its re-assertion would publish its state to the whole fleet (found by an outside review
 * while ties went to the revoke: a lifted revocation came back everywhere). A restore wins a tie.
 */
class UpgradeFromRecordOrderTest {
    private static final String ISS = "https://idp.example";
    private static final long L = 3600;

    @TempDir
    Path dir;


    private static RevocationEvent event(RevocationEvent.Type type, RuleKey key, long at, long expiresAt) {
        return new RevocationEvent(UUID.randomUUID().toString(), type, key, at, expiresAt, null, "ops");
    }

    private long offset;

    private void apply(RocksDbRevocationStore store, long now, RevocationEvent... events) {
        offset += events.length;
        store.apply(StoreBatch.of("t", List.of(events), Map.of(0, offset), now));
    }

    /** One re-assertion pass of an (unsigned) admin sidecar on {@code store}; returns what it published. */
    private static List<RevocationEvent> reassert(RocksDbRevocationStore store, MutableClock clock) throws Exception {
        List<RevocationEvent> published = new ArrayList<>();
        try (RuleReassertion r = new RuleReassertion(store, e -> {
            published.add(e);
            return CompletableFuture.completedFuture(new PublishReceipt(e.eventId(), 0, 0, clock.millis()));
        }, EventSignatureCheck.none(), Provenance.UNSIGNED, issuer -> L, () -> true, clock, Duration.ofMinutes(10),
                Duration.ofSeconds(L / 2), Duration.ofSeconds(2 * L), 100, "fresh-admin")) {
            r.runOnce();
        }
        return published;
    }

    @Test
    void a_revocation_lifted_in_the_same_second_by_the_previous_release_stays_lifted_after_the_upgrade() throws Exception {
        MutableClock clock = MutableClock.atNow();
        long t = clock.epochSecond();
        RuleKey alice = new RuleKey(RevocationScope.SUB, ISS, "alice");
        // Previous release: POST revoke (at t) and, in the same second, DELETE (restore dated now = t). The
        // upgraded sidecars' stores hold no rule for alice: the restore deleted it.
        RevocationEvent revoke = event(RevocationEvent.Type.REVOKE, alice, t, t + L);
        RevocationEvent restore = event(RevocationEvent.Type.RESTORE, alice, t, t + L);
        PreviousReleaseStore.write(dir.resolve("upgraded"), Map.of(), Map.of());
        TokenFacts token = new TokenFacts(ISS, null, null, "alice", null, null, null, t - 60);
        clock.advance(Duration.ofSeconds(30));

        try (RocksDbRevocationStore upgraded = RocksDbRevocationStore.open(dir.resolve("upgraded"), 1000, 0.01);
             RocksDbRevocationStore fresh = RocksDbRevocationStore.open(dir.resolve("fresh"), 1000, 0.01)) {
            assertThat(upgraded.isRevoked(token, 5)).isFalse();
            // A new admin pod reads the topic from the start.
            apply(fresh, clock.epochSecond(), revoke, restore);
            List<RevocationEvent> republished = reassert(fresh, clock);
            for (RevocationEvent e : republished) {
                apply(upgraded, clock.epochSecond(), e);
                apply(fresh, clock.epochSecond(), e);
            }
            org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
            soft.assertThat(fresh.isRevoked(token, 5))
                    .as("the new pod must agree with the fleet that alice was restored").isFalse();
            soft.assertThat(upgraded.isRevoked(token, 5))
                    .as("after the new pod re-asserted %s, the lifted revocation must not come back on the upgraded"
                            + " sidecars", republished).isFalse();
            soft.assertAll();
        }
    }
}
