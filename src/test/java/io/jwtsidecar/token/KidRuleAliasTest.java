package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.StoreBatch;
import io.jwtsidecar.revocation.TokenFacts;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.testing.Tokens;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code kid} rule for a compromised key catches the key's material under any kid the issuer lists
 * it with (found by an outside review: a key set listing one key twice, under two kids, let the
 * holder of the stolen private key pick the kid the rule did not name).
 */
class KidRuleAliasTest {
    private static final String ISSUER = "https://idp.example.com";

    @TempDir
    Path dir;

    @Test
    void a_kid_rule_for_a_compromised_key_catches_the_same_key_under_another_kid() {
        MutableClock clock = MutableClock.atNow();
        TestKeys stolen = TestKeys.generate(JwsAlgorithm.ES256);
        IssuerPolicy policy = new IssuerPolicy(ISSUER, new StaticKeySource(List.of(
                new VerificationKey("2026-05", JwsAlgorithm.ES256, stolen.verificationKey()),
                new VerificationKey("sig-2026-05", JwsAlgorithm.ES256, stolen.verificationKey()))),
                Set.of(JwsAlgorithm.ES256), Set.of("api"), List.of(), null, Duration.ofSeconds(30), Duration.ofHours(1), null);
        try (RocksDbRevocationStore store = RocksDbRevocationStore.open(dir.resolve("store"), 1000, 0.001)) {
            RevocationCheck check = (tok, skew) -> store.isRevoked(new TokenFacts(tok.issuer(), tok.jti(), tok.sessionId(),
                    tok.subject(), tok.clientId(), tok.keyIds(), tok.keyThumbprint(), tok.issuedAt()), skew)
                    ? RevocationCheck.Status.REVOKED : RevocationCheck.Status.NOT_REVOKED;
            TokenVerifier verifier = new TokenVerifier(List.of(policy), 8192, clock, check);
            long now = clock.epochSecond();
            // POST /v1/revocations {"scope":"kid","value":"2026-05","reason":"key_compromise"}
            store.apply(StoreBatch.of("t", List.of(new RevocationEvent(UUID.randomUUID().toString(),
                    RevocationEvent.Type.REVOKE, new RuleKey(RevocationScope.KID, ISSUER, "2026-05"), now, now + 3600,
                    "key_compromise", "ops")), Map.of(0, 1L), now));

            Map<String, Object> claims = Tokens.validClaims(ISSUER, "api", now);
            assertThat(verifier.verify(Tokens.mint(stolen, "2026-05", claims)).isAccepted()).isFalse();
            VerificationOutcome other = verifier.verify(Tokens.mint(stolen, "sig-2026-05", claims));
            assertThat(other.isAccepted())
                    .as("a token signed with the revoked key material, naming its other kid: %s", other)
                    .isFalse();
        }
    }
}
