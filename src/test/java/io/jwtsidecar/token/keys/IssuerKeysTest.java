package io.jwtsidecar.token.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Picking the key for a token: by its kid and nothing else. The verifier never tries another
 * key; only an issuer with a single kid-less key uses that key whatever the token names.
 */
class IssuerKeysTest {

    private static VerificationKey key(String kid, int seed) {
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) seed);
        return new VerificationKey(kid, JwsAlgorithm.HS256, new SecretKeySpec(secret, "HmacSHA256"));
    }

    @Test
    void two_keys_with_the_same_kid_are_refused() {
        assertThatThrownBy(() -> new IssuerKeys(List.of(key("k1", 1), key("k2", 2), key("k1", 3))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two keys share the kid 'k1'");
    }

    @Test
    void several_keys_where_one_lacks_a_kid_are_refused() {
        assertThatThrownBy(() -> new IssuerKeys(List.of(key("k1", 1), key(null, 2))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every key needs a kid");
        assertThatThrownBy(() -> new IssuerKeys(List.of(key(null, 1), key(null, 2))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every key needs a kid");
    }

    @Test
    void a_kid_selects_exactly_its_own_key() {
        VerificationKey k1 = key("k1", 1);
        VerificationKey k2 = key("k2", 2);
        IssuerKeys keys = new IssuerKeys(List.of(k1, k2));

        assertThat(keys.select("k1")).isSameAs(k1);
        assertThat(keys.select("k2")).isSameAs(k2);
    }

    @Test
    void an_unknown_kid_never_falls_back_to_another_key() {
        IssuerKeys keys = new IssuerKeys(List.of(key("k1", 1), key("k2", 2)));

        assertThat(keys.select("k3")).isNull();
        assertThat(keys.select("K1")).isNull();
        assertThat(keys.select("")).isNull();
    }

    @Test
    void a_token_without_a_kid_gets_no_key_when_the_issuer_has_several() {
        IssuerKeys keys = new IssuerKeys(List.of(key("k1", 1), key("k2", 2)));

        assertThat(keys.select(null)).isNull();
    }

    @Test
    void a_single_key_with_a_kid_is_not_used_for_another_kid() {
        VerificationKey k1 = key("k1", 1);
        IssuerKeys keys = new IssuerKeys(List.of(k1));

        assertThat(keys.select("k2")).isNull();
        assertThat(keys.select("k1")).isSameAs(k1);
    }

    @Test
    void a_single_key_with_a_kid_is_used_for_a_token_without_one() {
        VerificationKey k1 = key("k1", 1);

        assertThat(new IssuerKeys(List.of(k1)).select(null)).isSameAs(k1);
    }

    @Test
    void a_single_kid_less_key_is_used_for_any_kid() {
        VerificationKey bare = key(null, 1);
        IssuerKeys keys = new IssuerKeys(List.of(bare));

        assertThat(keys.select(null)).isSameAs(bare);
        assertThat(keys.select("anything")).isSameAs(bare);
        assertThat(keys.select("")).isSameAs(bare);
    }

    @Test
    void no_keys_select_nothing() {
        IssuerKeys keys = new IssuerKeys(List.of());

        assertThat(keys.select(null)).isNull();
        assertThat(keys.select("k1")).isNull();
    }

    @Test
    void all_lists_the_keys_in_configured_order_and_cannot_be_changed() {
        VerificationKey k1 = key("k1", 1);
        VerificationKey k2 = key("k2", 2);
        IssuerKeys keys = new IssuerKeys(List.of(k1, k2));

        assertThat(keys.all()).containsExactly(k1, k2);
        assertThatThrownBy(() -> keys.all().add(k1)).isInstanceOf(UnsupportedOperationException.class);
    }
}
