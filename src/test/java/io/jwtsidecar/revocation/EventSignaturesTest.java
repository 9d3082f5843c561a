package io.jwtsidecar.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jsonwebtoken.Jwts;
import io.jwtsidecar.revocation.EventCodec.MalformedEventException;
import io.jwtsidecar.testing.PublisherKeys;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeyLoader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Event signatures: what {@link EventSigner} writes verifies with jjwt (an independent JOSE
 * implementation) and what jjwt signs the same way is accepted; everything else a writer to the
 * topic could try is refused with a reason starting "signature: ".
 */
class EventSignaturesTest {
    private static final String TOPIC = "jwt-revocations";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final PublisherKeys ED = PublisherKeys.ed25519("ops-ed");
    private static final PublisherKeys EC = PublisherKeys.es256("ops-ec");
    private static final PublisherKeys STRANGER = PublisherKeys.ed25519("ops-ed");
    private static final byte[] KEY = new RuleKey(RevocationScope.SUB, "https://idp", "alice").toBytes();
    private static final byte[] VALUE = "{\"v\":1}".getBytes(StandardCharsets.UTF_8);

    private static PublisherKey trusted(PublisherKeys k, boolean retired) {
        return new PublisherKey(k.kid(), StaticKeyLoader.pem(k.kid(), JwsAlgorithm.valueOf(k.alg()), k.publicPem()),
                retired ? PublisherKey.Trust.RETIRED : PublisherKey.Trust.CURRENT);
    }

    private final EventSignatureCheck check = new EventSignatureCheck(List.of(trusted(ED, false), trusted(EC, true)), true);

    static Stream<Arguments> publishers() {
        return Stream.of(Arguments.of(ED), Arguments.of(EC));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishers")
    void a_signature_verifies_with_jjwt_and_binds_topic_key_and_value(PublisherKeys k) throws Exception {
        byte[] jws = k.signer().sign(TOPIC, KEY, VALUE, 1_800_000_000L);

        // jjwt reads the JSON payload as claims; it also checks the signature against the public key.
        var jwt = Jwts.parser().verifyWith(k.pair().getPublic()).build()
                .parseSignedClaims(new String(jws, StandardCharsets.US_ASCII));
        var claims = jwt.getPayload();
        assertThat(jwt.getHeader().getType()).isEqualTo(EventSigner.TYPE);
        assertThat(jwt.getHeader().getKeyId()).isEqualTo(k.kid());
        assertThat(claims.get("topic", String.class)).isEqualTo(TOPIC);
        assertThat(claims.get("key", String.class)).isEqualTo(B64.encodeToString(KEY));
        assertThat(claims.get("sha256", String.class))
                .isEqualTo(B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(VALUE)));
        assertThat(claims.getIssuedAt().toInstant().getEpochSecond()).isEqualTo(1_800_000_000L);
        assertThat(check.check(TOPIC, KEY, VALUE, List.of(jws))).isEqualTo(k.kid());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishers")
    void a_signature_made_by_jjwt_the_same_way_is_accepted(PublisherKeys k) throws Exception {
        String payload = JSON.createObjectNode().put("v", 1).put("topic", TOPIC).put("key", B64.encodeToString(KEY))
                .put("sha256", B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(VALUE))).put("iat", 1)
                .toString();
        String jws = Jwts.builder().header().keyId(k.kid()).type(EventSigner.TYPE).and()
                .content(payload.getBytes(StandardCharsets.UTF_8))
                .signWith(k.pair().getPrivate(), k.alg().equals("EdDSA") ? Jwts.SIG.EdDSA : Jwts.SIG.ES256).compact();

        assertThat(check.check(TOPIC, KEY, VALUE, List.of(jws.getBytes(StandardCharsets.US_ASCII)))).isEqualTo(k.kid());
    }

    @Test
    void without_a_signature_a_record_is_refused_when_signatures_are_required_and_unsigned_otherwise() throws Exception {
        MalformedEventException e = assertThrows(MalformedEventException.class,
                () -> check.check(TOPIC, KEY, VALUE, List.of()));
        assertThat(e.getMessage()).isEqualTo("signature: missing (revocation.requireSignedEvents is on)");

        EventSignatureCheck optional = new EventSignatureCheck(List.of(trusted(ED, false)), false);
        assertThat(optional.check(TOPIC, KEY, VALUE, List.of())).isEqualTo(Provenance.UNSIGNED);
        assertThat(EventSignatureCheck.none().check(TOPIC, KEY, VALUE, List.of(ED.signer().sign(TOPIC, KEY, VALUE, 0))))
                .as("with no keys nothing can be checked").isEqualTo(Provenance.UNSIGNED);
    }

    @Test
    void a_bad_signature_is_refused_even_when_signatures_are_optional() {
        EventSignatureCheck optional = new EventSignatureCheck(List.of(trusted(ED, false)), false);
        byte[] forged = STRANGER.signer().sign(TOPIC, KEY, VALUE, 0);

        assertThrows(MalformedEventException.class, () -> optional.check(TOPIC, KEY, VALUE, List.of(forged)));
    }

