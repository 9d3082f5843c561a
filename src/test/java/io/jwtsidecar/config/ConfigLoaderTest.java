package io.jwtsidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;
import io.jwtsidecar.admin.AdminScope;
import io.jwtsidecar.admin.IssuerLimit;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.token.DpopPolicy;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.VerificationKey;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration file, environment overrides and {@code ${…}} variables. A bad configuration
 * is reported in one go: every problem, each naming its key and the offending value, never a
 * secret.
 */
class ConfigLoaderTest {
    private static final String HS_SECRET = "0123456789abcdef0123456789abcdef-hs";

    @TempDir
    Path dir;

    @BeforeEach
    void writeKeyFiles() throws IOException {
        Files.writeString(dir.resolve("rs256.pem"), TestKeys.generate(JwsAlgorithm.RS256).publicPem());
        PublicKey ec = (PublicKey) TestKeys.generate(JwsAlgorithm.ES256).verificationKey();
        PublicKey ed = (PublicKey) TestKeys.generate(JwsAlgorithm.EdDSA).verificationKey();
        Files.createDirectories(dir.resolve("keys"));
        Files.writeString(dir.resolve("keys/jwks.json"), "{\"keys\":["
                + Jwks.json((PublicJwk<?>) Jwks.builder().key(ec).algorithm("ES256").id("ec-1").build()) + ","
                + Jwks.json((PublicJwk<?>) Jwks.builder().key(ed).algorithm("EdDSA").id("ed-1").build()) + "]}");
    }

    private static String minimal(String... extraTopLevelLines) {
        return String.join("\n", extraTopLevelLines) + "\n"
                + "kafka:\n"
                + "  bootstrapServers: broker-1:9092\n"
                + issuers("HS256", HS_SECRET);
    }

    private static String issuers(String alg, String secret) {
        return "issuers:\n"
                + "  - issuer: https://hs.example\n"
                + "    audiences: [orders-api]\n"
                + "    keys:\n"
                + "      - kid: hs-1\n"
                + "        alg: " + alg + "\n"
                + "        secret: \"" + secret + "\"\n";
    }

    private SidecarConfig parse(String yaml) {
        return parse(yaml, Map.of());
    }

    private SidecarConfig parse(String yaml, Map<String, String> env) {
        return new ConfigLoader(env).parse(yaml, dir);
    }

    private List<String> errors(String yaml) {
        return errors(yaml, Map.of());
    }

