package io.jwtsidecar.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.jwtsidecar.testing.PreviousReleaseStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by the previous release opens whatever its values hold (found by an outside
 * review: the previous release accepted any non-negative {@code at}, and a format marker that such
 * a value could begin with made the upgraded store misread it, fail every apply of its key, and
 * sweep it). The format marker is a byte no non-negative long begins with.
 */
class LegacyStoreUpgradeTest {
    private static final String ISSUER = "https://idp.example.com";
    @TempDir
    Path dir;


    @Test
    void a_rule_of_the_previous_release_with_a_large_at_survives_the_upgrade() throws Exception {
        RuleKey zed = new RuleKey(RevocationScope.SUB, ISSUER, "zed");
        long at = (1L << 56) + 1000; // accepted by the previous release's EventCodec (any at >= 0)
        PreviousReleaseStore.write(dir.resolve("store"), Map.of(zed, PreviousReleaseStore.rule(at, at + 3600, "e-zed")), Map.of());
        long now = Instant.now().getEpochSecond();
        TokenFacts token = new TokenFacts(ISSUER, null, null, "zed", null, null, null, now);

        try (RocksDbRevocationStore store = RocksDbRevocationStore.open(dir.resolve("store"), 1000, 0.001)) {
            org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
            soft.assertThatCode(() -> assertThat(store.isRevoked(token, 30)).isTrue())
                    .as("the old release revoked zed's tokens; the upgraded store must read the rule")
                    .doesNotThrowAnyException();
            soft.assertThatCode(() -> store.forEachState(s -> { }))
                    .as("a re-assertion pass must be able to read the store").doesNotThrowAnyException();
            soft.assertThatCode(() -> store.apply(StoreBatch.of("t", List.of(new RevocationEvent(UUID.randomUUID().toString(),
                    RevocationEvent.Type.REVOKE, zed, now, now + 3600, null, null)), Map.of(0, 1L), now)))
                    .as("an event for the key must apply (else the feed retries the batch forever)")
                    .doesNotThrowAnyException();
            soft.assertAll();
        }
    }

    @Test
    void the_sweep_does_not_delete_an_unexpired_rule_of_the_previous_release() throws Exception {
        RuleKey zed = new RuleKey(RevocationScope.SUB, ISSUER, "zed");
        long at = (1L << 56) + 1000;
        PreviousReleaseStore.write(dir.resolve("store2"), Map.of(zed, PreviousReleaseStore.rule(at, at + 3600, "e-zed")),
                Map.of());
        long now = Instant.now().getEpochSecond();
        try (RocksDbRevocationStore store = RocksDbRevocationStore.open(dir.resolve("store2"), 1000, 0.001)) {
            long deleted = store.sweepExpired(now);
            assertThat(deleted).as("the rule expires at 2^56 + 4600 s, far in the future").isZero();
        }
    }
}
