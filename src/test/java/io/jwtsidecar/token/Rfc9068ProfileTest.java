package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.PlainObject;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.MACSigner;
import io.jwtsidecar.app.IssuerPolicies;
import io.jwtsidecar.config.ConfigException;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.testing.MinimalConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code issuers[].profile: rfc9068}, one row per MUST of RFC 9068 that a resource server checks
 * (§2.1 header, §2.2 claims, §4 validation), each with a token made by nimbus-jose-jwt, an
 * independent JOSE library, and the exact verdict. A missing or foreign {@code aud} is
 * {@code bad_audience} (the audience rule runs before the required claims); a claim of the wrong
 * type is {@code malformed}, as for every issuer.
 */
class Rfc9068ProfileTest {
    private static final String ISSUER = "https://as.example";
    private static final String LEGACY = "https://legacy.example";
    private static final String SECRET = "0123456789abcdef0123456789abcdef-at";
    private static final long NOW = 1_800_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String CONFIG = MinimalConfig.KAFKA
            + "issuers:\n"
            + "  - issuer: " + ISSUER + "\n"
            + "    audiences: [https://rs.example]\n"
            + "    profile: rfc9068\n"
            + "    keys:\n"
            + "      - kid: at-1\n"
            + "        alg: HS256\n"
            + "        secret: \"" + SECRET + "\"\n"
            + "  - issuer: " + LEGACY + "\n"
            + "    audiences: [https://rs.example]\n"
            + "    keys:\n"
            + "      - kid: at-1\n"
            + "        alg: HS256\n"
            + "        secret: \"" + SECRET + "\"\n";

    private final TokenVerifier verifier = verifier(CONFIG);