    private List<String> errors(String yaml, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> parse(yaml, env)).errors();
    }

    private static IssuerSettings issuer(SidecarConfig config, String iss) {
        return config.issuers().stream().filter(p -> p.issuer().equals(iss)).findFirst().orElseThrow();
    }

    /** The issuer's configured keys, as the verifier will select among them. */
    private static io.jwtsidecar.token.keys.IssuerKeys staticKeys(IssuerSettings issuer) {
        return new io.jwtsidecar.token.keys.IssuerKeys(((KeySourceSettings.StaticKeys) issuer.keys()).keys());
    }

    // ---- a complete, valid configuration -----------------------------------------------------

    private static final String COMPLETE = ""
            + "sidecar:\n"
            + "  id: sidecar-a\n"
            + "kafka:\n"
            + "  bootstrapServers: broker-1:9092,broker-2:9092\n"
            + "issuers:\n"
            + "  - issuer: https://hs.example\n"
            + "    audiences: [orders-api]\n"
            + "    keys:\n"
            + "      - kid: hs-1\n"
            + "        alg: HS256\n"
            + "        secret: \"" + HS_SECRET + "\"\n"
            + "  - issuer: https://rs.example\n"
            + "    audiences: [orders-api, billing-api]\n"
            + "    requiredClaims: [scope]\n"
            + "    type: at+jwt\n"
            + "    clockSkew: 10s\n"
            + "    maxTokenLifetime: 1h\n"
            + "    maxTokenAge: 30m\n"
            + "    dpop: required\n"
            + "    dpopProofWindow: 2m\n"
            + "    dpopAlgorithms: [ES256, PS256]\n"
            + "    keys:\n"
            + "      - kid: rs-1\n"
            + "        alg: RS256\n"
            + "        pemFile: rs256.pem\n"
            + "  - issuer: https://jwks.example\n"
            + "    audiences: orders-api\n"
            + "    keys:\n"
            + "      - jwksFile: keys/jwks.json\n";

    @Test
    void a_complete_configuration_loads_with_its_values_and_the_defaults() {
        SidecarConfig c = parse(COMPLETE);

        assertThat(c.sidecarId()).isEqualTo("sidecar-a");
        assertThat(c.api()).isEqualTo(new SidecarConfig.Listener("127.0.0.1", 8181));
        assertThat(c.admin()).isEqualTo(new SidecarConfig.Listener("127.0.0.1", 8182));
        assertThat(c.adminToken()).as("admin API is off without a token").isEmpty();
        assertThat(c.noopRoute()).as("GET /noop is for load tests only").isFalse();
        assertThat(c.maxTokenBytes()).isEqualTo(8192);
        assertThat(c.kafka().bootstrapServers()).isEqualTo("broker-1:9092,broker-2:9092");
        assertThat(c.kafka().topic()).isEqualTo("jwt-revocations");
        assertThat(c.kafka().consumer()).isEmpty();
        assertThat(c.kafka().producer()).isEmpty();
        assertThat(c.revocation().dataDir()).isEqualTo(dir.resolve("data/revocations"));
        assertThat(c.revocation().bloomExpectedRules()).isEqualTo(1_000_000L);
        assertThat(c.revocation().bloomFalsePositiveRate()).isEqualTo(0.001);
        assertThat(c.issuers()).extracting(IssuerSettings::issuer)
                .containsExactly("https://hs.example", "https://rs.example", "https://jwks.example");
    }

    @Test
    void an_issuer_without_optional_settings_gets_the_defaults() {
        IssuerSettings hs = issuer(parse(COMPLETE), "https://hs.example");

        assertThat(hs.audiences()).containsExactly("orders-api");
        assertThat(hs.algorithms()).as("defaults to the keys' algorithms").containsExactly(JwsAlgorithm.HS256);
        assertThat(hs.requiredClaims()).isEmpty();
        assertThat(hs.expectedType()).isNull();
        assertThat(hs.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(hs.maxTokenLifetime()).isEqualTo(Duration.ofHours(24));
        assertThat(hs.maxTokenAge()).isNull();
        assertThat(hs.dpop()).as("bound tokens need proofs, others are bearer tokens").isEqualTo(DpopPolicy.DEFAULT);
    }

    @Test
    void the_hmac_secret_is_loaded_as_the_utf8_bytes_of_the_configured_text() throws Exception {
        VerificationKey key = staticKeys(issuer(parse(COMPLETE), "https://hs.example")).select("hs-1");
        byte[] input = "a.b".getBytes(StandardCharsets.US_ASCII);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(HS_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));

        assertThat(key.algorithm()).isEqualTo(JwsAlgorithm.HS256);
        assertThat(key.verify(input, mac.doFinal(input))).isTrue();
    }

    @Test
    void an_issuer_with_every_setting_keeps_them_and_its_pem_key_is_read_relative_to_the_base_directory() {
        IssuerSettings rs = issuer(parse(COMPLETE), "https://rs.example");

        assertThat(rs.audiences()).containsExactlyInAnyOrder("orders-api", "billing-api");
        assertThat(rs.algorithms()).containsExactly(JwsAlgorithm.RS256);
        assertThat(rs.requiredClaims()).containsExactly("scope");
        assertThat(rs.expectedType()).isEqualTo("at+jwt");
        assertThat(rs.clockSkew()).isEqualTo(Duration.ofSeconds(10));
        assertThat(rs.maxTokenLifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(rs.maxTokenAge()).isEqualTo(Duration.ofMinutes(30));
        assertThat(rs.dpop()).isEqualTo(new DpopPolicy(DpopPolicy.Mode.REQUIRED, Duration.ofMinutes(2),
                Set.of(JwsAlgorithm.ES256, JwsAlgorithm.PS256)));
        assertThat(staticKeys(rs).select("rs-1").algorithm()).isEqualTo(JwsAlgorithm.RS256);
    }

    @Test
    void dpop_settings_with_a_bad_mode_window_or_a_symmetric_algorithm_are_errors_naming_key_and_value() {
        String yaml = COMPLETE.replace("    dpop: required\n", "    dpop: sometimes\n")
                .replace("dpopProofWindow: 2m", "dpopProofWindow: 1h")
                .replace("dpopAlgorithms: [ES256, PS256]", "dpopAlgorithms: [HS256]");

        assertThat(errors(yaml)).anySatisfy(e -> assertThat(e).contains("issuers[1].dpop", "sometimes"))
                .anySatisfy(e -> assertThat(e).contains("issuers[1].dpopProofWindow"))
                .anySatisfy(e -> assertThat(e).contains("issuers[1].dpopAlgorithms", "HS256"));
    }

    @Test
    void dpop_nonces_are_off_by_default_and_turned_on_per_issuer() {
        assertThat(issuer(parse(COMPLETE), "https://rs.example").dpop().nonce()).isFalse();
        String yaml = COMPLETE.replace("    dpopProofWindow: 2m\n", "    dpopProofWindow: 2m\n    dpopNonce: true\n");
        assertThat(issuer(parse(yaml), "https://rs.example").dpop().nonce()).isTrue();
        assertThat(errors(COMPLETE.replace("    dpopProofWindow: 2m\n", "    dpopProofWindow: 2m\n    dpopNonce: often\n")))
                .anySatisfy(e -> assertThat(e).contains("issuers[1].dpopNonce", "often"));
    }

    @Test
    void the_dpop_replay_cache_and_nonce_settings_have_defaults_and_bad_values_name_key_and_value() throws IOException {
        SidecarConfig.Dpop defaults = parse(COMPLETE).dpop();
        assertThat(defaults.replayCacheSize()).isEqualTo(60_000);
        assertThat(defaults.nonceLifetime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.nonceSecret()).isEmpty();

        Files.writeString(dir.resolve("nonce.secret"), "c2VjcmV0LXNoYXJlZC1ieS10aGUtZmxlZXQtb2Ytc2lkZWNhcnM=\n");
        SidecarConfig.Dpop set = parse("verify:\n  dpopReplayCacheSize: 5000\n  dpopNonceLifetime: 2m\n"
                + "  dpopNonceSecretFile: nonce.secret\n" + COMPLETE).dpop();
        assertThat(set.replayCacheSize()).isEqualTo(5000);
        assertThat(set.nonceLifetime()).isEqualTo(Duration.ofMinutes(2));
        assertThat(set.nonceSecret()).hasValue("c2VjcmV0LXNoYXJlZC1ieS10aGUtZmxlZXQtb2Ytc2lkZWNhcnM=");
        assertThat(set.toString()).doesNotContain("c2VjcmV0");

        assertThat(errors("verify:\n  dpopReplayCacheSize: 10\n" + COMPLETE))
                .anySatisfy(e -> assertThat(e).contains("verify.dpopReplayCacheSize", "10"));
        assertThat(errors("verify:\n  dpopNonceLifetime: 2h\n" + COMPLETE))
                .anySatisfy(e -> assertThat(e).contains("verify.dpopNonceLifetime", "2h"));
        Files.writeString(dir.resolve("short.secret"), "too short\n");
        assertThat(errors("verify:\n  dpopNonceSecretFile: short.secret\n" + COMPLETE))
                .anySatisfy(e -> assertThat(e).contains("verify.dpopNonceSecretFile", "short.secret", "9 characters"));
        assertThat(errors("verify:\n  dpopNonceSecretFile: missing.secret\n" + COMPLETE))
                .anySatisfy(e -> assertThat(e).contains("verify.dpopNonceSecretFile", "no such file"));
    }

    @Test
    void a_jwks_file_yields_every_key_with_its_kid_and_alg() {
        IssuerSettings jwks = issuer(parse(COMPLETE), "https://jwks.example");

        assertThat(staticKeys(jwks).all()).extracting(VerificationKey::kid).containsExactly("ec-1", "ed-1");
        assertThat(jwks.algorithms()).containsExactlyInAnyOrder(JwsAlgorithm.ES256, JwsAlgorithm.EdDSA);
        assertThat(staticKeys(jwks).select("ed-1").algorithm()).isEqualTo(JwsAlgorithm.EdDSA);
    }

    @Test
    void load_reads_a_file_and_resolves_key_files_next_to_it() throws IOException {
        Path file = dir.resolve("sidecar.yaml");
        Files.writeString(file, COMPLETE);

        SidecarConfig c = new ConfigLoader(Map.of()).load(file);

        assertThat(staticKeys(issuer(c, "https://rs.example")).select("rs-1")).isNotNull();
        assertThat(c.revocation().dataDir()).isEqualTo(dir.resolve("data/revocations"));
    }

    @Test
    void a_missing_configuration_file_is_a_configuration_error() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ConfigLoader(Map.of()).load(dir.resolve("nope.yaml")));

        assertThat(e.errors()).singleElement().asString().contains("cannot read configuration file", "nope.yaml");
    }

    // ---- errors: all at once, each naming key and value -------------------------------------

    @Test
    void every_problem_is_reported_at_once() {
        String yaml = "api:\n  port: 70000\n  prot: 8080\n" + issuers("HS256", HS_SECRET);

        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));

        assertThat(e.errors()).containsExactlyInAnyOrder(
                "api.port: must be between 0 and 65535, got '70000'",
                "api.prot: unknown key",
                "kafka.bootstrapServers: required (or set JWT_SIDECAR_KAFKA_BOOTSTRAP_SERVERS)");
        assertThat(e.getMessage()).startsWith("3 configuration error(s)")
                .contains("api.port", "api.prot", "kafka.bootstrapServers");
    }

    @Test
    void a_port_that_is_not_a_number_is_reported_with_its_value() {
        assertThat(errors(minimal("admin:", "  port: eighty")))
                .containsExactly("admin.port: must be a whole number, got 'eighty'");
    }

    @Test
    void unknown_keys_are_reported_at_every_level() {
        String yaml = "apii:\n  port: 1\nverbose: true\nkafka:\n  bootstrapServers: b:9092\n  topik: t\n"
                + issuers("HS256", HS_SECRET).replace("    audiences:", "    audience: x\n    audiences:")
                        .replace("        secret:", "        secrte: x\n        secret:");

        List<String> errors = errors(yaml);

        assertThat(errors).hasSize(5).contains(
                "apii.port: unknown key",
                "verbose: unknown key",
                "kafka.topik: unknown key",
                "issuers[0].audience: unknown key");
        assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("issuers[0].keys[0]: unknown key 'secrte'")
                .contains("secret", "secretBase64", "pemFile", "jwksFile", "kid", "alg"));
    }

    @Test
    void a_short_hmac_secret_is_reported_with_its_path_and_without_echoing_the_secret() {
        String secret = "tooShortSecret";

        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("kafka:\n  bootstrapServers: b:9092\n" + issuers("HS256", secret)));

        assertThat(e.errors()).singleElement().asString()
                .startsWith("issuers[0].keys[0]: ")
                .contains("HS256", secret.length() + " bytes", "at least 32");
        assertThat(e.getMessage()).doesNotContain(secret);
    }

    @Test
    void an_hs512_secret_of_hs256_length_is_refused() {
        assertThat(errors("kafka:\n  bootstrapServers: b:9092\n" + issuers("HS512", HS_SECRET)))
                .singleElement().asString().startsWith("issuers[0].keys[0]: ").contains("at least 64");
    }

    @Test
    void missing_kafka_bootstrap_servers_are_reported() {
        assertThat(errors(issuers("HS256", HS_SECRET)))
                .containsExactly("kafka.bootstrapServers: required (or set JWT_SIDECAR_KAFKA_BOOTSTRAP_SERVERS)");
    }

    @Test
    void empty_kafka_bootstrap_servers_are_reported_like_missing_ones() {
        assertThat(errors("kafka:\n  bootstrapServers: \"\"\n" + issuers("HS256", HS_SECRET)))
                .anySatisfy(m -> assertThat(m).startsWith("kafka.bootstrapServers: "));
    }

    @Test
    void an_admin_token_shorter_than_32_characters_is_refused_without_echoing_it() {
        String token = "letmein-please";

        ConfigException e = assertThrows(ConfigException.class, () -> parse(minimal("admin:", "  token: " + token)));

        assertThat(e.errors()).containsExactly("admin.token: must be at least 32 characters, got 14 (value hidden)");
        assertThat(e.getMessage()).doesNotContain(token);
    }

    @Test
    void a_static_admin_token_with_a_blank_inside_is_refused_as_no_bearer_value_could_carry_it() {
        String spaced = "a".repeat(20) + " " + "b".repeat(20);
        String tabbed = "c".repeat(20) + "\t" + "d".repeat(20);

        ConfigException e = assertThrows(ConfigException.class, () -> parse(minimal("admin:",
                "  token: \"" + spaced + "\"",
                "  credentials:",
                "    - name: ops",
                "      token: \"" + tabbed.replace("\t", "\\t") + "\"",
                "      scopes: [revocations:read]")));

        assertThat(e.errors()).containsExactlyInAnyOrder(
                "admin.token: must not contain spaces or other blanks: a bearer value has none (value hidden)",
                "admin.credentials[0].token: must not contain spaces or other blanks: a bearer value has none (value hidden)");
        assertThat(e.getMessage()).doesNotContain(spaced).doesNotContain(tabbed);
    }

    @Test
    void an_admin_token_of_32_characters_turns_the_admin_api_on() {
        String token = "a".repeat(32);

        assertThat(parse(minimal("admin:", "  token: " + token)).adminToken()).contains(token);
    }

    @Test
    void admin_credentials_and_a_jwt_issuer_load_with_their_scopes_and_turn_the_admin_api_on() {
        String ops = "o".repeat(32);
        String reader = "r".repeat(40);

        SidecarConfig.AdminAccess access = parse(minimal("admin:",
                "  credentials:",
                "    - name: ops",
                "      token: " + ops,
                "      scopes: [revocations:write, revocations:read]",
                "    - name: dashboard",
                "      token: ${READER_TOKEN}",
                "      scopes: [revocations:read]",
                "  jwtIssuer: https://hs.example"), Map.of("READER_TOKEN", reader)).adminAccess();

        assertThat(access.enabled()).isTrue();
        assertThat(access.token()).as("admin.token is optional beside credentials").isEmpty();
        assertThat(access.credentials()).containsExactly(
                new SidecarConfig.AdminCredential("ops", ops, Set.of(AdminScope.REVOCATIONS_WRITE, AdminScope.REVOCATIONS_READ)),
                new SidecarConfig.AdminCredential("dashboard", reader, Set.of(AdminScope.REVOCATIONS_READ)));
        assertThat(access.jwtIssuer()).contains("https://hs.example");
        assertThat(access.toString()).as("secrets stay out of logs").doesNotContain(ops, reader);
    }

    @Test
    void a_jwt_issuer_alone_turns_the_admin_api_on_and_nothing_turns_it_off() {
        assertThat(parse(minimal("admin:", "  jwtIssuer: https://hs.example")).adminAccess().enabled()).isTrue();
        assertThat(parse(minimal()).adminAccess().enabled()).as("no credential of any kind").isFalse();
    }

    @Test
    void every_bad_admin_credential_is_reported_naming_its_entry_and_field_without_echoing_tokens() {
        String shortToken = "short-secret";
        String shared = "s".repeat(32);

        ConfigException e = assertThrows(ConfigException.class, () -> parse(minimal("admin:",
                "  token: " + shared,
                "  credentials:",
                "    - name: a",
                "      token: " + shortToken,
                "      scopes: [revocations:read]",
                "    - name: b",
                "      token: " + "b".repeat(32),
                "      scopes: [revocations:delete]",
                "    - name: a",
                "      token: " + shared,
                "      scopes: []",
                "    - token: " + "c".repeat(32),
                "      scopes: revocations:read",
                "      role: admin",
                "    - just-a-string",
                "  jwtIssuer: https://hs.example/")));

        assertThat(e.errors()).containsExactlyInAnyOrder(
                "admin.credentials[0].token: must be at least 32 characters, got 12 (value hidden)",
                "admin.credentials[1].scopes: 'revocations:delete' is not one of [revocations:write, revocations:read]",
                "admin.credentials[2].name: 'a' is configured twice",
                "admin.credentials[2].token: the same as admin.token (value hidden); every credential needs a token of its own",
                "admin.credentials[2].scopes: at least one of [revocations:write, revocations:read] is required",
                "admin.credentials[3].role: unknown key",
                "admin.credentials[3].name: required",
                "admin.credentials[3].scopes: must be a list, a non-empty subset of [revocations:write, revocations:read]",
                "admin.credentials[4]: must be a mapping with name, token and scopes",
                "admin.jwtIssuer: 'https://hs.example/' is not the issuer of any entry of issuers (exact match)");
        assertThat(e.getMessage()).doesNotContain(shortToken, shared);
    }

    @Test
    void admin_credentials_must_be_a_list() {
        assertThat(errors(minimal("admin:", "  credentials: ops")))
                .containsExactly("admin.credentials: must be a list of {name, token, scopes}");
    }

    /** {@link #minimal} with a second issuer, {@code https://other.example}. */
    private static String twoIssuers(String... extraTopLevelLines) {
        return minimal(extraTopLevelLines)
                + "  - issuer: https://other.example\n"
                + "    audiences: [orders-api]\n"
                + "    keys:\n"
                + "      - kid: hs-2\n"
                + "        alg: HS256\n"
                + "        secret: \"" + HS_SECRET + "-other\"\n";
    }

    @Test
    void a_credential_may_be_limited_to_configured_issuers_and_without_a_limit_reaches_every_issuer() {
        SidecarConfig.AdminAccess access = parse(twoIssuers("admin:",
                "  credentials:",
                "    - name: hs-support",
                "      token: " + "h".repeat(32),
                "      scopes: [revocations:write]",
                "      issuers: [https://hs.example]",
                "    - name: ops",
                "      token: " + "o".repeat(32),
                "      scopes: [revocations:write]")).adminAccess();

        assertThat(access.credentials()).extracting(SidecarConfig.AdminCredential::issuers).containsExactly(
                IssuerLimit.only(List.of("https://hs.example")), IssuerLimit.everyIssuer());
        assertThat(access.credentials().get(0).toString()).contains("issuers=[https://hs.example]");
    }

    @Test
    void a_credential_limited_to_an_issuer_that_is_not_configured_is_an_error_naming_key_and_value() {
        assertThat(errors(twoIssuers("admin:",
                "  credentials:",
                "    - name: typo",
                "      token: " + "t".repeat(32),
                "      scopes: [revocations:write]",
                "      issuers: [https://hs.example, https://hs.example/, https://idp.example.org]",
                "    - name: empty",
                "      token: " + "e".repeat(32),
                "      scopes: [revocations:read]",
                "      issuers: []",
                "    - name: scalar",
                "      token: " + "s".repeat(32),
                "      scopes: [revocations:read]",
                "      issuers: https://hs.example",
                "    - name: not-strings",
                "      token: " + "n".repeat(32),
                "      scopes: [revocations:read]",
                "      issuers: [{issuer: https://hs.example}]")))
                .containsExactlyInAnyOrder(
                        "admin.credentials[0].issuers: 'https://hs.example/' is not the issuer of any entry of issuers "
                                + "(exact match)",
                        "admin.credentials[0].issuers: 'https://idp.example.org' is not the issuer of any entry of "
                                + "issuers (exact match)",
                        "admin.credentials[1].issuers: must be a non-empty list of issuers[].issuer values; leave it out "
                                + "for every issuer",
                        "admin.credentials[2].issuers: must be a non-empty list of issuers[].issuer values; leave it out "
                                + "for every issuer",
                        "admin.credentials[3].issuers: '{\"issuer\":\"https://hs.example\"}' is not an issuer name (a string)");
    }

    @Test
    void the_shutdown_grace_period_is_ten_seconds_by_default_zero_to_five_minutes_and_named_when_wrong() {
        assertThat(parse(minimal()).shutdownGrace()).isEqualTo(java.time.Duration.ofSeconds(10));
        assertThat(parse(minimal("shutdown:", "  gracePeriod: 0s")).shutdownGrace()).isZero();
        assertThat(errors(minimal("shutdown:", "  gracePeriod: 10m")))
                .containsExactly("shutdown.gracePeriod: must be between 0s and 5m, got '10m'");
    }

    @Test
    void a_credential_limited_to_the_admin_jwt_issuer_is_an_error_since_its_rules_govern_admin_credentials() {
        assertThat(errors(twoIssuers("admin:",
                "  jwtIssuer: https://other.example",
                "  credentials:",
                "    - name: admins-support",
                "      token: " + "a".repeat(32),
                "      scopes: [revocations:write]",
                "      issuers: [https://hs.example, https://other.example]")))
                .containsExactly("admin.credentials[0].issuers: 'https://other.example' is admin.jwtIssuer: its rules "
                        + "decide which admin credentials work, so only a credential for every issuer may touch them; "
                        + "leave it out");
    }

    @Test
    void admin_enabled_false_switches_the_admin_api_off_and_leaves_the_rest_of_the_section_unread() {
        // An admin plane's settings: variables, files and keys a service pod does not have.
        String shared = minimal("admin:",
                "  enabled: false",
                "  host: ${ADMIN_HOST}",
                "  port: 8181",
                "  token: ${ADMIN_TOKEN}",
                "  credentials:",
                "    - name: ops",
                "      token: ${OPS_TOKEN}",
                "      scopes: [revocations:write]",
                "      issuers: [https://not-configured.example]",
                "  jwtIssuer: https://not-configured.example",
                "  tlsCertFile: /tls/missing.crt",
                "  tlsKeyFile: /tls/missing.key",
                "  signingKeyFile: /keys/missing.pem",
                "  signingKeyId: nowhere",
                "revocation:",
                "  requireSignedEvents: false");

        SidecarConfig c = parse(shared);

        assertThat(c.adminAccess().enabled()).isFalse();
        assertThat(c.adminAccess().switchedOff()).isTrue();
        assertThat(c.adminTls()).isEmpty();
        assertThat(c.eventSigner()).isEmpty();
        assertThat(parse(minimal("admin:", "  token: " + "a".repeat(32)), Map.of("JWT_SIDECAR_ADMIN_ENABLED", "false"))
                .adminAccess().enabled()).as("switched off from the environment, as the injector does").isFalse();
    }

    @Test
    void admin_enabled_false_still_refuses_unknown_admin_keys_and_its_own_variable() {
        assertThat(errors(minimal("admin:", "  enabled: ${ADMIN_ON}", "  tokn: x")))
                .containsExactlyInAnyOrder("admin.enabled: environment variable ADMIN_ON is not set",
                        "admin.enabled: must be true or false, got ''", "admin.tokn: unknown key");
    }

    @Test
    void admin_enabled_true_needs_a_credential_and_nothing_else_is_a_value() {
        assertThat(errors(minimal("admin:", "  enabled: true")))
                .containsExactly("admin.enabled: 'true' needs admin.token, admin.credentials or admin.jwtIssuer: the "
                        + "admin API has no open mode");
        assertThat(errors(minimal("admin:", "  enabled: yes-please")))
                .containsExactly("admin.enabled: must be true or false, got 'yes-please'");
        assertThat(parse(minimal("admin:", "  enabled: true", "  token: " + "a".repeat(32))).adminAccess().enabled())
                .isTrue();
        assertThat(parse(minimal("admin:", "  token: " + "a".repeat(32))).adminAccess().enabled())
                .as("unset: on with a credential, as before the switch existed").isTrue();
    }

    @Test
    void the_admin_jwt_issuer_comes_from_the_environment_too() {
        SidecarConfig c = parse(minimal(), Map.of("JWT_SIDECAR_ADMIN_JWT_ISSUER", "https://hs.example"));

        assertThat(c.adminAccess().jwtIssuer()).contains("https://hs.example");
    }

    @Test
    void a_configuration_without_issuers_is_refused() {
        assertThat(errors("kafka:\n  bootstrapServers: b:9092\n"))
                .containsExactly("issuers: at least one trusted issuer is required");
    }

    @Test
    void an_issuer_without_audiences_or_keys_is_reported_with_its_index() {
        String yaml = "kafka:\n  bootstrapServers: b:9092\n" + issuers("HS256", HS_SECRET)
                + "  - issuer: https://second.example\n";

        assertThat(errors(yaml)).containsExactlyInAnyOrder(
                "issuers[1].audiences: at least one audience is required",
                "issuers[1].keys: at least one key is required");
    }

    @Test
    void the_same_issuer_twice_is_refused() {
        String yaml = "kafka:\n  bootstrapServers: b:9092\n" + issuers("HS256", HS_SECRET)
                + issuers("HS256", HS_SECRET).replace("issuers:\n", "");

        assertThat(errors(yaml)).containsExactly("issuers[1].issuer: 'https://hs.example' is configured twice");
    }

    @Test
    void an_unreadable_key_file_is_reported_with_its_path() {
        String yaml = "kafka:\n  bootstrapServers: b:9092\n"
                + "issuers:\n  - issuer: i\n    audiences: [a]\n    keys:\n      - alg: RS256\n        pemFile: missing.pem\n";

        assertThat(errors(yaml)).containsExactly("issuers[0].keys[0].pemFile: no such file: " + dir.resolve("missing.pem"));
    }

    // ---- environment ------------------------------------------------------------------------

    @Test
    void environment_overrides_win_over_the_file() {
        String yaml = minimal("api:", "  port: 8080");

        SidecarConfig c = parse(yaml, Map.of(
                "JWT_SIDECAR_API_PORT", "9000",
                "JWT_SIDECAR_KAFKA_BOOTSTRAP_SERVERS", "env-broker:9093"));

        assertThat(c.api().port()).isEqualTo(9000);
        assertThat(c.kafka().bootstrapServers()).isEqualTo("env-broker:9093");
    }

    @Test
    void an_environment_override_supplies_a_key_the_file_does_not_have() {
        String token = "t".repeat(40);

        SidecarConfig c = parse(issuers("HS256", HS_SECRET), Map.of(
                "JWT_SIDECAR_KAFKA_BOOTSTRAP_SERVERS", "env-broker:9093",
                "JWT_SIDECAR_ADMIN_TOKEN", token,
                "JWT_SIDECAR_KAFKA_TOPIC", "revocations-prod"));

        assertThat(c.kafka().bootstrapServers()).isEqualTo("env-broker:9093");
        assertThat(c.adminToken()).contains(token);
        assertThat(c.kafka().topic()).isEqualTo("revocations-prod");
    }

    @Test
    void a_bad_environment_override_is_reported_under_the_key_it_overrides() {
        assertThat(errors(minimal(), Map.of("JWT_SIDECAR_API_PORT", "70000")))
                .containsExactly("api.port: must be between 0 and 65535, got '70000'");
    }

    // ---- the metrics listener ------------------------------------------------------------------

    @Test
    void without_a_metrics_port_there_is_no_metrics_listener() {
        assertThat(parse(minimal()).metrics()).as("no listener beyond the API's /metrics unless asked for").isEmpty();
    }

    @Test
    void a_metrics_listener_binds_loopback_unless_a_host_is_configured() {
        assertThat(parse(minimal("metrics:", "  port: 9464")).metrics())
                .contains(new SidecarConfig.Listener("127.0.0.1", 9464));
        assertThat(parse(minimal("metrics:", "  port: 0")).metrics()).as("0 picks a free port")
                .contains(new SidecarConfig.Listener("127.0.0.1", 0));
    }

    @Test
    void the_metrics_listener_comes_from_the_environment_as_the_injector_sets_it() {
        SidecarConfig c = parse(minimal("metrics:", "  port: 7000"), Map.of(
                "JWT_SIDECAR_METRICS_HOST", "0.0.0.0",
                "JWT_SIDECAR_METRICS_PORT", "8183"));

        assertThat(c.metrics()).contains(new SidecarConfig.Listener("0.0.0.0", 8183));
        assertThat(c.api().host()).as("the API stays on loopback").isEqualTo("127.0.0.1");
    }

    @Test
    void bad_metrics_values_are_reported_together_naming_key_and_value() {
        assertThat(errors(minimal("metrics:", "  host: 0.0.0.0:8183", "  port: 70000")))
                .containsExactlyInAnyOrder(
                        "metrics.host: '0.0.0.0:8183' is not a resolvable address",
                        "metrics.port: must be between 0 and 65535, got '70000'");
        assertThat(errors(minimal("metrics:", "  port: -1"))).containsExactly(
                "metrics.port: must be between 0 and 65535, got '-1'");
        assertThat(errors(minimal(), Map.of("JWT_SIDECAR_METRICS_PORT", "metrics")))
                .containsExactly("metrics.port: must be a whole number, got 'metrics'");
    }

    @Test
    void a_bad_metrics_host_is_refused_even_while_the_listener_is_off() {
        assertThat(errors(minimal("metrics:", "  host: '[::1'"))).containsExactly(
                "metrics.host: '[::1' is not a resolvable address");
    }

    @Test
    void the_metrics_listener_needs_a_port_of_its_own() {
        assertThat(errors(minimal("metrics:", "  port: 8181"))).containsExactly(
                "metrics.port: '8181' is also api.port; the metrics listener needs a port of its own");
        assertThat(errors(minimal("admin:", "  token: " + "t".repeat(40), "metrics:", "  port: 8182")))
                .containsExactly("metrics.port: '8182' is also admin.port; the metrics listener needs a port of its own");
        assertThat(parse(minimal("metrics:", "  port: 8182")).metrics()).as("the admin API is off: its port is free")
                .contains(new SidecarConfig.Listener("127.0.0.1", 8182));
    }

    @Test
    void variables_are_interpolated_with_and_without_defaults() {
        String yaml = "kafka:\n"
                + "  bootstrapServers: ${KAFKA_HOST}:9092\n"
                + "  topic: ${TOPIC:-revocations-dev}\n"
                + "sidecar:\n"
                + "  id: ${POD_NAME:-unnamed}\n"
                + issuers("HS256", "${HS_SECRET}");

        SidecarConfig c = parse(yaml, Map.of("KAFKA_HOST", "broker-7", "POD_NAME", "pod-1", "HS_SECRET", HS_SECRET));

        assertThat(c.kafka().bootstrapServers()).isEqualTo("broker-7:9092");
        assertThat(c.kafka().topic()).as("default when unset").isEqualTo("revocations-dev");
        assertThat(c.sidecarId()).as("value when set").isEqualTo("pod-1");
        assertThat(staticKeys(issuer(c, "https://hs.example")).select("hs-1")).isNotNull();
    }

    @Test
    void a_variable_value_is_inserted_literally() {
        String yaml = minimal("sidecar:", "  id: pre-${ID}-post");

        assertThat(parse(yaml, Map.of("ID", "a$1\\b${X}")).sidecarId()).isEqualTo("pre-a$1\\b${X}-post");
    }

    @Test
    void an_unset_variable_is_reported_with_its_path() {
        String yaml = "kafka:\n  bootstrapServers: ${KAFKA_BOOTSTRAP}\n"
                + issuers("HS256", HS_SECRET).replace("[orders-api]", "[orders-api, \"${SECOND_AUDIENCE}\"]");

        assertThat(errors(yaml)).contains(
                "kafka.bootstrapServers: environment variable KAFKA_BOOTSTRAP is not set",
                "issuers[0].audiences[1]: environment variable SECOND_AUDIENCE is not set");
    }

    @Test
    void an_unset_variable_in_a_secret_is_reported_without_a_value() {
        List<String> errors = errors("kafka:\n  bootstrapServers: b:9092\n" + issuers("HS256", "${HS_SECRET}"));

        assertThat(errors).contains("issuers[0].keys[0].secret: environment variable HS_SECRET is not set");
    }

    // ---- durations --------------------------------------------------------------------------

    @Test
    void durations_are_read_in_short_and_iso_forms() {
        String yaml = minimal().replace("    audiences:", "    clockSkew: 30s\n    maxTokenAge: 5m\n"
                + "    maxTokenLifetime: PT1H\n    audiences:");

        IssuerSettings p = issuer(parse(yaml), "https://hs.example");

        assertThat(p.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.maxTokenAge()).isEqualTo(Duration.ofMinutes(5));
        assertThat(p.maxTokenLifetime()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void a_lifetime_of_ten_years_is_taken_and_one_past_it_is_an_error_naming_key_and_value() {
        assertThat(issuer(parse(minimal().replace("    audiences:", "    maxTokenLifetime: 3650d\n    audiences:")),
                "https://hs.example").maxTokenLifetime()).isEqualTo(Duration.ofDays(3650));

        // Far past it, a revoke's default expiry (time + lifetime + skew, epoch seconds) used to overflow.
        assertThat(errors(minimal().replace("    audiences:", "    maxTokenLifetime: 3651d\n    audiences:")))
                .containsExactly("issuers[0].maxTokenLifetime: must be at most 3650d (ten years), got '3651d'");
    }

    @Test
    void logout_client_id_is_one_id_or_a_list_and_anything_else_is_an_error_naming_the_key() {
        assertThat(issuer(parse(minimal().replace("    audiences:", "    logoutClientId: web\n    audiences:")),
                "https://hs.example").logoutClientIds()).containsExactly("web");
        assertThat(issuer(parse(minimal().replace("    audiences:", "    logoutClientId: [web, mobile]\n    audiences:")),
                "https://hs.example").logoutClientIds()).containsExactly("web", "mobile");
        assertThat(issuer(parse(minimal()), "https://hs.example").logoutClientIds()).isEmpty();

        assertThat(errors(minimal().replace("    audiences:", "    logoutClientId: []\n    audiences:")))
                .containsExactly("issuers[0].logoutClientId: must be a client id or a non-empty list of them");
        assertThat(errors(minimal().replace("    audiences:", "    logoutClientId: {a: b}\n    audiences:")))
                .containsExactly("issuers[0].logoutClientId: must be a client id or a non-empty list of them");
    }

    @Test
    void milliseconds_and_days_are_understood() {
        String yaml = minimal().replace("    audiences:", "    clockSkew: 1500ms\n    maxTokenLifetime: 7d\n    audiences:");

        IssuerSettings p = issuer(parse(yaml), "https://hs.example");

        assertThat(p.clockSkew()).isEqualTo(Duration.ofMillis(1500));
        assertThat(p.maxTokenLifetime()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void a_bad_duration_is_reported_with_its_path_and_value() {
        String yaml = minimal().replace("    audiences:", "    maxTokenLifetime: 1 hour\n    audiences:");

        assertThat(errors(yaml)).singleElement().asString()
                .startsWith("issuers[0].maxTokenLifetime: '1 hour' is not a duration");
    }

    @Test
    void a_clock_skew_over_ten_minutes_is_refused() {
        String yaml = minimal().replace("    audiences:", "    clockSkew: 11m\n    audiences:");

        assertThat(errors(yaml)).containsExactly("issuers[0].clockSkew: must be between 0s and 10m, got '11m'");
    }

    @Test
    void a_duration_too_large_to_represent_is_a_configuration_error() {
        String yaml = minimal().replace("    audiences:", "    maxTokenLifetime: 999999999999999d\n    audiences:");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml));

        assertThat(e).as("an overflowing duration must be reported, not thrown as another exception").isNotNull();
        assertThat(e.errors()).singleElement().asString().startsWith("issuers[0].maxTokenLifetime: '999999999999999d'");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"secret", "secretBase64", "pemFile", "jwksFile"})
    void a_key_source_that_is_not_text_is_a_configuration_error(String source) {
        String yaml = "kafka:\n  bootstrapServers: broker-1:9092\n"
                + "issuers:\n  - issuer: https://hs.example\n    audiences: [orders-api]\n    keys:\n"
                + "      - kid: hs-1\n        alg: HS256\n        " + source + ": [not, text]\n";

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml));

        assertThat(e).as("a list where text belongs must be reported, not thrown as a NullPointerException").isNotNull();
        assertThat(e.errors()).singleElement().asString().contains(source + " must be a text value");
    }

    @Test
    void a_max_token_lifetime_that_is_not_positive_is_refused() {
        for (String lifetime : List.of("0s", "PT-1H")) {
            String yaml = minimal().replace("    audiences:", "    maxTokenLifetime: " + lifetime + "\n    audiences:");

            assertThat(errors(yaml)).as("maxTokenLifetime %s", lifetime)
                    .anySatisfy(m -> assertThat(m).startsWith("issuers[0].maxTokenLifetime: "));
        }
    }

    // ---- Kafka passthrough ------------------------------------------------------------------

    @Test
    void kafka_client_settings_pass_through_flattened_to_dotted_names() {
        String yaml = "kafka:\n"
                + "  bootstrapServers: b:9092\n"
                + "  consumer:\n"
                + "    security: {protocol: SASL_SSL}\n"
                + "    sasl:\n"
                + "      mechanism: SCRAM-SHA-512\n"
                + "    max.poll.records: 100\n"
                + "  producer:\n"
                + "    acks: all\n"
                + "    linger.ms: 5\n"
                + issuers("HS256", HS_SECRET);

        SidecarConfig.Kafka kafka = parse(yaml).kafka();

        assertThat(kafka.consumer()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "max.poll.records", "100"));
        assertThat(kafka.producer()).containsExactlyInAnyOrderEntriesOf(Map.of("acks", "all", "linger.ms", "5"));
    }

    @Test
    void a_passthrough_section_that_is_not_a_mapping_is_reported() {
        String yaml = "kafka:\n  bootstrapServers: b:9092\n  consumer: fast\n" + issuers("HS256", HS_SECRET);

        assertThat(errors(yaml)).containsExactly("kafka.consumer: must be a mapping of Kafka client settings");
    }

    @Test
    void passthrough_settings_that_would_break_the_feed_are_refused_naming_key_value_and_why() {
        String yaml = "kafka:\n"
                + "  bootstrapServers: b:9092\n"
                + "  consumer:\n"
                + "    auto.offset.reset: latest\n"
                + "    isolation.level: read_uncommitted\n"
                + "    group.id: sidecars\n"
                + "  producer:\n"
                + "    acks: 1\n"
                + "    partitioner.class: org.example.RoundRobin\n"
                + issuers("HS256", HS_SECRET);

        assertThat(errors(yaml)).containsExactly(
                "kafka.consumer.auto.offset.reset: 'latest' is not allowed (allowed: earliest): any other reset skips "
                        + "revocations published before the sidecar first read a partition",
                "kafka.consumer.isolation.level: 'read_uncommitted' is not allowed (allowed: read_committed): "
                        + "read_uncommitted applies records of transactions that were later aborted",
                "kafka.consumer.group.id: 'sidecars' is not allowed (the sidecar sets it): every sidecar reads every "
                        + "partition itself; a consumer group would split them",
                "kafka.producer.acks: '1' is not allowed (allowed: all): an acknowledged revocation must be on every "
                        + "in-sync replica",
                "kafka.producer.partitioner.class: 'org.example.RoundRobin' is not allowed (the sidecar sets it): the "
                        + "events of one rule must land on one partition, in order (the default partitioner hashes the "
                        + "rule key)");
    }

    @Test
    void a_fetch_min_bytes_above_one_is_refused_naming_key_and_value() {
        String yaml = "kafka:\n  bootstrapServers: b:9092\n  consumer:\n    fetch.min.bytes: 1024\n" + issuers("HS256", HS_SECRET);

        assertThat(errors(yaml)).containsExactly("kafka.consumer.fetch.min.bytes: '1024' is not allowed (allowed: 1): a "
                + "broker holds a fetch until that much is there, so a lone revocation would wait up to fetch.max.wait.ms");
        assertThat(parse(yaml.replace("1024", "1")).kafka().consumer()).containsEntry("fetch.min.bytes", "1");
    }

    @Test
    void a_fetch_hold_above_20_seconds_or_not_below_the_request_timeout_is_refused_naming_key_and_value() {
        String base = "kafka:\n  bootstrapServers: b:9092\n  consumer:\n";

        assertThat(errors(base + "    fetch.max.wait.ms: 25000\n" + issuers("HS256", HS_SECRET))).containsExactly(
                "kafka.consumer.fetch.max.wait.ms: '25000' is not allowed (allowed: 0 to 20000): a held fetch must come "
                        + "back well within request.timeout.ms (30000 by default); a longer hold saves the brokers little more");
        assertThat(errors(base + "    fetch.max.wait.ms: 15000\n    request.timeout.ms: 15000\n"
                + issuers("HS256", HS_SECRET))).containsExactly(
                "kafka.consumer.fetch.max.wait.ms: '15000' is not allowed (allowed: below "
                        + "kafka.consumer.request.timeout.ms, 15000): a fetch held that long times out whenever the topic is quiet");
        assertThat(parse(base + "    fetch.max.wait.ms: 20000\n" + issuers("HS256", HS_SECRET)).kafka().consumer())
                .as("below the consumer's default request timeout of 30 s").containsEntry("fetch.max.wait.ms", "20000");
        assertThat(parse(base + "    fetch.max.wait.ms: 500\n" + issuers("HS256", HS_SECRET)).kafka().consumer())
                .containsEntry("fetch.max.wait.ms", "500");
    }

    @Test
    void a_request_timeout_not_above_the_default_fetch_hold_is_refused() {
        // fetch.max.wait.ms unset is the sidecar's 10 s, not Kafka's 0.5 s: a request timeout of 5 s
        // makes every held fetch on a quiet topic time out and drop the broker connection.
        String yaml = "kafka:\n  bootstrapServers: b:9092\n  consumer:\n    request.timeout.ms: 5000\n"
                + issuers("HS256", HS_SECRET);

        assertThat(assertThrows(ConfigException.class, () -> parse(yaml)).errors()).hasSize(1)
                .allSatisfy(e -> assertThat(e).contains("request.timeout.ms").contains("fetch.max.wait.ms"));
    }

    @Test
    void passthrough_settings_equal_to_what_the_sidecar_uses_are_accepted() {
        String yaml = "kafka:\n"
                + "  bootstrapServers: b:9092\n"
                + "  consumer:\n"
                + "    auto.offset.reset: earliest\n"
                + "    isolation.level: READ_COMMITTED\n"
                + "  producer:\n"
                + "    acks: -1\n"
                + "    max.in.flight.requests.per.connection: 5\n"
                + issuers("HS256", HS_SECRET);

        assertThat(parse(yaml).kafka().consumer()).containsEntry("auto.offset.reset", "earliest");
    }

    // ---- signed events ------------------------------------------------------------------------

    private static String signed(io.jwtsidecar.testing.PublisherKeys... keys) {
        StringBuilder sb = new StringBuilder("revocation:\n  publisherKeys:\n");
        for (io.jwtsidecar.testing.PublisherKeys k : keys) {
            sb.append(k.publisherKeyEntry(io.jwtsidecar.revocation.PublisherKey.Trust.CURRENT));
        }
        return sb.toString();
    }

    @Test
    void publisher_keys_turn_signed_events_on_and_an_admin_api_needs_the_matching_signing_key() throws IOException {
        io.jwtsidecar.testing.PublisherKeys ops = io.jwtsidecar.testing.PublisherKeys.ed25519("ops-1");
        ops.writeTo(dir);
        String yaml = minimal("admin:\n  token: " + "t".repeat(32) + "\n  signingKeyFile: ops-1-private.pem\n"
                + "  signingKeyId: ops-1", signed(ops));

        SidecarConfig config = parse(yaml);

        assertThat(config.revocation().requireSignedEvents()).isTrue();
        assertThat(config.revocation().publisherKeys()).extracting(k -> k.kid()).containsExactly("ops-1");
        assertThat(config.eventSigner()).hasValueSatisfying(s -> assertThat(s.kid()).isEqualTo("ops-1"));
    }

    @Test
    void without_publisher_keys_events_need_no_signature_and_asking_for_them_is_an_error() {
        assertThat(parse(minimal()).revocation().requireSignedEvents()).isFalse();
        assertThat(errors(minimal("revocation:\n  requireSignedEvents: true"))).containsExactly(
                "revocation.requireSignedEvents: 'true' needs at least one key in revocation.publisherKeys to verify "
                        + "signatures with");
    }

    @Test
    void signed_events_can_be_turned_off_explicitly_while_keys_are_rolled_out() {
        io.jwtsidecar.testing.PublisherKeys ops = io.jwtsidecar.testing.PublisherKeys.ed25519("ops-1");
        String yaml = minimal(signed(ops) + "  requireSignedEvents: false");

        assertThat(parse(yaml).revocation().requireSignedEvents()).isFalse();
    }

    @Test
    void an_admin_api_without_a_signing_key_is_refused_when_events_must_be_signed() {
        io.jwtsidecar.testing.PublisherKeys ops = io.jwtsidecar.testing.PublisherKeys.ed25519("ops-1");

        assertThat(errors(minimal("admin:\n  token: " + "t".repeat(32), signed(ops)))).containsExactly(
                "admin.signingKeyFile: required: revocation.requireSignedEvents is on, and every sidecar would "
                        + "dead-letter the unsigned events this admin API publishes");
    }

    @Test
    void a_signing_key_that_is_not_the_private_half_of_its_publisher_key_is_refused() throws IOException {
        io.jwtsidecar.testing.PublisherKeys ops = io.jwtsidecar.testing.PublisherKeys.ed25519("ops-1");
        io.jwtsidecar.testing.PublisherKeys other = io.jwtsidecar.testing.PublisherKeys.ed25519("other");
        other.writeTo(dir);
        String yaml = minimal("admin:\n  token: " + "t".repeat(32) + "\n  signingKeyFile: other-private.pem\n"
                + "  signingKeyId: ops-1", signed(ops));

        assertThat(errors(yaml)).singleElement().asString()
                .startsWith("admin.signingKeyFile: '" + dir.resolve("other-private.pem") + "' is not the private key of "
                        + "publisher key 'ops-1'");
    }

    @Test
    void every_bad_publisher_key_entry_is_reported_naming_its_entry() {
        String yaml = minimal("revocation:\n  publisherKeys:\n"
                + "    - kid: a\n      alg: RS256\n      pem: x\n"
                + "    - alg: EdDSA\n      pemFile: a.pem\n      pem: y\n"
                + "    - kid: a\n      alg: EdDSA\n      pemFile: missing.pem\n      colour: blue\n");

        assertThat(errors(yaml)).containsExactly(
                "revocation.publisherKeys[0].alg: must be EdDSA or ES256, got 'RS256'",
                "revocation.publisherKeys[1].kid: required",
                "revocation.publisherKeys[1]: give exactly one of pemFile and pem",
                "revocation.publisherKeys[2].colour: unknown key",
                "revocation.publisherKeys[2].kid: 'a' is configured twice");
    }

    @Test
    void a_publisher_key_trust_is_current_retired_or_compromised_and_nothing_else() {
        io.jwtsidecar.testing.PublisherKeys ops = io.jwtsidecar.testing.PublisherKeys.ed25519("ops-1");
        String entry = ops.publisherKeyEntry(io.jwtsidecar.revocation.PublisherKey.Trust.CURRENT);

        for (io.jwtsidecar.revocation.PublisherKey.Trust trust : io.jwtsidecar.revocation.PublisherKey.Trust.values()) {
            String yaml = minimal("revocation:\n  publisherKeys:\n" + ops.publisherKeyEntry(trust));
            assertThat(parse(yaml).revocation().publisherKeys()).singleElement()
                    .satisfies(k -> assertThat(k.trust()).isEqualTo(trust));
        }
        assertThat(errors(minimal("revocation:\n  publisherKeys:\n" + entry + "      trust: Retired\n")))
                .containsExactly("revocation.publisherKeys[0].trust: must be current, retired or compromised, got "
                        + "'Retired'");
    }

    @Test
    void an_admin_api_signs_only_with_a_current_publisher_key_it_names() throws IOException {
        io.jwtsidecar.testing.PublisherKeys ops = io.jwtsidecar.testing.PublisherKeys.ed25519("ops-1");
        ops.writeTo(dir);
        String admin = "admin:\n  token: " + "t".repeat(32) + "\n  signingKeyFile: ops-1-private.pem\n  signingKeyId: ";
        for (io.jwtsidecar.revocation.PublisherKey.Trust trust : List.of(io.jwtsidecar.revocation.PublisherKey.Trust.RETIRED,
                io.jwtsidecar.revocation.PublisherKey.Trust.COMPROMISED)) {
            String yaml = minimal(admin + "ops-1", "revocation:\n  publisherKeys:\n" + ops.publisherKeyEntry(trust));
            assertThat(errors(yaml)).containsExactly("admin.signingKeyId: 'ops-1' is marked "
                    + trust.name().toLowerCase(java.util.Locale.ROOT) + " in revocation.publisherKeys; sign with a current key");
        }
        assertThat(errors(minimal(admin + "ops-9", signed(ops)))).containsExactly(
                "admin.signingKeyId: 'ops-9' is not the kid of any entry of revocation.publisherKeys");
    }

    @Test
    void the_dead_letter_budget_is_at_least_64_kib() {
        assertThat(parse(minimal("revocation:\n  deadLetterMaxBytes: 65536")).revocation().deadLetterMaxBytes())
                .isEqualTo(65_536);
        assertThat(errors(minimal("revocation:\n  deadLetterMaxBytes: 1024"))).containsExactly(
                "revocation.deadLetterMaxBytes: must be between 65536 and 2147483647, got '1024'");
        assertThat(errors(minimal("revocation:\n  deadLetterMaxBytes: lots"))).containsExactly(
                "revocation.deadLetterMaxBytes: must be a whole number, got 'lots'");
    }

    @Test
    void the_partition_count_is_asked_every_third_of_the_staleness_limit_at_most_every_10_seconds() {
        assertThat(parse(minimal("")).revocation().partitionCheckInterval()).as("default maxStaleness 30s")
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(parse(minimal("revocation:\n  maxStaleness: 6s")).revocation().partitionCheckInterval())
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(parse(minimal("revocation:\n  maxStaleness: 5m")).revocation().partitionCheckInterval())
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(parse(minimal("revocation:\n  partitionCheckInterval: 3s")).revocation().partitionCheckInterval())
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void the_end_offsets_are_asked_every_third_of_the_staleness_limit_from_250_ms_to_10_seconds() {
        assertThat(parse(minimal("")).revocation().endCheckInterval()).as("default maxStaleness 30s")
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(parse(minimal("revocation:\n  maxStaleness: 6s")).revocation().endCheckInterval())
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(parse(minimal("revocation:\n  maxStaleness: 600ms")).revocation().endCheckInterval())
                .as("never more than four times a second").isEqualTo(Duration.ofMillis(250));
        assertThat(parse(minimal("revocation:\n  maxStaleness: 5m")).revocation().endCheckInterval())
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(parse(minimal("revocation:\n  endCheckInterval: 500ms")).revocation().endCheckInterval())
                .isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void the_end_and_partition_checks_together_must_fit_in_the_staleness_limit_and_their_error_names_the_values() {
        assertThat(errors(minimal("revocation:\n  maxStaleness: 30s\n  endCheckInterval: 25s"))).containsExactly(
                "revocation.maxStaleness: '30s' is not longer than revocation.endCheckInterval (25s) plus "
                        + "revocation.partitionCheckInterval (10000ms by default): a quiet topic would count as stale "
                        + "between two confirmations; lengthen it or shorten those");
        assertThat(errors(minimal("revocation:\n  maxStaleness: 300ms"))).as("the defaults no longer fit").hasSize(1)
                .allSatisfy(e -> assertThat(e).startsWith("revocation.maxStaleness: '300ms'")
                        .contains("250ms by default", "100ms by default"));
    }

    @Test
    void a_heartbeat_whose_live_window_outlasts_gone_after_is_refused_naming_both() {
        assertThat(errors(minimal("fleet:\n  statusInterval: 20s"))).containsExactly(
                "fleet.goneAfter: '60s' must be longer than three fleet.statusInterval (20s): an idle sidecar must not "
                        + "be forgotten between its heartbeats");
    }

    @Test
    void the_end_check_must_be_shorter_than_the_staleness_limit() {
        assertThat(errors(minimal("revocation:\n  maxStaleness: 5s\n  endCheckInterval: 5s"))).containsExactly(
                "revocation.endCheckInterval: '5s' must be shorter than revocation.maxStaleness (5s): a quiet topic "
                        + "must be confirmed before data counts as stale");
        assertThat(errors(minimal("revocation:\n  endCheckInterval: 0s"))).hasSize(1)
                .allSatisfy(e -> assertThat(e).startsWith("revocation.endCheckInterval: ").contains("'0s'"));
    }

    @Test
    void a_staleness_limit_of_about_a_second_is_refused_or_confirmed_within_it_by_default() {
        // Freshness is confirmed as of the earlier of an end check and the partition count before it,
        // so between two confirmations up to endCheckInterval + partitionCheckInterval (and a round
        // trip) pass on a quiet topic. A default pair that does not fit within maxStaleness makes a
        // quiet topic count as stale again and again although nothing is wrong.
        for (String limit : List.of("1s", "800ms", "1500ms")) {
            String yaml = minimal("revocation:\n  maxStaleness: " + limit);
            SidecarConfig.Revocation r;
            try {
                r = parse(yaml).revocation();
            } catch (ConfigException refused) {
                continue;
            }
            assertThat(r.endCheckInterval().plus(r.partitionCheckInterval()))
                    .as("maxStaleness %s: endCheckInterval %s + partitionCheckInterval %s", limit, r.endCheckInterval(),
                            r.partitionCheckInterval())
                    .isLessThan(r.maxStaleness());
        }
    }

    @Test
    void a_heartbeat_that_leaves_an_idle_sidecar_silent_past_gone_after_is_refused() {
        // An idle sidecar is heard from once a heartbeat; silent for fleet.goneAfter it is dropped from
        // fleet receipts, so a wait for all sidecars completes without it although it is up and has
        // not applied the event. Its three-interval live window must fit within goneAfter.
        assertThatThrownBy(() -> parse(minimal("fleet:\n  statusInterval: 60s\n")))
                .as("heartbeat 60s, goneAfter 60s (default)").isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> parse(minimal("fleet:\n  statusInterval: 10s\n  goneAfter: 15s\n")))
                .as("live window 30s, goneAfter 15s").isInstanceOf(ConfigException.class);
    }

    @Test
    void end_and_partition_checks_that_together_outlast_the_staleness_limit_are_refused() {
        // Each passes "shorter than maxStaleness" alone, but a confirmation is never later than the
        // partition count before it: up to 25s + 10s pass between confirmations on a quiet topic,
        // which then counts as stale every cycle although the feed is healthy.
        assertThatThrownBy(() -> parse(minimal("revocation:\n  maxStaleness: 30s\n  endCheckInterval: 25s")))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> parse(minimal(
                "revocation:\n  maxStaleness: 30s\n  endCheckInterval: 20s\n  partitionCheckInterval: 20s")))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void the_partition_check_must_be_shorter_than_the_staleness_limit() {
        assertThat(errors(minimal("revocation:\n  maxStaleness: 5s\n  partitionCheckInterval: 5s"))).containsExactly(
                "revocation.partitionCheckInterval: '5s' must be shorter than revocation.maxStaleness (5s): new "
                        + "partitions must be found before data counts as stale");
    }

    // ---- the key catalogue ------------------------------------------------------------------

    @Test
    void every_key_has_a_distinct_environment_variable() {
        Map<String, List<String>> byEnvName = new HashMap<>();
        for (ConfigKey key : ConfigKeys.ALL) {
            byEnvName.computeIfAbsent(key.envName(), n -> new ArrayList<>()).add(key.name());
        }

        assertThat(byEnvName).allSatisfy((env, names) -> assertThat(names).as(env).hasSize(1));
        assertThat(byEnvName.keySet()).allSatisfy(env -> assertThat(env).matches("JWT_SIDECAR_[A-Z0-9_]+"));
    }

    @Test
    void environment_names_split_camel_case_words() {
        assertThat(ConfigKeys.KAFKA_BOOTSTRAP.envName()).isEqualTo("JWT_SIDECAR_KAFKA_BOOTSTRAP_SERVERS");
        assertThat(ConfigKeys.MAX_TOKEN_BYTES.envName()).isEqualTo("JWT_SIDECAR_VERIFY_MAX_TOKEN_BYTES");
        assertThat(ConfigKeys.API_PORT.envName()).isEqualTo("JWT_SIDECAR_API_PORT");
    }

    @Test
    void every_key_name_is_unique_and_sectioned() {
        Set<String> names = ConfigKeys.ALL.stream().map(ConfigKey::name).collect(Collectors.toSet());

        assertThat(names).hasSameSizeAs(ConfigKeys.ALL);
        // A section may hold one nested section (signals.ssf.*), no deeper.
        assertThat(names).allSatisfy(n -> assertThat(n).matches("[a-z]+(\\.[a-z]+)?\\.[A-Za-z]+"));
    }

    // ---- remote keys, claim headers, cache ----------------------------------------------------

    private static String remoteIssuer(String... lines) {
        return "kafka:\n  bootstrapServers: broker-1:9092\n"
                + "issuers:\n"
                + "  - issuer: https://idp.example\n"
                + "    audiences: [api]\n"
                + String.join("", java.util.Arrays.stream(lines).map(l -> "    " + l + "\n").toList());
    }

    @Test
    void an_issuer_may_take_its_keys_from_a_jwks_url() {
        IssuerSettings p = issuer(parse(remoteIssuer("algorithms: [RS256, ES256]", "jwksUri: https://idp.example/jwks",
                "jwksRefreshInterval: 10m", "jwksMinRefreshInterval: 1m")), "https://idp.example");

        assertThat(p.keys()).as("data: where to fetch, nothing fetching").isEqualTo(new KeySourceSettings.RemoteJwks(
                Optional.of(URI.create("https://idp.example/jwks")), Duration.ofMinutes(10), Duration.ofMinutes(1),
                Duration.ofSeconds(10)));
        assertThat(p.algorithms()).containsExactlyInAnyOrder(JwsAlgorithm.RS256, JwsAlgorithm.ES256);
    }

    @Test
    void an_issuer_may_discover_its_keys() {
        IssuerSettings p = issuer(parse(remoteIssuer("algorithms: [RS256]", "discovery: true")), "https://idp.example");

        assertThat(p.keys()).isInstanceOf(KeySourceSettings.RemoteJwks.class);
        assertThat(((KeySourceSettings.RemoteJwks) p.keys()).discovery()).isTrue();
    }

    @Test
    void remote_keys_need_explicit_algorithms() {
        assertThat(errors(remoteIssuer("jwksUri: https://idp.example/jwks")))
                .anySatisfy(m -> assertThat(m).startsWith("issuers[0].algorithms: required with jwksUri or discovery"));
    }

    @Test
    void a_plain_http_jwks_url_is_refused_unless_it_is_loopback() {
        assertThat(errors(remoteIssuer("algorithms: [RS256]", "jwksUri: http://idp.example/jwks")))
                .anySatisfy(m -> assertThat(m).startsWith("issuers[0].jwksUri: 'http://idp.example/jwks' must be https"));
        assertThat(parse(remoteIssuer("algorithms: [RS256]", "jwksUri: http://127.0.0.1:9000/jwks")).issuers()).hasSize(1);
    }

    @Test
    void the_jwks_fetch_timeout_must_be_a_duration_longer_than_zero() {
        assertThat(parse(remoteIssuer("algorithms: [RS256]", "jwksUri: https://idp.example/jwks",
                "jwksFetchTimeout: 3s")).issuers()).hasSize(1);
        assertThat(errors(remoteIssuer("algorithms: [RS256]", "jwksUri: https://idp.example/jwks", "jwksFetchTimeout: 0s")))
                .containsExactly("issuers[0].jwksFetchTimeout: must be longer than zero, got '0s'");
        assertThat(errors(remoteIssuer("algorithms: [RS256]", "discovery: true", "jwksFetchTimeout: soon")))
                .singleElement().asString().startsWith("issuers[0].jwksFetchTimeout: 'soon' is not a duration");
    }

    @Test
    void static_and_remote_keys_do_not_mix() {
        assertThat(errors(remoteIssuer("algorithms: [HS256]", "jwksUri: https://idp.example/jwks", "keys:",
                "  - {alg: HS256, secret: \"" + HS_SECRET + "\"}")))
                .anySatisfy(m -> assertThat(m).startsWith("issuers[0].keys: give either keys or jwksUri/discovery"));
    }

    @Test
    void claim_headers_map_header_names_to_claims_and_bad_names_are_reported() {
        SidecarConfig c = parse(minimal("api:", "  claimHeaders:", "    X-User-Email: email", "    X-Tenant: tid"));
        assertThat(c.claimHeaders()).containsExactlyInAnyOrderEntriesOf(Map.of("X-User-Email", "email", "X-Tenant", "tid"));

        assertThat(errors(minimal("api:", "  claimHeaders:", "    \"Bad Header\": email")))
                .containsExactly("api.claimHeaders.Bad Header: 'Bad Header' is not a valid HTTP header name");
    }

    @Test
    void the_verified_token_cache_is_on_by_default_and_can_be_turned_off() {
        assertThat(parse(minimal()).cacheMaxBytes()).isEqualTo(32L * 1024 * 1024);
        assertThat(parse(minimal("verify:", "  cacheMaxBytes: 0")).cacheMaxBytes()).isZero();
    }

    @Test
    void node_level_mode_serves_on_a_socket_only_when_asked_and_fleet_status_is_a_heartbeat_by_default() {
        SidecarConfig plain = parse(minimal());
        assertThat(plain.apiSocket()).isEmpty();
        assertThat(plain.fleet().statusInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(plain.fleet().clientIdleAfter()).isEqualTo(Duration.ofMinutes(5));

        SidecarConfig node = parse(minimal("api:", "  socketPath: /run/jwt-sidecar/api.sock"));
        assertThat(node.apiSocket()).contains(Path.of("/run/jwt-sidecar/api.sock"));
        assertThat(parse(minimal(), Map.of("JWT_SIDECAR_API_SOCKET_PATH", "/run/x/api.sock")).apiSocket())
                .contains(Path.of("/run/x/api.sock"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"relative/api.sock", "/run/jwt-sidecar/", "/run/jwt-sidecar/api\u0001.sock"})
    void a_socket_path_that_is_not_an_absolute_file_path_is_refused_naming_key_and_value(String path) {
        List<String> errors = errors(minimal(), Map.of("JWT_SIDECAR_API_SOCKET_PATH", path));

        assertThat(errors).singleElement().asString().startsWith("api.socketPath: '" + path + "'");
    }

    @Test
    void a_socket_path_longer_than_a_unix_socket_address_holds_is_refused() {
        String path = "/run/" + "d".repeat(100) + "/api.sock";

        assertThat(errors(minimal("api:", "  socketPath: " + path))).singleElement().asString()
                .startsWith("api.socketPath: '" + path + "'").contains("100 bytes");
    }

    @Test
    void a_socket_path_whose_directory_leaves_no_room_for_the_bind_name_is_refused() {
        String fits = "/" + "d".repeat(87) + "/a.sock";
        String tooDeep = "/" + "d".repeat(88) + "/a.sock";

        assertThat(parse(minimal("api:", "  socketPath: " + fits)).apiSocket()).contains(Path.of(fits));
        assertThat(errors(minimal("api:", "  socketPath: " + tooDeep))).singleElement().asString()
                .startsWith("api.socketPath: '" + tooDeep + "'").contains("directory longer than 88 bytes");
    }
}
