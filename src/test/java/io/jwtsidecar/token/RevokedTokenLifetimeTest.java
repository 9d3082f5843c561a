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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A revocation rule outlives every token it revoked (found by an outside review: a rule was
 * forgotten while a token it revoked was still accepted). The rule blocks tokens issued up to
 * {@code at + skew}, which are accepted until {@code exp + skew}: so the admin API keeps a rule until
 * {@code at + lifetime + 2 * skew}, and a token that would live longer than the issuer's lifetime
 * ({@code exp - iat}) is refused whenever it is presented, not only while its exp is far ahead. A
 * token without {@code iat} is trusted to keep the issuer's lifetime (docs/ARCHITECTURE.md).
 */
class RevokedTokenLifetimeTest {
    private static final String ISSUER = "https://idp.example.com";
    private static final Duration SKEW = Duration.ofSeconds(30);
    private static final long LIFETIME = 3600;

    @TempDir
    Path dir;
    private RocksDbRevocationStore store;
    private MutableClock clock;
    private TokenVerifier verifier;
    private TestKeys keys;
    private long t;

    @BeforeEach
    void setUp() {
        store = RocksDbRevocationStore.open(dir.resolve("store"), 1000, 0.001);
        clock = MutableClock.atNow();
        t = clock.epochSecond();
        keys = TestKeys.generate(JwsAlgorithm.HS256);
        IssuerPolicy policy = new IssuerPolicy(ISSUER, new StaticKeySource(List.of(new VerificationKey("k1",
                JwsAlgorithm.HS256, keys.verificationKey()))), Set.of(JwsAlgorithm.HS256), Set.of("api"), List.of(),
                null, SKEW, Duration.ofSeconds(LIFETIME), null);
        RevocationCheck check = (tok, skew) -> store.isRevoked(new TokenFacts(tok.issuer(), tok.jti(), tok.sessionId(),
                tok.subject(), tok.clientId(), tok.keyIds(), tok.keyThumbprint(), tok.issuedAt()), skew)
                ? RevocationCheck.Status.REVOKED : RevocationCheck.Status.NOT_REVOKED;
        verifier = new TokenVerifier(List.of(policy), 8192, clock, check);
        // What POST /v1/revocations {"scope":"sub","value":"alice"} publishes at t: at = t, expiresAt = t + lifetime + 2 skew.
        store.apply(StoreBatch.of("t", List.of(new RevocationEvent(UUID.randomUUID().toString(),
                RevocationEvent.Type.REVOKE, new RuleKey(RevocationScope.SUB, ISSUER, "alice"), t,
                t + LIFETIME + 2 * SKEW.toSeconds(), "logout_all", "ops")), Map.of(0, 1L), t));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private String token(Long iat, long exp) {
        Map<String, Object> claims = Tokens.validClaims(ISSUER, "api", t);
        Tokens.with(claims, "iat", iat);
        Tokens.with(claims, "exp", exp);
        return Tokens.mint(keys, "k1", claims);
    }

    /** The maintenance pass the sidecar runs every sweepInterval, at the clock's now. */
    private void sweepAt(long now) {
        clock.advance(Duration.ofSeconds(now - clock.epochSecond()));
        store.sweepExpired(now);
    }

    @Test
    void a_token_minted_within_the_skew_after_a_revocation_stays_refused_until_it_has_expired() {
        // Minted by an issuer whose clock runs 30 s ahead, in the second of the revocation: the rule blocks it.
        String token = token(t + SKEW.toSeconds(), t + SKEW.toSeconds() + LIFETIME);
        assertThat(verifier.verify(token).verdict()).isEqualTo(Verdict.REVOKED);

        sweepAt(t + LIFETIME + 1);
        assertThat(verifier.verify(token).verdict()).as("a lifetime later the rule is still kept").isEqualTo(Verdict.REVOKED);

        sweepAt(t + LIFETIME + 2 * SKEW.toSeconds() + 1);
        VerificationOutcome later = verifier.verify(token);
        assertThat(later.verdict()).as("once the rule may go, so has the token: %s", later).isEqualTo(Verdict.EXPIRED);
    }

    @Test
    void a_token_living_longer_than_the_issuers_lifetime_is_refused_whenever_it_is_presented() {
        // Issued before the revocation, exp three lifetimes later.
        String token = token(t - 60, t + 3 * LIFETIME);
        assertThat(verifier.verify(token).verdict()).isEqualTo(Verdict.MALFORMED);

        // Still refused once exp is within one lifetime of the clock, by which time the rule is gone.
        sweepAt(t + 2 * LIFETIME + 1);

        VerificationOutcome later = verifier.verify(token);
        assertThat(later.verdict()).as("%s", later).isEqualTo(Verdict.MALFORMED);
        assertThat(later.detail()).isEqualTo("exp is further after iat than the issuer's maxTokenLifetime");
    }
}