    static Stream<Arguments> rows() {
        return Stream.of(
                row("§2.1/§4: typ at+jwt with every §2.2 claim is accepted", "at+jwt", c -> { }, null),
                row("§4 step 5: typ application/at+jwt is the same type", "application/at+jwt", c -> { }, null),
                row("§2.2: aud may be an array naming the resource", "at+jwt",
                        c -> c.put("aud", List.of("https://other.example", "https://rs.example")), null),
                row("§2.2: optional claims (scope, auth_time, acr) may come too", "at+jwt",
                        c -> { c.put("scope", "orders:read"); c.put("auth_time", NOW - 60); }, null),
                row("§4 step 5: a token without typ is refused", null, c -> { }, Verdict.BAD_TYPE),
                row("§4 step 5: typ JWT (e.g. an ID token) is refused", "JWT", c -> { }, Verdict.BAD_TYPE),
                row("§4 step 5: typ id_token+jwt is refused", "id_token+jwt", c -> { }, Verdict.BAD_TYPE),
                row("§2.2: iss is required", "at+jwt", c -> c.remove("iss"), Verdict.MISSING_CLAIM),
                row("§2.2: exp is required", "at+jwt", c -> c.remove("exp"), Verdict.MISSING_CLAIM),
                row("§2.2: aud is required", "at+jwt", c -> c.remove("aud"), Verdict.BAD_AUDIENCE),
                row("§2.2: sub is required", "at+jwt", c -> c.remove("sub"), Verdict.MISSING_CLAIM),
                row("§2.2: client_id is required", "at+jwt", c -> c.remove("client_id"), Verdict.MISSING_CLAIM),
                row("§2.2: client_id is required, azp does not stand in for it", "at+jwt",
                        c -> { c.remove("client_id"); c.put("azp", "client-1"); }, Verdict.MISSING_CLAIM),
                row("§2.2: iat is required", "at+jwt", c -> c.remove("iat"), Verdict.MISSING_CLAIM),
                row("§2.2: jti is required", "at+jwt", c -> c.remove("jti"), Verdict.MISSING_CLAIM),
                row("§2.2: a null claim is not present", "at+jwt", c -> c.put("jti", null), Verdict.MISSING_CLAIM),
                row("§2.2: iss is a string", "at+jwt", c -> c.put("iss", List.of(ISSUER)), Verdict.MALFORMED),
                row("§2.2: exp is a NumericDate", "at+jwt", c -> c.put("exp", "tomorrow"), Verdict.MALFORMED),
                row("§2.2: iat is a NumericDate", "at+jwt", c -> c.put("iat", true), Verdict.MALFORMED),
                row("§2.2: aud is a string or an array of strings", "at+jwt", c -> c.put("aud", 7), Verdict.BAD_AUDIENCE),
                row("§2.2: sub is a string", "at+jwt", c -> c.put("sub", 42), Verdict.MALFORMED),
                row("§2.2: client_id is a string", "at+jwt", c -> c.put("client_id", List.of("client-1")), Verdict.MALFORMED),
                row("§2.2: jti is a string", "at+jwt", c -> c.put("jti", 1234), Verdict.MALFORMED),
                row("§4 step 2: iss must match exactly (no trailing-slash leniency)", "at+jwt",
                        c -> c.put("iss", ISSUER + "/"), Verdict.UNKNOWN_ISSUER),
                row("§4 step 3: aud must name this resource server", "at+jwt",
                        c -> c.put("aud", "https://other.example"), Verdict.BAD_AUDIENCE),
                row("§4 step 6: an expired token is refused", "at+jwt",
                        c -> { c.put("iat", NOW - 7200); c.put("exp", NOW - 3600); }, Verdict.EXPIRED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void each_rfc9068_rule_gets_its_verdict(String rule, @Nullable String typ, Consumer<Map<String, Object>> change,
                                            @Nullable Verdict expected) throws Exception {
        Map<String, Object> claims = goodClaims();
        change.accept(claims);

        VerificationOutcome outcome = verifier.verify(signed(typ, claims, SECRET));

        assertThat(outcome.verdict()).as(rule + ": " + outcome.detail()).isEqualTo(expected);
    }

    @Test
    void section_4_step_4_a_token_signed_with_another_key_is_refused() throws Exception {
        String token = signed("at+jwt", goodClaims(), "another-secret-0123456789abcdef-0123");

        assertThat(verifier.verify(token).verdict()).isEqualTo(Verdict.BAD_SIGNATURE);
    }

    @Test
    void section_2_1_an_unsecured_token_alg_none_is_refused() throws Exception {
        PlainObject plain = new PlainObject(new PlainHeader.Builder().type(new JOSEObjectType("at+jwt")).build(),
                new Payload(JSON.writeValueAsString(goodClaims())));

        assertThat(verifier.verify(plain.serialize()).isAccepted()).isFalse();
    }

    @Test
    void section_4_step_1_an_encrypted_token_is_refused_as_this_sidecar_decrypts_none() throws Exception {
        JWEObject jwe = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM)
                .contentType("at+jwt").build(), new Payload(signed("at+jwt", goodClaims(), SECRET)));
        jwe.encrypt(new DirectEncrypter(new byte[32]));

        assertThat(verifier.verify(jwe.serialize()).verdict()).isEqualTo(Verdict.MALFORMED);
    }

    @Test
    void an_issuer_without_the_profile_is_unaffected() throws Exception {
        Map<String, Object> claims = goodClaims();
        claims.put("iss", LEGACY);
        claims.remove("jti");
        claims.remove("client_id");

        assertThat(verifier.verify(signed("JWT", claims, SECRET)).isAccepted()).isTrue();
    }

    @Test
    void the_profile_keeps_the_issuers_own_required_claims() {
        TokenVerifier v = verifier(CONFIG.replace("    profile: rfc9068\n", "    profile: rfc9068\n    requiredClaims: [scope]\n"));

        assertThat(v.policy(ISSUER).orElseThrow().requiredClaims())
                .containsExactly("scope", "iss", "exp", "aud", "sub", "client_id", "iat", "jti");
        assertThat(v.policy(ISSUER).orElseThrow().expectedType()).isEqualTo("at+jwt");
    }

    @Test
    void an_unknown_profile_is_a_configuration_error() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> verifier(CONFIG.replace("profile: rfc9068", "profile: rfc9069")));

        assertThat(e.getMessage()).contains("issuers[0].profile: 'rfc9069' is not a profile");
    }

    @Test
    void a_type_that_contradicts_the_profile_is_a_configuration_error() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> verifier(CONFIG.replace("    profile: rfc9068\n", "    profile: rfc9068\n    type: JWT\n")));

        assertThat(e.getMessage()).contains("issuers[0].type: 'JWT' contradicts profile rfc9068");
    }

    private static Arguments row(String rule, @Nullable String typ, Consumer<Map<String, Object>> change,
                                 @Nullable Verdict expected) {
        return Arguments.of(rule, typ, change, expected);
    }

    private static Map<String, Object> goodClaims() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", ISSUER);
        c.put("exp", NOW + 300);
        c.put("aud", "https://rs.example");
        c.put("sub", "user-1");
        c.put("client_id", "client-1");
        c.put("iat", NOW - 10);
        c.put("jti", "at-0001");
        return c;
    }

    private static String signed(@Nullable String typ, Map<String, Object> claims, String secret)
            throws JOSEException, JsonProcessingException {
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("at-1");
        if (typ != null) {
            header.type(new JOSEObjectType(typ));
        }
        JWSObject jws = new JWSObject(header.build(), new Payload(JSON.writeValueAsString(claims)));
        jws.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jws.serialize();
    }

    private static TokenVerifier verifier(String yaml) {
        SidecarConfig config = new ConfigLoader(Map.of()).parse(yaml, Path.of("."));
        return new TokenVerifier(IssuerPolicies.build(config.issuers(), System::nanoTime), 8192,
                Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC), RevocationCheck.NONE);
    }
}
