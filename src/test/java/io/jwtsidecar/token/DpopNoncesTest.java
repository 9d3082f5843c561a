package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwtsidecar.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DpopNoncesTest {
    private static final Duration LIFETIME = Duration.ofSeconds(60);
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final DpopNonces nonces = new DpopNonces(SECRET, LIFETIME, clock);

    @Test
    void the_nonce_changes_each_period_and_holds_in_its_own_and_the_next() {
        String first = nonces.current();
        assertThat(nonces.current()).as("the same within a period").isEqualTo(first);
        assertThat(nonces.isGood(first)).isTrue();

        clock.advance(LIFETIME);
        String second = nonces.current();
        assertThat(second).isNotEqualTo(first);
        assertThat(nonces.isGood(first)).as("the period after").isTrue();
        assertThat(nonces.isGood(second)).isTrue();

        clock.advance(LIFETIME);
        assertThat(nonces.isGood(first)).as("two periods after").isFalse();
        assertThat(nonces.isGood(second)).isTrue();
    }

    @Test
    void a_nonce_from_the_future_or_of_another_secret_or_tampered_is_refused() {
        clock.advance(LIFETIME);
        String next = nonces.current();
        clock.advance(LIFETIME.negated());
        assertThat(nonces.isGood(next)).as("a nonce of the next period").isFalse();

        DpopNonces other = new DpopNonces("fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII), LIFETIME, clock);
        assertThat(nonces.isGood(other.current())).isFalse();

        String good = nonces.current();
        char last = good.charAt(good.length() - 1);
        assertThat(nonces.isGood(good.substring(0, good.length() - 1) + (last == 'A' ? 'B' : 'A'))).isFalse();
        assertThat(nonces.isGood("")).isFalse();
        assertThat(nonces.isGood(good + "A")).isFalse();
    }

    @Test
    void sidecars_with_the_same_secret_make_the_same_nonce_and_random_secrets_differ() {
        assertThat(new DpopNonces(SECRET, LIFETIME, clock).current()).isEqualTo(nonces.current());
        Set<String> random = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            random.add(DpopNonces.withRandomSecret(LIFETIME, clock).current());
        }
        assertThat(random).hasSize(20);
    }

    @Test
    void a_short_secret_or_lifetime_is_refused() {
        assertThatThrownBy(() -> new DpopNonces(new byte[31], LIFETIME, clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> new DpopNonces(SECRET, Duration.ofMillis(999), clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1s");
    }
}
