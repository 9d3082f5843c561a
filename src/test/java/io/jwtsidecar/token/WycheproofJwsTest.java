package io.jwtsidecar.token;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeyLoader;
import io.jwtsidecar.token.keys.VerificationKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The public Wycheproof JOSE vectors (src/test/resources/wycheproof, Apache License 2.0) run
 * against the verifier and its keys.
 *
 * <p>{@code json_web_signature_test.json}: for every group the key is loaded the way an operator
 * would configure it (the public JWK through {@link StaticKeyLoader#jwks}, an {@code oct} key's
 * secret through {@link StaticKeyLoader#hmac}), and every case's {@code jws} goes through
 * {@link TokenVerifier} and, so that a non-JWT payload cannot hide a signature acceptance,
 * through {@link VerificationKey#verify} on its signing input. The rules:
 * <ul>
 *   <li>No case, valid or invalid, is ever accepted by the verifier (the payloads are not JWT
 *       claims sets, so even the valid ones must fail, for their payload).</li>
 *   <li>A case that is not three canonical base64url segments (split by this test on its own,
 *       not by the production parser) is {@code malformed}; the JSON serialization included.</li>
 *   <li>Otherwise the signature check passes exactly for the valid cases.</li>
 * </ul>
 * The few cases where the project's rules differ from the vector's label are listed in
 * {@link #EXEMPTIONS}, each with its reason and an assertion of its own.
 *
 * <p>{@code json_web_key_test.json} fits {@link StaticKeyLoader#jwks} (every group is a JWKS):
 * keys the vectors call invalid must be refused at load time, valid ones loaded and their
 * signature checked.
 */
class WycheproofJwsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Decoder B64URL = Base64.getUrlDecoder();
    private static final Base64.Encoder B64URL_OUT = Base64.getUrlEncoder().withoutPadding();
    private static final Pattern BASE64URL_ALPHABET = Pattern.compile("[A-Za-z0-9_-]*");
    private static final String ISS = "https://wycheproof.example";
    private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth");

    private final MutableClock clock = MutableClock.atNow();

    // ---- exemptions ------------------------------------------------------------------------------

    /** Why a case is not judged by the plain rule, and what is asserted about it instead. */
    private enum Reason {
        /**
         * The group's key says {@code alg: PS256}, the token is PS384 (RFC 7520 figure 20). A key is
         * bound to one algorithm (RFC 8725 §3.1), so the configured key refuses it; the vector's
         * signature is checked with the same key bound to PS384 instead.
         */
        KEY_BOUND_TO_ANOTHER_ALGORITHM,
        /**
         * Wycheproof accepts a '?' inside a segment; the catalogue requires strict base64url, so
         * here the token is {@code malformed}.
         */
        NON_BASE64URL_CHARACTER_IS_MALFORMED_HERE,
        /**
         * Labelled invalid ("invalidBase64Padding...") but byte-identical to the valid tcId 357: the
         * padding the comment describes is not in the vector (C2SP/wycheproof issue 236). Its
         * signature is sound, exactly as 357's.
         */
        MISLABELLED_COPY_OF_TCID_357,
        /**
         * The signature is sound; what is wrong is the key, published for encryption only
         * ({@code use: enc} or {@code key_ops} without {@code verify}). That belongs to key loading:
         * the assertion is that {@link StaticKeyLoader} refuses the JWK as published.
         */
        KEY_NOT_FOR_SIGNATURES
    }

    private record Exemption(int tcId, String comment, Reason reason) {
    }

    static final Map<Integer, Exemption> EXEMPTIONS = Map.of(
            346, new Exemption(346, "Figure20", Reason.KEY_BOUND_TO_ANOTHER_ALGORITHM),
            350, new Exemption(350, "Figure20", Reason.KEY_BOUND_TO_ANOTHER_ALGORITHM),
            372, new Exemption(372, "InvalidCharacterInsertedInHeader", Reason.NON_BASE64URL_CHARACTER_IS_MALFORMED_HERE),
            373, new Exemption(373, "InvalidCharacterInsertedInPayload", Reason.NON_BASE64URL_CHARACTER_IS_MALFORMED_HERE),
            367, new Exemption(367, "invalidBase64Padding", Reason.MISLABELLED_COPY_OF_TCID_357),
            370, new Exemption(370, "invalidBase64PaddingInPayload", Reason.MISLABELLED_COPY_OF_TCID_357),
            353, new Exemption(353, "rejectWrongUse", Reason.KEY_NOT_FOR_SIGNATURES),
            354, new Exemption(354, "rejectWrongUse", Reason.KEY_NOT_FOR_SIGNATURES),
            355, new Exemption(355, "rejectWrongKeyOps", Reason.KEY_NOT_FOR_SIGNATURES),
            356, new Exemption(356, "rejectWrongKeyOps", Reason.KEY_NOT_FOR_SIGNATURES));

    // ---- the vectors -----------------------------------------------------------------------------

    private static JsonNode vectors(String file) {
        try (InputStream in = WycheproofJwsTest.class.getResourceAsStream("/wycheproof/" + file)) {
            assertThat(in).as("test resource wycheproof/%s", file).isNotNull();
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Stream<JsonNode> each(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }

    private record Case(int tcId, String comment, List<String> flags, String jws, boolean valid) {
        static Case of(JsonNode t) {
            List<String> flags = new ArrayList<>();
            t.path("flags").forEach(f -> flags.add(f.asText()));
            JsonNode jws = t.get("jws");
            return new Case(t.get("tcId").asInt(), t.get("comment").asText(), flags,
                    jws.isTextual() ? jws.textValue() : jws.toString(), "valid".equals(t.get("result").asText()));
        }

        String name() {
            return "tcId " + tcId + " " + comment + (flags.isEmpty() ? "" : " " + flags) + " (" + (valid ? "valid" : "invalid") + ")";
        }
    }

    /**
     * A token split by this test, independently of {@link CompactJws}: exactly three segments,
     * each canonical unpadded base64url (empty allowed, so that an empty payload can be verified).
     */
    private record Compact(String headerJson, byte[] signingInput, byte[] signature) {
        static Optional<Compact> of(String jws) {
            String[] parts = jws.split("\\.", -1);
            if (parts.length != 3) {
                return Optional.empty();
            }
            for (String p : parts) {
                if (!isCanonicalBase64Url(p)) {
                    return Optional.empty();
                }
            }
            return Optional.of(new Compact(new String(B64URL.decode(parts[0]), UTF_8),
                    (parts[0] + "." + parts[1]).getBytes(US_ASCII), B64URL.decode(parts[2])));
        }

        /** The header's algorithm; fails the test when the project does not support it. */
        JwsAlgorithm algorithm() {
            String alg = jsonField(headerJson, "alg");
            return JwsAlgorithm.fromJoseName(alg).orElseThrow(() -> new AssertionError("unsupported alg " + alg));
        }
    }

    private static boolean isCanonicalBase64Url(String s) {
        if (!BASE64URL_ALPHABET.matcher(s).matches() || s.length() % 4 == 1) {
            return false;
        }
        return B64URL_OUT.encodeToString(B64URL.decode(s)).equals(s);
    }

    // ---- keys --------------------------------------------------------------------------------------

    /** The group's public JWK: {@code public}, else {@code private} without its private members. */
    private static ObjectNode publicJwk(JsonNode group) {
        JsonNode source = group.has("public") ? group.get("public") : group.get("private");
        ObjectNode jwk = source.deepCopy();
        if (!"oct".equals(jwk.path("kty").asText())) {
            jwk.remove(PRIVATE_MEMBERS);
        }
        return jwk;
    }

    private static boolean forbidsSignatures(ObjectNode jwk) {
        boolean wrongUse = jwk.has("use") && !"sig".equals(jwk.get("use").asText());
        boolean wrongOps = jwk.has("key_ops")
                && each(jwk.get("key_ops")).noneMatch(op -> "verify".equals(op.asText()));
        return wrongUse || wrongOps;
    }

    /**
     * The key as an operator would configure it. Two adaptations, both visible here: a JWK
     * without {@code alg} gets the algorithm its type and curve imply (the operator sets it in the
     * configuration); the RFC 7520 EC key says {@code ES521}, which is not a JOSE name (RFC 7518
     * calls P-521 ECDSA {@code ES512}), so its {@code alg} is dropped and ES512 configured. A key
     * marked for encryption only is loaded without that marking (see {@link Reason#KEY_NOT_FOR_SIGNATURES}).
     */
    private static VerificationKey groupKey(JsonNode group) {
        ObjectNode jwk = publicJwk(group);
        String kid = jwk.path("kid").asText(null);
        if ("oct".equals(jwk.path("kty").asText())) {
            JwsAlgorithm alg = JwsAlgorithm.fromJoseName(jwk.get("alg").asText()).orElseThrow();
            return StaticKeyLoader.hmac(kid, alg, B64URL.decode(jwk.get("k").asText()));
        }
        if (forbidsSignatures(jwk)) {
            jwk.remove(List.of("use", "key_ops"));
        }
        String alg = jwk.path("alg").asText(null);
        if (alg == null || JwsAlgorithm.fromJoseName(alg).isEmpty()) {
            jwk.remove("alg");
            return boundTo(jwk, impliedAlgorithm(jwk));
        }
        return single(StaticKeyLoader.jwks(jwk.toString(), null));
    }

    private static JwsAlgorithm impliedAlgorithm(ObjectNode jwk) {
        if ("RSA".equals(jwk.path("kty").asText())) {
            return JwsAlgorithm.RS256;
        }
        switch (jwk.path("crv").asText()) {
            case "P-256": return JwsAlgorithm.ES256;
            case "P-384": return JwsAlgorithm.ES384;
            case "P-521": return JwsAlgorithm.ES512;
            default: throw new AssertionError("no algorithm implied by " + jwk);
        }
    }

    /** The same public key, with its own {@code alg} removed, bound to {@code alg}. */
    private static VerificationKey boundTo(ObjectNode jwk, JwsAlgorithm alg) {
        ObjectNode copy = jwk.deepCopy();
        copy.remove("alg");
        return single(StaticKeyLoader.jwks(copy.toString(), alg));
    }

    private static VerificationKey single(List<VerificationKey> keys) {
        assertThat(keys).hasSize(1);
        return keys.get(0);
    }

    private TokenVerifier verifier(VerificationKey key) {
        IssuerPolicy policy = new IssuerPolicy(ISS, new StaticKeySource(List.of(key)), Set.of(key.algorithm()),
                Set.of("wycheproof"), List.of(), null, Duration.ofSeconds(30), Duration.ofHours(1), null);
        return new TokenVerifier(List.of(policy), 64 * 1024, clock, RevocationCheck.NONE);
    }

    // ---- json_web_signature_test.json -------------------------------------------------------------

    @Test
    void the_signature_vectors_are_complete_and_every_exemption_names_an_existing_case() {
        JsonNode root = vectors("json_web_signature_test.json");
        List<Case> cases = each(root.get("testGroups")).flatMap(g -> each(g.get("tests"))).map(Case::of).toList();

        assertThat(cases).hasSize(root.get("numberOfTests").asInt()).hasSize(401);
        for (Exemption e : EXEMPTIONS.values()) {
            assertThat(cases).as("exempted tcId %d", e.tcId())
                    .anySatisfy(c -> {
                        assertThat(c.tcId()).isEqualTo(e.tcId());
                        assertThat(c.comment()).isEqualTo(e.comment());
                    });
        }
    }

    @TestFactory
    Stream<DynamicNode> no_invalid_signature_vector_is_accepted_and_every_valid_signature_verifies() {
        JsonNode root = vectors("json_web_signature_test.json");
        String tcId357 = each(root.get("testGroups")).flatMap(g -> each(g.get("tests")))
                .filter(t -> t.get("tcId").asInt() == 357).findFirst().orElseThrow().get("jws").asText();
        List<JsonNode> groups = each(root.get("testGroups")).toList();
        return Stream.iterate(0, i -> i < groups.size(), i -> i + 1).map(i -> {
            JsonNode group = groups.get(i);
            ObjectNode jwk = publicJwk(group);
            String name = "group " + (i + 1) + ": " + group.get("comment").asText() + " (" + jwk.path("kty").asText()
                    + " " + jwk.path("alg").asText("no alg") + ", kid " + jwk.path("kid").asText("none") + ")";
            List<DynamicTest> tests = each(group.get("tests")).map(Case::of)
                    .map(c -> DynamicTest.dynamicTest(c.name(), () -> checkSignatureCase(group, c, tcId357)))
                    .toList();
            return DynamicContainer.dynamicContainer(name, tests);
        });
    }

    private void checkSignatureCase(JsonNode group, Case c, String tcId357) {
        VerificationKey key = groupKey(group);
        VerificationOutcome outcome = verifier(key).verify(c.jws());
        assertThat(outcome.isAccepted()).as("the verifier accepted %s", c.name()).isFalse();
        if (c.flags().contains("JsonSerialization") || c.jws().startsWith("{")) {
            // The vector's JSON serialization lacks its closing "]}"; a complete, validly signed one
            // is in SecurityCatalogueTest.
            assertThat(c.jws()).startsWith("{\"payload\":");
            assertThat(outcome.verdict()).as("JSON serialization: %s", outcome.detail()).isEqualTo(Verdict.MALFORMED);
        }

        Exemption exemption = EXEMPTIONS.get(c.tcId());
        Optional<Compact> compact = Compact.of(c.jws());
        if (exemption != null) {
            checkExemption(exemption.reason(), group, c, key, outcome, compact, tcId357);
            return;
        }
        if (compact.isEmpty()) {
            assertThat(c.valid()).as("a valid case that is not three canonical base64url segments").isFalse();
            assertThat(outcome.verdict()).as(outcome.detail())
                    .isEqualTo(c.jws().isEmpty() ? Verdict.MISSING_TOKEN : Verdict.MALFORMED);
            return;
        }
        if (c.valid()) {
            assertThat(compact.get().algorithm()).as("a valid case's algorithm is one the project supports").isNotNull();
        }
        assertThat(key.verify(compact.get().signingInput(), compact.get().signature()))
                .as("%s checked with %s", c.name(), key)
                .isEqualTo(c.valid());
    }

    private static void checkExemption(Reason reason, JsonNode group, Case c, VerificationKey key,
                                       VerificationOutcome outcome, Optional<Compact> compact, String tcId357) {
        switch (reason) {
            case KEY_BOUND_TO_ANOTHER_ALGORITHM: {
                Compact jws = compact.orElseThrow();
                JwsAlgorithm headerAlg = jws.algorithm();
                assertThat(headerAlg).isNotEqualTo(key.algorithm());
                assertThat(key.verify(jws.signingInput(), jws.signature()))
                        .as("a %s-bound key checks a %s token", key.algorithm(), headerAlg).isFalse();
                assertThat(boundTo(publicJwk(group), headerAlg).verify(jws.signingInput(), jws.signature()))
                        .as("the vector's %s signature, checked with the same key bound to %s", headerAlg, headerAlg)
                        .isTrue();
                break;
            }
            case NON_BASE64URL_CHARACTER_IS_MALFORMED_HERE:
                assertThat(c.valid()).isTrue();
                assertThat(compact).isEmpty();
                assertThat(outcome.verdict()).as(outcome.detail()).isEqualTo(Verdict.MALFORMED);
                break;
            case MISLABELLED_COPY_OF_TCID_357: {
                assertThat(c.jws()).isEqualTo(tcId357);
                Compact jws = compact.orElseThrow();
                assertThat(key.verify(jws.signingInput(), jws.signature())).isTrue();
                break;
            }
            case KEY_NOT_FOR_SIGNATURES: {
                ObjectNode published = publicJwk(group);
                assertThat(forbidsSignatures(published)).as("the published JWK %s", published).isTrue();
                JwsAlgorithm alg = compact.orElseThrow().algorithm();
                assertThrows(IllegalArgumentException.class, () -> StaticKeyLoader.jwks(published.toString(), alg),
                        () -> c.name() + ": StaticKeyLoader loaded, for " + alg + " signatures, a JWK published for"
                                + " encryption only: " + published);
                break;
            }
            default:
                throw new AssertionError(reason);
        }
    }

    // ---- json_web_key_test.json -------------------------------------------------------------------

    /**
     * Key-file cases whose invalidity is the signature, not the keys: the keyset loads and the
     * signature must fail.
     */
    private static final Set<Integer> SIGNATURE_CASES = Set.of(3);

    /**
     * Key-file cases the project does not refuse, each with its reason; the assertion is what the
     * project guarantees instead (and it fails, as a tripwire, once the key is refused).
     * <ul>
     *   <li>1, a keyset mixing an HMAC secret and an EC public key (flagged "Ambiguous"): every key
     *       is bound to its own algorithm and picked by exact kid, so neither can be used for the
     *       other's algorithm; asserted: two keys, HS256 and ES256.</li>
     *   <li>7, an RSA key with the ROCA weakness (CVE-2017-15361): fingerprinting vulnerable
     *       moduli is not among the catalogue's weak-key checks (size, HMAC length, curve);
     *       asserted: it loads, bound to RS256 only.</li>
     * </ul>
     */
    private static final Set<Integer> KEY_EXEMPTIONS = Set.of(1, 7);

    private static List<VerificationKey> loadKeyset(JsonNode group) {
        JsonNode set = group.has("public") ? group.get("public") : group.get("private");
        List<VerificationKey> keys = StaticKeyLoader.jwks(set.toString(), null);
        new StaticKeySource(keys); // what the configuration does next: refuses duplicate kids
        return keys;
    }

    @Test
    void the_key_vectors_are_complete() {
        JsonNode root = vectors("json_web_key_test.json");

        assertThat(each(root.get("testGroups")).flatMap(g -> each(g.get("tests"))).count())
                .isEqualTo(root.get("numberOfTests").asLong()).isEqualTo(26);
    }

    @TestFactory
    Stream<DynamicNode> keys_the_vectors_call_invalid_are_refused_at_load_time_and_valid_ones_verify() {
        JsonNode root = vectors("json_web_key_test.json");
        return each(root.get("testGroups")).flatMap(group -> each(group.get("tests")).map(Case::of).map(c ->
                DynamicTest.dynamicTest("key group " + group.get("comment").asText() + ": " + c.name(),
                        () -> checkKeyCase(group, c))));
    }

    private void checkKeyCase(JsonNode group, Case c) {
        if (KEY_EXEMPTIONS.contains(c.tcId())) {
            List<JwsAlgorithm> expected = c.tcId() == 1 ? List.of(JwsAlgorithm.HS256, JwsAlgorithm.ES256)
                    : List.of(JwsAlgorithm.RS256);
            assertThat(loadKeyset(group)).extracting(VerificationKey::algorithm).containsExactlyElementsOf(expected);
            return;
        }
        if (!c.valid() && !SIGNATURE_CASES.contains(c.tcId())) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> loadKeyset(group),
                    () -> "the keyset of " + c.name() + " was loaded: " + group.get(group.has("public") ? "public" : "private"));
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        List<VerificationKey> keys = loadKeyset(group);
        Compact jws = Compact.of(c.jws()).orElseThrow();
        String kid = jsonField(jws.headerJson(), "kid");
        VerificationKey key = new io.jwtsidecar.token.keys.IssuerKeys(keys).select(kid);
        assertThat(key).as("key for kid %s", kid).isNotNull();
        assertThat(key.verify(jws.signingInput(), jws.signature())).as("%s with %s", c.name(), key).isEqualTo(c.valid());
        assertThat(verifier(key).verify(c.jws()).isAccepted()).isFalse();
    }

    private static String jsonField(String json, String field) {
        try {
            return JSON.readTree(json).path(field).asText(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
