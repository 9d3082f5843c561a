package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.testing.Tokens;
import io.jwtsidecar.token.keys.IssuerKeys;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.KeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The verified-token cache skips parsing and signatures, and nothing else. */
class VerifiedTokenCacheTest {
    private static final String ISS = "https://issuer.example";
    private static final String AUD = "api";

    private final MutableClock clock = MutableClock.atNow();
    private final TestKeys keys = TestKeys.generate(JwsAlgorithm.ES256);
    private final VerificationKey key = new VerificationKey("k1", JwsAlgorithm.ES256, keys.verificationKey());
    private final AtomicReference<IssuerKeys> current = new AtomicReference<>(new IssuerKeys(List.of(key)));
    private final AtomicReference<RevocationCheck.Status> revocation =
            new AtomicReference<>(RevocationCheck.Status.NOT_REVOKED);

    /** A key source the test swaps by hand. */
    private final KeySource swappable = new KeySource() {
        @Override
        public IssuerKeys current() {
            return current.get();
        }

        @Override
        public String describe() {
            return "test";
        }
    };

    private TokenVerifier verifier(long cacheBytes) {
        IssuerPolicy policy = new IssuerPolicy(ISS, swappable, Set.of(JwsAlgorithm.ES256), Set.of(AUD), List.of(), null,
                Duration.ofSeconds(30), Duration.ofHours(1), null);
        return new TokenVerifier(List.of(policy), 8192, clock, (t, skew) -> revocation.get(), cacheBytes);
    }

    private String token() {
        return Tokens.mint(keys, "k1", Tokens.validClaims(ISS, AUD, clock.epochSecond()));
    }

    @Test
    void a_token_seen_before_skips_the_signature_check() {
        TokenVerifier v = verifier(1 << 20);
        String t = token();

        assertThat(v.verify(t).isAccepted()).isTrue();
        assertThat(v.verify(t).isAccepted()).isTrue();

        assertThat(v.signatureChecks()).isEqualTo(1);
        assertThat(v.cacheHits()).isEqualTo(1);
    }

    @Test
    void a_cache_hit_answers_with_the_identity_document_encoded_the_first_time() {
        TokenVerifier v = verifier(1 << 20);
        String t = token();

        byte[] first = v.verify(t).token().identity().bytes();
        byte[] hit = v.verify(new String(t.toCharArray())).token().identity().bytes();

        assertThat(hit).as("the same bytes, not encoded again").isSameAs(first);
    }

    @Test
    void without_a_cache_every_verification_checks_the_signature() {
        TokenVerifier v = verifier(0);
        String t = token();
        v.verify(t);
        v.verify(t);

        assertThat(v.signatureChecks()).isEqualTo(2);
    }

    @Test
    void a_cached_token_still_expires() {
        TokenVerifier v = verifier(1 << 20);
        String t = token();
        assertThat(v.verify(t).isAccepted()).isTrue();

        clock.advance(Duration.ofMinutes(11));

        assertThat(v.verify(t).verdict()).isEqualTo(Verdict.EXPIRED);
    }

    @Test
    void a_cached_token_is_still_checked_for_revocation() {
        TokenVerifier v = verifier(1 << 20);
        String t = token();
        assertThat(v.verify(t).isAccepted()).isTrue();

        revocation.set(RevocationCheck.Status.REVOKED);
        assertThat(v.verify(t).verdict()).isEqualTo(Verdict.REVOKED);
        revocation.set(RevocationCheck.Status.STALE);
        assertThat(v.verify(t).verdict()).isEqualTo(Verdict.REVOCATION_DATA_STALE);
    }

    @Test
    void a_key_set_change_invalidates_cached_tokens() {
        TokenVerifier v = verifier(1 << 20);
        String t = token();
        assertThat(v.verify(t).isAccepted()).isTrue();

        TestKeys other = TestKeys.generate(JwsAlgorithm.ES256);
        current.set(new IssuerKeys(List.of(new VerificationKey("k2", JwsAlgorithm.ES256, other.verificationKey()))));
        assertThat(v.verify(t).verdict()).as("its key is gone").isEqualTo(Verdict.UNKNOWN_KEY);

        current.set(new IssuerKeys(List.of(key)));
        assertThat(v.verify(t).isAccepted()).isTrue();
        assertThat(v.signatureChecks()).as("checked again under the new key set").isEqualTo(2);
    }

    @Test
    void a_token_that_fails_is_not_cached() {
        TokenVerifier v = verifier(1 << 20);
        Map<String, Object> claims = Tokens.validClaims(ISS, "another-api", clock.epochSecond());
        String t = Tokens.mint(keys, "k1", claims);

        assertThat(v.verify(t).verdict()).isEqualTo(Verdict.BAD_AUDIENCE);
        assertThat(v.verify(t).verdict()).isEqualTo(Verdict.BAD_AUDIENCE);
        assertThat(v.cacheHits()).isZero();
        assertThat(v.cachedTokens()).isZero();
    }

    @Test
    void the_cache_stays_within_its_byte_budget() {
        TokenVerifier v = verifier(16 * 1024);
        for (int i = 0; i < 200; i++) {
            assertThat(v.verify(token()).isAccepted()).isTrue();
        }

        // Each entry weighs over 1 KB (token text twice, claims, overhead): at most 16 fit.
        assertThat(v.cachedTokens()).isBetween(1L, 16L);
    }

    @Test
    void a_forged_token_sharing_the_hashed_ending_of_a_cached_one_is_not_a_hit() {
        TokenVerifier v = verifier(1 << 20);
        String good = token();
        assertThat(v.verify(good).isAccepted()).isTrue();
        // Same signature (so the same last 64 characters and hash), different claims.
        String[] parts = good.split("\\.");
        Map<String, Object> claims = Tokens.validClaims(ISS, AUD, clock.epochSecond());
        claims.put("sub", "mallory");
        String forged = parts[0] + "." + io.jwtsidecar.testing.JwsForge.b64(io.jwtsidecar.testing.JwsForge.json(claims))
                + "." + parts[2];

        assertThat(v.verify(forged).verdict()).isEqualTo(Verdict.BAD_SIGNATURE);
        assertThat(v.cacheHits()).isZero();
    }
}