    static Stream<Arguments> forgeries() {
        byte[] good = ED.signer().sign(TOPIC, KEY, VALUE, 0);
        String text = new String(good, StandardCharsets.US_ASCII);
        String[] parts = text.split("\\.");
        byte[] otherValue = "{\"v\":2}".getBytes(StandardCharsets.UTF_8);
        byte[] otherKey = new RuleKey(RevocationScope.SUB, "https://idp", "bob").toBytes();
        return Stream.of(
                Arguments.of("signed by a key named like a trusted one", List.of(STRANGER.signer().sign(TOPIC, KEY, VALUE, 0)),
                        KEY, VALUE, TOPIC, "does not verify with publisher key 'ops-ed'"),
                Arguments.of("signed by an unknown key", List.of(PublisherKeys.ed25519("mallory").signer()
                        .sign(TOPIC, KEY, VALUE, 0)), KEY, VALUE, TOPIC, "unknown publisher key 'mallory'"),
                Arguments.of("made for another value", List.of(good), KEY, otherValue, TOPIC, "another record value"),
                Arguments.of("made for another rule key", List.of(good), otherKey, VALUE, TOPIC, "another record key"),
                Arguments.of("made for another topic", List.of(good), KEY, VALUE, "other-topic", "another topic"),
                Arguments.of("two signature headers", List.of(good, good), KEY, VALUE, TOPIC, "2 jwt-sidecar-signature"),
                Arguments.of("not a compact JWS", List.of("abc".getBytes(StandardCharsets.US_ASCII)), KEY, VALUE, TOPIC,
                        "not a compact JWS"),
                Arguments.of("a tampered payload", List.of((parts[0] + "." + B64.encodeToString("{}".getBytes(
                        StandardCharsets.UTF_8)) + "." + parts[2]).getBytes(StandardCharsets.US_ASCII)), KEY, VALUE, TOPIC,
                        "does not verify"),
                Arguments.of("alg none", List.of((B64.encodeToString("{\"alg\":\"none\",\"kid\":\"ops-ed\",\"typ\":\"jwt-sidecar-event+jws\"}"
                        .getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".").getBytes(StandardCharsets.US_ASCII)),
                        KEY, VALUE, TOPIC, "not a compact JWS"),
                Arguments.of("the other key's algorithm named", List.of((B64.encodeToString(
                        "{\"alg\":\"ES256\",\"kid\":\"ops-ed\",\"typ\":\"jwt-sidecar-event+jws\"}".getBytes(StandardCharsets.UTF_8))
                        + "." + parts[1] + "." + parts[2]).getBytes(StandardCharsets.US_ASCII)), KEY, VALUE, TOPIC,
                        "alg is not EdDSA"),
                Arguments.of("another typ", List.of((B64.encodeToString(
                        "{\"alg\":\"EdDSA\",\"kid\":\"ops-ed\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                        + "." + parts[1] + "." + parts[2]).getBytes(StandardCharsets.US_ASCII)), KEY, VALUE, TOPIC,
                        "typ is not"),
                Arguments.of("a header longer than allowed", List.of(new byte[EventSignatureCheck.MAX_SIGNATURE_BYTES + 1]),
                        KEY, VALUE, TOPIC, "longer than"));
    }

    @ParameterizedTest(name = "refused: {0}")
    @MethodSource("forgeries")
    void a_forged_or_misplaced_signature_is_refused_naming_why(String what, List<byte[]> headers, byte[] key,
                                                                byte[] value, String topic, String why) {
        MalformedEventException e = assertThrows(MalformedEventException.class,
                () -> check.check(topic, key, value, headers));

        assertThat(e.getMessage()).startsWith("signature: ").contains(why);
    }

    @Test
    void a_retired_key_still_verifies_but_is_not_a_current_signer() throws Exception {
        assertThat(check.check(TOPIC, KEY, VALUE, List.of(EC.signer().sign(TOPIC, KEY, VALUE, 0)))).isEqualTo("ops-ec");
        assertThat(check.trustOf("ops-ec")).isEqualTo(PublisherKey.Trust.RETIRED);
        assertThat(check.isCurrentSigner("ops-ec")).isFalse();
        assertThat(check.isCurrentSigner("ops-ed")).isTrue();
        assertThat(check.isCurrentSigner("unknown")).isFalse();
    }

    @Test
    void a_signing_key_matches_only_its_own_public_key_and_reads_from_pkcs8_pem() {
        EventSigner signer = new EventSigner("ops-ed", EventKeys.privateKey(ED.privatePem()));

        assertThat(EventKeys.matches(signer, trusted(ED, false).key())).isTrue();
        assertThat(EventKeys.matches(signer, trusted(STRANGER, false).key())).isFalse();
        assertThat(EventKeys.matches(signer, trusted(EC, false).key())).isFalse();
        assertThat(assertThrows(IllegalArgumentException.class, () -> EventKeys.privateKey(ED.publicPem())).getMessage())
                .contains("PRIVATE KEY");
    }
}
