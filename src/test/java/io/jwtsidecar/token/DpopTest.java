package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DPoP (RFC 9449) as the verifier applies it, with access tokens and proofs made by an independent
 * JOSE library (nimbus-jose-jwt): one row per MUST of §4.3 (checking a proof) and §7 (a protected
 * resource's side), each accepted and refused, then the replay cache and its bound.
 *
 * <p>Server nonces (§9; step 10 of §4.3) for an issuer with {@code dpopNonce: true}: the rows
 * named {@code step_10_*}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DpopTest {
    private static final String ISS = "https://idp.example.com";
    private static final String AUD = "orders";
    private static final String URI = "https://api.example.com/orders/42";
    private static final Duration WINDOW = Duration.ofSeconds(60);

    private final MutableClock clock = MutableClock.atNow();
    private final ECKey issuerKey = ecKey(Curve.P_256, "issuer");
    private final ECKey clientKey = ecKey(Curve.P_256, "client");
    private final ECKey otherClientKey = ecKey(Curve.P_256, "other");
    private final RSAKey rsaClientKey = rsaKey();

    private static final Duration NONCE_LIFETIME = Duration.ofMinutes(5);
    private static final byte[] NONCE_SECRET = "a secret shared by the sidecars of one fleet".getBytes(StandardCharsets.UTF_8);
    private final DpopNonces nonces = new DpopNonces(NONCE_SECRET, NONCE_LIFETIME, clock);

    /** The issuer's tokens are ES256; proofs may be ES256 or PS256 (dpop algorithms). */
    private IssuerPolicy policy(DpopPolicy.Mode mode) {
        return policy(mode, false);
    }

    private IssuerPolicy policy(DpopPolicy.Mode mode, boolean nonce) {
        try {
            VerificationKey key = new VerificationKey("issuer", JwsAlgorithm.ES256, issuerKey.toECPublicKey());
            return new IssuerPolicy(ISS, new StaticKeySource(List.of(key)), Set.of(JwsAlgorithm.ES256), Set.of(AUD),
                    List.of(), null, Duration.ofSeconds(30), Duration.ofHours(24), null,
                    new DpopPolicy(mode, WINDOW, Set.of(JwsAlgorithm.ES256, JwsAlgorithm.PS256), nonce));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private TokenVerifier verifier(DpopPolicy.Mode mode, SeenIds seen) {
        return new TokenVerifier(List.of(policy(mode)), 16 * 1024, clock, RevocationCheck.NONE, 1 << 20, seen);
    }

    private TokenVerifier verifier() {
        return verifier(DpopPolicy.Mode.ALLOWED, new SeenIds(1000, clock));
    }

    /** For an issuer with {@code dpopNonce: true}, its nonces made by {@code nonces}. */
    private TokenVerifier nonceVerifier(DpopNonces nonces) {
        return new TokenVerifier(List.of(policy(DpopPolicy.Mode.ALLOWED, true)), 16 * 1024, clock, RevocationCheck.NONE,
                1 << 20, new SeenIds(1000, clock), nonces);
    }

    private String proofWithNonce(String token, @Nullable Object nonce) {
        Proof proof = new Proof(token);
        proof.claims.claim("nonce", nonce);
        return proof.compact();
    }

    /** An access token bound to {@code jkt} (none when null), signed by the issuer. */
    private String accessToken(@Nullable Object cnf) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(ISS).audience(AUD).subject("alice")
                .expirationTime(new Date((clock.epochSecond() + 600) * 1000));
        if (cnf != null) {
            claims.claim("cnf", cnf);
        }
        return sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("issuer").build(), claims.build(), issuerKey);
    }

    private String boundToken() {
        return accessToken(Map.of("jkt", thumbprint(clientKey)));
    }

    /** A proof as a well-behaved client makes it, which each row then spoils in one way. */
    private final class Proof {
        JWSHeader.Builder header;
        JWTClaimsSet.Builder claims;
        JWK signingKey = clientKey;
        /** A jwk header nimbus would refuse to write (a private key): forged into the header JSON. */
        @Nullable JWK forgedJwk;

        Proof(String accessToken) {
            header = new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("dpop+jwt"))
                    .jwk(clientKey.toPublicJWK());
            claims = new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString()).claim("htm", "GET")
                    .claim("htu", URI).issueTime(new Date(clock.epochSecond() * 1000))
                    .claim("ath", ath(accessToken));
        }

        String compact() {
            if (forgedJwk == null) {
                return sign(header.build(), claims.build(), signingKey);
            }
            try {
                Map<String, Object> h = new LinkedHashMap<>(header.build().toJSONObject());
                h.put("jwk", forgedJwk.toJSONObject());
                String input = Base64URL.encode(JSONObjectUtils.toJSONString(h)) + "."
                        + Base64URL.encode(claims.build().toString());
                return input + "." + signer(signingKey).sign(header.build(), input.getBytes(StandardCharsets.US_ASCII));
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private record Row(String sentence, UnaryOperator<Proof> spoil, @Nullable Verdict expected) {
        @Override
        public String toString() {
            return sentence;
        }
    }

    private static Row accept(String sentence, UnaryOperator<Proof> change) {
        return new Row(sentence, change, null);
    }

    private static Row refuse(String sentence, UnaryOperator<Proof> spoil, Verdict verdict) {
        return new Row(sentence, spoil, verdict);
    }

    Stream<Row> section43() {
        return Stream.of(
                accept("a proof as RFC 9449 §4.2 makes it is accepted", p -> p),
                // step 3: all required claims
                refuse("should fail because the proof has no jti (§4.3 step 3)", p -> {
                    p.claims.jwtID(null);
                    return p;
                }, Verdict.DPOP_PROOF_MISSING_CLAIM),
                refuse("should fail because the proof has no htm (§4.3 step 3)", p -> {
                    p.claims.claim("htm", null);
                    return p;
                }, Verdict.DPOP_PROOF_MISSING_CLAIM),
                refuse("should fail because the proof has no htu (§4.3 step 3)", p -> {
                    p.claims.claim("htu", null);
                    return p;
                }, Verdict.DPOP_PROOF_MISSING_CLAIM),
                refuse("should fail because the proof has no iat (§4.3 step 3)", p -> {
                    p.claims.issueTime(null);
                    return p;
                }, Verdict.DPOP_PROOF_MISSING_CLAIM),
                refuse("should fail because the proof has no ath, which a resource server requires (§4.3 step 3, §7.1)", p -> {
                    p.claims.claim("ath", null);
                    return p;
                }, Verdict.DPOP_PROOF_MISSING_CLAIM),
                refuse("should fail because the proof has no jwk header (§4.3 step 3)", p -> {
                    p.header.jwk(null);
                    return p;
                }, Verdict.DPOP_PROOF_BAD_JWK),
                // step 4: typ
                refuse("should fail because the proof has no typ (§4.3 step 4)", p -> {
                    p.header.type(null);
                    return p;
                }, Verdict.DPOP_PROOF_BAD_TYPE),
                refuse("should fail because typ is JWT, not dpop+jwt (§4.3 step 4)", p -> {
                    p.header.type(JOSEObjectType.JWT);
                    return p;
                }, Verdict.DPOP_PROOF_BAD_TYPE),
                // step 5: alg asymmetric, supported, allowed
                refuse("should fail because alg is symmetric, HS256 (§4.3 step 5)", p -> {
                    OctetSequenceKey secret = octKey();
                    p.header = new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("dpop+jwt"))
                            .jwk(clientKey.toPublicJWK());
                    p.signingKey = secret;
                    return p;
                }, Verdict.DPOP_PROOF_ALG_NOT_ALLOWED),
                refuse("should fail because alg ES384 is not one of the issuer's DPoP algorithms (§4.3 step 5)", p -> {
                    ECKey p384 = ecKey(Curve.P_384, "p384");
                    p.header = new JWSHeader.Builder(JWSAlgorithm.ES384).type(new JOSEObjectType("dpop+jwt"))
                            .jwk(p384.toPublicJWK());
                    p.signingKey = p384;
                    return p;
                }, Verdict.DPOP_PROOF_ALG_NOT_ALLOWED),
                // step 6: signature by the jwk
                refuse("should fail because the proof is signed by another key than its jwk (§4.3 step 6)", p -> {
                    p.signingKey = otherClientKey;
                    return p;
                }, Verdict.DPOP_PROOF_BAD_SIGNATURE),
                // step 7: no private key in jwk
                refuse("should fail because jwk carries the private key d (§4.3 step 7)", p -> {
                    p.forgedJwk = clientKey;
                    return p;
                }, Verdict.DPOP_PROOF_BAD_JWK),
                refuse("should fail because jwk is a symmetric key (§4.3 step 7)", p -> {
                    p.forgedJwk = octKey();
                    return p;
                }, Verdict.DPOP_PROOF_BAD_JWK),
                // step 8: htm
                refuse("should fail because htm is POST for a GET (§4.3 step 8)", p -> {
                    p.claims.claim("htm", "POST");
                    return p;
                }, Verdict.DPOP_PROOF_HTM_MISMATCH),
                refuse("should fail because htm is get: methods are case-sensitive (§4.3 step 8)", p -> {
                    p.claims.claim("htm", "get");
                    return p;
                }, Verdict.DPOP_PROOF_HTM_MISMATCH),
                // step 9: htu without query and fragment
                refuse("should fail because htu names another path (§4.3 step 9)", p -> {
                    p.claims.claim("htu", "https://api.example.com/orders/43");
                    return p;
                }, Verdict.DPOP_PROOF_HTU_MISMATCH),
                refuse("should fail because htu names another host (§4.3 step 9)", p -> {
                    p.claims.claim("htu", "https://evil.example.com/orders/42");
                    return p;
                }, Verdict.DPOP_PROOF_HTU_MISMATCH),
                refuse("should fail because htu is http for an https request (§4.3 step 9)", p -> {
                    p.claims.claim("htu", "http://api.example.com/orders/42");
                    return p;
                }, Verdict.DPOP_PROOF_HTU_MISMATCH),
                accept("htu with a query and a fragment is compared without them (§4.3 step 9)", p -> {
                    p.claims.claim("htu", URI + "?page=2#top");
                    return p;
                }),
                accept("htu with an upper-case host and the default port is the same URI (RFC 3986 §6.2.2, §6.2.3)", p -> {
                    p.claims.claim("htu", "HTTPS://API.example.com:443/orders/42");
                    return p;
                }),
                // step 11: iat within the window
                refuse("should fail because iat is older than the window (§4.3 step 11)", p -> {
                    p.claims.issueTime(new Date((clock.epochSecond() - WINDOW.toSeconds() - 1) * 1000));
                    return p;
                }, Verdict.DPOP_PROOF_IAT_OUT_OF_WINDOW),
                refuse("should fail because iat is further ahead than the window (§4.3 step 11)", p -> {
                    p.claims.issueTime(new Date((clock.epochSecond() + WINDOW.toSeconds() + 1) * 1000));
                    return p;
                }, Verdict.DPOP_PROOF_IAT_OUT_OF_WINDOW),
                accept("iat at the edge of the window is accepted (§4.3 step 11)", p -> {
                    p.claims.issueTime(new Date((clock.epochSecond() - WINDOW.toSeconds()) * 1000));
                    return p;
                }),
                // step 12: ath
                refuse("should fail because ath is the hash of another token (§4.3 step 12)", p -> {
                    p.claims.claim("ath", ath("another.access.token"));
                    return p;
                }, Verdict.DPOP_PROOF_ATH_MISMATCH),
                // step 12: the key the token is bound to
                refuse("should fail because the proof is good but by another key than cnf.jkt names (§4.3 step 12)", p -> {
                    p.header.jwk(otherClientKey.toPublicJWK());
                    p.signingKey = otherClientKey;
                    return p;
                }, Verdict.DPOP_PROOF_KEY_MISMATCH),
                accept("a PS256 proof by an RSA key is accepted when the issuer allows PS256 proofs (§4.3 step 5)", p -> {
                    p.header = new JWSHeader.Builder(JWSAlgorithm.PS256).type(new JOSEObjectType("dpop+jwt"))
                            .jwk(rsaClientKey.toPublicJWK());
                    p.signingKey = rsaClientKey;
                    return p;
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("section43")
    void each_must_of_section_4_3(Row row) {
        boolean rsa = row.sentence().contains("PS256");
        String token = rsa ? accessToken(Map.of("jkt", thumbprint(rsaClientKey))) : boundToken();
        String proof = row.spoil().apply(new Proof(token)).compact();

        VerificationOutcome outcome = verifier().verifyDpop(token, request(List.of(proof)));

        if (row.expected() == null) {
            assertThat(outcome.isAccepted()).as(outcome.toString()).isTrue();
        } else {
            assertThat(outcome.verdict()).as(outcome.toString()).isEqualTo(row.expected());
        }
    }

    @Test
    void step_1_exactly_one_dpop_header() {
        String token = boundToken();
        assertThat(verifier().verifyDpop(token, request(List.of())).verdict()).isEqualTo(Verdict.DPOP_PROOF_MISSING);
        assertThat(verifier().verifyDpop(token, request(List.of(new Proof(token).compact(), new Proof(token).compact())))
                .verdict()).isEqualTo(Verdict.DPOP_PROOF_MULTIPLE);
    }

    @Test
    void step_2_a_well_formed_jws() {
        String token = boundToken();
        assertThat(verifier().verifyDpop(token, request(List.of("not-a-jwt"))).verdict())
                .isEqualTo(Verdict.DPOP_PROOF_MALFORMED);
        assertThat(verifier().verifyDpop(token, request(List.of("a.b.c.d.e"))).verdict())
                .isEqualTo(Verdict.DPOP_PROOF_MALFORMED);
        PlainJWT unsigned = new PlainJWT(new PlainHeader.Builder().type(new JOSEObjectType("dpop+jwt")).build(),
                new Proof(token).claims.build());
        String none = unsigned.serialize();
        assertThat(verifier().verifyDpop(token, request(List.of(none))).verdict())
                .as("alg none with an empty signature: not a JWS with three segments").isEqualTo(Verdict.DPOP_PROOF_MALFORMED);
        assertThat(verifier().verifyDpop(token, request(List.of(none + "c2ln"))).verdict())
                .as("alg none with a leftover signature (§4.3 step 5)").isEqualTo(Verdict.DPOP_PROOF_ALG_NOT_ALLOWED);
    }

    @Test
    void section_7_1_a_bound_token_presented_as_bearer_is_refused() {
        assertThat(verifier().verify(boundToken()).verdict()).isEqualTo(Verdict.DPOP_REQUIRED);
    }

    @Test
    void section_7_1_the_dpop_scheme_with_an_unbound_token_is_refused() {
        String token = accessToken(null);
        assertThat(verifier().verifyDpop(token, request(List.of(new Proof(token).compact()))).verdict())
                .isEqualTo(Verdict.DPOP_TOKEN_NOT_BOUND);
    }

    @Test
    void unbound_bearer_tokens_pass_as_before_unless_the_issuer_requires_dpop() {
        String token = accessToken(null);
        assertThat(verifier().verify(token).isAccepted()).isTrue();
        assertThat(verifier(DpopPolicy.Mode.REQUIRED, new SeenIds(10, clock)).verify(token).verdict())
                .isEqualTo(Verdict.DPOP_REQUIRED);
        String bound = boundToken();
        assertThat(verifier(DpopPolicy.Mode.REQUIRED, new SeenIds(10, clock))
                .verifyDpop(bound, request(List.of(new Proof(bound).compact()))).isAccepted()).isTrue();
    }

    @Test
    void a_binding_other_than_jkt_or_a_certificate_cannot_be_checked_so_it_is_refused() {
        String token = accessToken(Map.of("x5u", "https://keys.example/bound.pem"));
        assertThat(verifier().verify(token).verdict()).isEqualTo(Verdict.CONFIRMATION_UNSUPPORTED);
    }

    @Test
    void introspection_and_revocation_by_token_ignore_the_binding() {
        assertThat(verifier().verifyIgnoringBinding(boundToken()).isAccepted()).isTrue();
        assertThat(verifier().verifyIgnoringRevocation(boundToken()).isAccepted()).isTrue();
    }

    @Test
    void a_cached_token_still_needs_a_proof_on_every_request() {
        TokenVerifier v = verifier();
        String token = boundToken();
        assertThat(v.verifyDpop(token, request(List.of(new Proof(token).compact()))).isAccepted()).isTrue();
        assertThat(v.verifyDpop(token, request(List.of(new Proof(token).compact()))).isAccepted()).isTrue();
        assertThat(v.cacheHits()).isEqualTo(1);
        assertThat(v.verifyDpop(token, request(List.of())).verdict()).isEqualTo(Verdict.DPOP_PROOF_MISSING);
        assertThat(v.verify(token).verdict()).isEqualTo(Verdict.DPOP_REQUIRED);
    }

    @Test
    void section_11_1_a_replayed_proof_is_refused_within_the_window_and_by_its_age_after() {
        TokenVerifier v = verifier();
        String token = boundToken();
        String proof = new Proof(token).compact();
        assertThat(v.verifyDpop(token, request(List.of(proof))).isAccepted()).isTrue();
        assertThat(v.verifyDpop(token, request(List.of(proof))).verdict()).isEqualTo(Verdict.DPOP_PROOF_REPLAYED);
        clock.advance(WINDOW.plusSeconds(1));
        assertThat(v.verifyDpop(token, request(List.of(proof))).verdict()).isEqualTo(Verdict.DPOP_PROOF_IAT_OUT_OF_WINDOW);
    }

    @Test
    void a_refused_proof_takes_no_place_in_the_replay_cache() {
        SeenIds seen = new SeenIds(10, clock);
        TokenVerifier v = verifier(DpopPolicy.Mode.ALLOWED, seen);
        String token = boundToken();
        Proof wrongMethod = new Proof(token);
        wrongMethod.claims.claim("htm", "POST");
        assertThat(v.verifyDpop(token, request(List.of(wrongMethod.compact()))).isAccepted()).isFalse();
        assertThat(seen.size()).isZero();
    }

    @Test
    void step_10_without_a_nonce_the_proof_is_refused_with_use_dpop_nonce_and_the_nonce_to_use() {
        TokenVerifier v = nonceVerifier(nonces);
        String token = boundToken();

        VerificationOutcome first = v.verifyDpop(token, request(List.of(new Proof(token).compact())));

        assertThat(first.verdict()).isEqualTo(Verdict.DPOP_PROOF_NONCE_MISSING);
        assertThat(first.verdict().dpopNonce()).isTrue();
        DpopHints hints = first.dpopHints();
        assertThat(hints).isNotNull();
        assertThat(hints.nonce()).isEqualTo(nonces.current());
        assertThat(hints.algs()).isEqualTo("PS256 ES256");

        VerificationOutcome retried = v.verifyDpop(token, request(List.of(proofWithNonce(token, hints.nonce()))));
        assertThat(retried.isAccepted()).as(retried.toString()).isTrue();
        assertThat(retried.dpopHints()).as("every answer carries the current nonce").isNotNull();
        assertThat(retried.dpopHints().nonce()).isEqualTo(nonces.current());
    }

    @Test
    void step_10_a_nonce_no_sidecar_gave_is_refused() {
        TokenVerifier v = nonceVerifier(nonces);
        String token = boundToken();
        assertThat(v.verifyDpop(token, request(List.of(proofWithNonce(token, "made-up")))).verdict())
                .isEqualTo(Verdict.DPOP_PROOF_NONCE_INVALID);
        assertThat(v.verifyDpop(token, request(List.of(proofWithNonce(token, 42)))).verdict())
                .as("a nonce that is not a string").isEqualTo(Verdict.DPOP_PROOF_NONCE_INVALID);
        DpopNonces otherFleet = new DpopNonces("another fleet's secret, just as long as ours".getBytes(StandardCharsets.UTF_8),
                NONCE_LIFETIME, clock);
        assertThat(v.verifyDpop(token, request(List.of(proofWithNonce(token, otherFleet.current())))).verdict())
                .as("a nonce made with another secret").isEqualTo(Verdict.DPOP_PROOF_NONCE_INVALID);
    }

    @Test
    void step_10_a_nonce_holds_for_one_to_two_lifetimes_and_then_is_refused() {
        TokenVerifier v = nonceVerifier(nonces);
        String token = boundToken();
        String nonce = nonces.current();
        clock.advance(NONCE_LIFETIME);
        assertThat(v.verifyDpop(token, request(List.of(proofWithNonce(token, nonce)))).isAccepted())
                .as("the period after the one it was given in").isTrue();
        clock.advance(NONCE_LIFETIME);
        assertThat(v.verifyDpop(token, request(List.of(proofWithNonce(token, nonce)))).verdict())
                .as("two periods later").isEqualTo(Verdict.DPOP_PROOF_NONCE_INVALID);
    }

    @Test
    void step_10_sidecars_sharing_the_secret_accept_each_others_nonces() {
        DpopNonces otherSidecar = new DpopNonces(NONCE_SECRET, NONCE_LIFETIME, clock);
        String token = boundToken();
        assertThat(nonceVerifier(nonces).verifyDpop(token, request(List.of(proofWithNonce(token, otherSidecar.current()))))
                .isAccepted()).isTrue();
    }

    @Test
    void step_10_a_nonce_is_checked_before_the_replay_cache_so_a_refused_proof_can_be_sent_again_with_one() {
        TokenVerifier v = nonceVerifier(nonces);
        String token = boundToken();
        Proof proof = new Proof(token);
        assertThat(v.verifyDpop(token, request(List.of(proof.compact()))).verdict()).isEqualTo(Verdict.DPOP_PROOF_NONCE_MISSING);
        proof.claims.claim("nonce", nonces.current());
        assertThat(v.verifyDpop(token, request(List.of(proof.compact()))).isAccepted())
                .as("the same jti, now with a nonce: not a replay").isTrue();
    }

    @Test
    void an_issuer_without_nonces_gives_none_and_ignores_a_nonce_claim() {
        String token = boundToken();
        VerificationOutcome outcome = verifier().verifyDpop(token, request(List.of(proofWithNonce(token, "anything"))));
        assertThat(outcome.isAccepted()).isTrue();
        assertThat(outcome.dpopHints()).isNull();
        assertThat(verifier().verify(accessToken(null)).dpopHints()).as("the bearer path").isNull();
    }

    @Test
    void section_7_1_a_refused_proof_names_the_algorithms_accepted() {
        String token = boundToken();
        VerificationOutcome refused = verifier().verifyDpop(token, request(List.of()));
        assertThat(refused.dpopHints()).isNotNull();
        assertThat(refused.dpopHints().algs()).isEqualTo("PS256 ES256");
        assertThat(refused.dpopHints().nonce()).isNull();
    }

    @Test
    void the_replay_cache_stays_within_its_bound_under_a_flood_of_distinct_proofs() {
        int bound = 50;
        SeenIds seen = new SeenIds(bound, clock);
        TokenVerifier v = verifier(DpopPolicy.Mode.ALLOWED, seen);
        String token = boundToken();
        for (int i = 0; i < 5 * bound; i++) {
            assertThat(v.verifyDpop(token, request(List.of(new Proof(token).compact()))).isAccepted()).isTrue();
            assertThat(seen.size()).isLessThanOrEqualTo(bound);
        }
        assertThat(seen.size()).isEqualTo(bound);
        assertThat(seen.evictions()).isEqualTo(4L * bound);
        // The newest ids are still held: a replay of a recent proof is refused.
        String recent = new Proof(token).compact();
        assertThat(v.verifyDpop(token, request(List.of(recent))).isAccepted()).isTrue();
        assertThat(v.verifyDpop(token, request(List.of(recent))).verdict()).isEqualTo(Verdict.DPOP_PROOF_REPLAYED);
    }

    private static DpopProofCheck.Request request(List<String> proofs) {
        return new DpopProofCheck.Request(proofs, "GET", URI + "?page=2");
    }

    private static String sign(JWSHeader header, JWTClaimsSet claims, JWK key) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWSSigner signer(JWK key) throws JOSEException {
        if (key instanceof ECKey ec) {
            return new ECDSASigner(ec);
        } else if (key instanceof RSAKey rsa) {
            return new RSASSASigner(rsa);
        }
        return new MACSigner((OctetSequenceKey) key);
    }

    private static String ath(String accessToken) {
        try {
            return Base64URL.encode(MessageDigest.getInstance("SHA-256")
                    .digest(accessToken.getBytes(StandardCharsets.US_ASCII))).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String thumbprint(JWK key) {
        try {
            return key.computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ECKey ecKey(Curve curve, String kid) {
        try {
            return new ECKeyGenerator(curve).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey rsaKey() {
        try {
            return new RSAKeyGenerator(2048).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static OctetSequenceKey octKey() {
        try {
            return new OctetSequenceKeyGenerator(256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
