package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.VerificationKey;
import org.junit.jupiter.api.Test;

class ProofKeysTest {
    private static String publicJwk() throws JOSEException {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        return key.toPublicJWK().toJSONString();
    }

    @Test
    void the_same_jwk_text_is_parsed_once_and_names_the_same_key() throws JOSEException {
        ProofKeys keys = new ProofKeys();
        String jwk = publicJwk();
        VerificationKey first = keys.of(jwk, JwsAlgorithm.ES256);
        assertThat(keys.of(jwk, JwsAlgorithm.ES256)).isSameAs(first);
        assertThat(first.thumbprint()).isEqualTo(VerificationKey.ofPublicJwk(jwk, JwsAlgorithm.ES256).thumbprint());
    }

    @Test
    void the_algorithm_is_part_of_the_key_so_a_cached_key_is_never_used_for_another() throws JOSEException {
        ProofKeys keys = new ProofKeys();
        String jwk = publicJwk();
        assertThat(keys.of(jwk, JwsAlgorithm.ES256).algorithm()).isEqualTo(JwsAlgorithm.ES256);
        assertThatThrownBy(() -> keys.of(jwk, JwsAlgorithm.ES384)).as("a P-256 key for ES384")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_jwk_that_does_not_parse_fails_every_time_and_takes_no_place() {
        ProofKeys keys = new ProofKeys();
        String offCurve = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
                + "\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\"}";
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> keys.of(offCurve, JwsAlgorithm.ES256)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(keys.size()).isZero();
    }

    @Test
    void a_flood_of_distinct_keys_stays_within_the_bound() throws JOSEException {
        ProofKeys keys = new ProofKeys(20);
        for (int i = 0; i < 100; i++) {
            keys.of(publicJwk(), JwsAlgorithm.ES256);
            assertThat(keys.size()).isLessThanOrEqualTo(20);
        }
    }

    @Test
    void padded_copies_of_one_key_cannot_make_the_cache_hold_more_than_its_memory_budget() throws JOSEException {
        // Unknown members are legal in a JWK, and the cache is keyed on the whole text: one client key,
        // padded to what a proof of MAX_PROOF_LENGTH can carry, is a new entry with every new padding.
        String jwk = publicJwk();
        String padding = "A".repeat(6_000);
        ProofKeys keys = new ProofKeys();
        int sent = 3_000;
        for (int i = 0; i < sent; i++) {
            keys.of(jwk.substring(0, jwk.length() - 1) + ",\"pad\":\"" + i + padding + "\"}", JwsAlgorithm.ES256);
        }
        long heldChars = keys.size() * (long) padding.length();
        assertThat(heldChars).as("JWK text held for %d padded copies of one key", sent)
                .isLessThanOrEqualTo((long) ProofKeys.MAX_KEYS * ProofKeys.ENTRY_CHARS);
    }
}
