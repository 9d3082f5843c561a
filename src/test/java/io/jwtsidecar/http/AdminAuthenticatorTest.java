package io.jwtsidecar.http;

import io.jwtsidecar.admin.AdminScope;
import io.jwtsidecar.admin.IssuerLimit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.testing.LogCapture;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.testing.Tokens;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Who may call the admin API, over real HTTP on loopback: static tokens with scopes, admin JWTs
 * checked by the sidecar's own verifier, and exactly how each refusal is answered, logged and
 * counted.
 */
class AdminAuthenticatorTest {
    private static final String ADMIN_ISSUER = "https://idp.example.com/realms/admin";
    private static final String OTHER_ISSUER = "https://login.example.net";
    private static final String AUDIENCE = "orders-api";
    private static final String ADMIN_TOKEN = "admin-token-0123456789abcdef0123456789";
    private static final String OPS_TOKEN = "ops-token-0123456789abcdef0123456789abcd";
    private static final String READER_TOKEN = "reader-token-0123456789abcdef012345678";
    private static final String SHOP_TOKEN = "shop-token-0123456789abcdef0123456789abc";
    private static final String WRITE = "revocations:write";
    private static final String READ = "revocations:read";

    private static final MutableClock CLOCK = MutableClock.atNow();
    private static final TestKeys ADMIN_KEYS = TestKeys.generate(JwsAlgorithm.HS256);
    private static final TestKeys OTHER_KEYS = TestKeys.generate(JwsAlgorithm.HS256);
    private static final AtomicReference<RevocationCheck.Status> REVOCATION =
            new AtomicReference<>(RevocationCheck.Status.NOT_REVOKED);
    private static final HttpClient client = HttpClient.newHttpClient();
    private static SidecarMetrics metrics;
    private static Vertx vertx;
    private static int port;

    /** Routes that need each scope, and a catch-all, each echoing the principal. */
    @BeforeAll
    static void start() throws Exception {
        TokenVerifier verifier = new TokenVerifier(List.of(policy(ADMIN_ISSUER, ADMIN_KEYS), policy(OTHER_ISSUER, OTHER_KEYS)),
                8192, CLOCK, (t, skew) -> REVOCATION.get());
        metrics = new SidecarMetrics();
        AdminAuthenticator auth = new AdminAuthenticator(List.of(
                AdminAuthenticator.Credential.adminToken(ADMIN_TOKEN),
                new AdminAuthenticator.Credential("ops", OPS_TOKEN, EnumSet.of(AdminScope.REVOCATIONS_WRITE)),
                new AdminAuthenticator.Credential("dashboard", READER_TOKEN, EnumSet.of(AdminScope.REVOCATIONS_READ)),
                new AdminAuthenticator.Credential("shop", SHOP_TOKEN, EnumSet.of(AdminScope.REVOCATIONS_READ),
                        IssuerLimit.only(List.of(OTHER_ISSUER)))),
                Optional.of(ADMIN_ISSUER), verifier, metrics);
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.post("/write").handler(auth.requiring(AdminScope.REVOCATIONS_WRITE)).handler(ctx -> echo(ctx));
        router.get("/read").handler(auth.requiring(AdminScope.REVOCATIONS_READ)).handler(ctx -> echo(ctx));
        router.get("/issuers").handler(auth.requiring(AdminScope.REVOCATIONS_READ))
                .handler(ctx -> ctx.response().end(String.valueOf(AdminAuthenticator.principal(ctx).issuers())));
        router.route().handler(auth.anyCredential());
        port = vertx.createHttpServer(ListenerOptions.forListener("127.0.0.1", 0, 8192)).requestHandler(router)
                .listen().toCompletionStage().toCompletableFuture().get().actualPort();
    }

    private static void echo(io.vertx.ext.web.RoutingContext ctx) {
        AdminAuthenticator.Principal p = AdminAuthenticator.principal(ctx);
        ctx.response().end(p.actor() + " via " + p.via().label() + " "
                + p.scopes().stream().map(AdminScope::wireName).sorted().toList());
    }

    private static IssuerPolicy policy(String issuer, TestKeys keys) {
        return new IssuerPolicy(issuer, new StaticKeySource(List.of(new VerificationKey("k1", JwsAlgorithm.HS256,
                keys.verificationKey()))), Set.of(JwsAlgorithm.HS256), Set.of(AUDIENCE), List.of(), null,
                Duration.ofSeconds(30), Duration.ofHours(1), null);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @BeforeEach
    void goodRevocationData() {
        REVOCATION.set(RevocationCheck.Status.NOT_REVOKED);
    }

    private static String jwt(TestKeys keys, String issuer, Map<String, Object> extra) {
        Map<String, Object> claims = Tokens.validClaims(issuer, AUDIENCE, CLOCK.epochSecond());
        claims.put("sub", "carol@example.com");
        claims.putAll(extra);
        claims.values().removeIf(v -> v == NONE);
        return Tokens.mint(keys, "k1", claims);
    }

    /** Marks a claim to be left out. */
    private static final Object NONE = new Object();

    private static String adminJwt(Map<String, Object> extra) {
        return jwt(ADMIN_KEYS, ADMIN_ISSUER, extra);
    }

    private static HttpResponse<String> send(String method, String path, String... authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (String a : authorization) {
            b.header("Authorization", a);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double refusals() {
        Matcher m = Pattern.compile("(?m)^jwt_sidecar_admin_refusals_total (\\S+)$").matcher(metrics.scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    // ---- who gets in -------------------------------------------------------------------------

    @Test
    void the_admin_token_has_both_scopes_and_the_actor_admin() throws Exception {
        assertThat(send("POST", "/write", "Bearer " + ADMIN_TOKEN).body())
                .isEqualTo("admin via static-token [revocations:read, revocations:write]");
        assertThat(send("GET", "/read", "Bearer " + ADMIN_TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void a_named_credential_acts_under_its_name_within_its_scopes() throws Exception {
        assertThat(send("POST", "/write", "Bearer " + OPS_TOKEN).body()).isEqualTo("ops via static-token [revocations:write]");
        assertThat(send("GET", "/read", "Bearer " + READER_TOKEN).body())
                .isEqualTo("dashboard via static-token [revocations:read]");
    }

    @Test
    void the_scheme_name_is_case_insensitive() throws Exception {
        assertThat(send("POST", "/write", "bearer " + OPS_TOKEN).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/write", "BEARER " + OPS_TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void several_spaces_after_the_scheme_are_one_separator() throws Exception {
        // RFC 6750 §2.1: "Bearer" 1*SP b64token.
        assertThat(send("POST", "/write", "Bearer    " + OPS_TOKEN).body()).isEqualTo("ops via static-token [revocations:write]");
    }

    @Test
    void a_jwt_of_the_admin_issuer_acts_as_its_sub_with_the_scopes_of_its_scope_claim() throws Exception {
        String token = adminJwt(Map.of("scope", "openid " + WRITE + " profile"));

        assertThat(send("POST", "/write", "Bearer " + token).body())
                .isEqualTo("carol@example.com via jwt [revocations:write]");
    }

    @Test
    void a_jwt_scp_claim_may_be_an_array_or_a_space_separated_string() throws Exception {
        assertThat(send("GET", "/read", "Bearer " + adminJwt(Map.of("scp", List.of("email", READ)))).body())
                .isEqualTo("carol@example.com via jwt [revocations:read]");
        assertThat(send("GET", "/read", "Bearer " + adminJwt(Map.of("scp", READ + " " + WRITE))).body())
                .isEqualTo("carol@example.com via jwt [revocations:read, revocations:write]");
    }

    @Test
    void a_static_credential_carries_its_issuer_limit_and_one_without_reaches_every_issuer() throws Exception {
        assertThat(send("GET", "/issuers", "Bearer " + SHOP_TOKEN).body()).isEqualTo("[" + OTHER_ISSUER + "]");
        assertThat(send("GET", "/issuers", "Bearer " + READER_TOKEN).body()).isEqualTo("*");
        assertThat(send("GET", "/issuers", "Bearer " + ADMIN_TOKEN).body()).isEqualTo("*");
    }

    @Test
    void an_admin_jwt_is_limited_to_the_configured_issuers_its_claim_names_and_without_the_claim_reaches_every_issuer()
            throws Exception {
        String limited = adminJwt(Map.of("scope", READ,
                IssuerLimit.JWT_CLAIM, List.of(OTHER_ISSUER, "https://not-configured.example")));
        String unlimited = adminJwt(Map.of("scope", READ));
        String empty = adminJwt(Map.of("scope", READ, IssuerLimit.JWT_CLAIM, List.of()));

        assertThat(send("GET", "/issuers", "Bearer " + limited).body())
                .as("a name that is not a configured issuer reaches nothing").isEqualTo("[" + OTHER_ISSUER + "]");
        assertThat(send("GET", "/issuers", "Bearer " + unlimited).body()).isEqualTo("*");
        assertThat(send("GET", "/issuers", "Bearer " + empty).body()).as("limited to no issuer at all").isEqualTo("[]");
    }

    @Test
    void scope_and_scp_together_give_the_union_of_both() throws Exception {
        String token = adminJwt(Map.of("scope", WRITE, "scp", List.of(READ)));

        assertThat(send("GET", "/read", "Bearer " + token).body())
                .isEqualTo("carol@example.com via jwt [revocations:read, revocations:write]");
    }

    // ---- 401: no credential or a bad one -------------------------------------------------------

    static Stream<Arguments> missingCredentials() {
        return Stream.of(
                Arguments.of("no Authorization header", new String[0]),
                Arguments.of("another scheme", new String[] {"Basic YWRtaW46YWRtaW4="}),
                Arguments.of("an empty bearer value", new String[] {"Bearer "}),
                Arguments.of("an empty bearer value, lowercase", new String[] {"bearer    "}),
                Arguments.of("the scheme alone", new String[] {"Bearer"}),
                Arguments.of("a scheme that starts with Bearer", new String[] {"Bearer" + ADMIN_TOKEN}),
                Arguments.of("a tab after the scheme", new String[] {"Bearer\t" + ADMIN_TOKEN}),
                Arguments.of("the admin token and more after a space", new String[] {"Bearer " + ADMIN_TOKEN + " x"}),
                Arguments.of("two Authorization headers, both good", new String[] {"Bearer " + ADMIN_TOKEN, "Bearer " + ADMIN_TOKEN}));
    }

    @ParameterizedTest(name = "{0} is 401 with a bare challenge")
    @MethodSource("missingCredentials")
    void requests_without_one_bearer_credential_are_401_with_a_bare_challenge(String why, String[] headers) throws Exception {
        HttpResponse<String> r = send("POST", "/write", headers);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"jwt-sidecar-admin\"");
        assertThat(r.body()).isEqualTo("{\"error\":\"unauthorized\"}");
    }

    static Stream<Arguments> wrongCredentials() {
        return Stream.of(
                Arguments.of("a wrong static token", "not-the-admin-token-0123456789abcdef", null),
                Arguments.of("the admin token with a character more", ADMIN_TOKEN + "x", null),
                Arguments.of("a prefix of the admin token", ADMIN_TOKEN.substring(0, 20), null),
                Arguments.of("a JWT of another configured issuer, with the scope",
                        jwt(OTHER_KEYS, OTHER_ISSUER, Map.of("scope", WRITE)), null),
                Arguments.of("an admin JWT signed with another key",
                        jwt(OTHER_KEYS, ADMIN_ISSUER, Map.of("scope", WRITE)), "bad_signature"),
                Arguments.of("an expired admin JWT", adminJwt(Map.of("scope", WRITE, "iat", CLOCK.epochSecond() - 700,
                        "exp", CLOCK.epochSecond() - 100)), "expired"),
                Arguments.of("an admin JWT for another audience", adminJwt(Map.of("scope", WRITE, "aud", "billing")),
                        "bad_audience"),
                Arguments.of("an admin JWT without sub", adminJwt(Map.of("scope", WRITE, "sub", NONE)), null),
                Arguments.of("an admin JWT whose scope is an array", adminJwt(Map.of("scope", List.of(WRITE))), null),
                Arguments.of("an admin JWT whose scp is a number", adminJwt(Map.of("scp", 7)), null),
                Arguments.of("an admin JWT whose issuer limit is a string",
                        adminJwt(Map.of("scope", WRITE, IssuerLimit.JWT_CLAIM, ADMIN_ISSUER)), null),
                Arguments.of("an admin JWT whose issuer limit holds a number",
                        adminJwt(Map.of("scope", WRITE, IssuerLimit.JWT_CLAIM, List.of(ADMIN_ISSUER, 7))), null));
    }

    @ParameterizedTest(name = "{0} is 401 invalid_token")
    @MethodSource("wrongCredentials")
    void wrong_credentials_are_401_invalid_token(String why, String credential, String description) throws Exception {
        HttpResponse<String> r = send("POST", "/write", "Bearer " + credential);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).isEqualTo("{\"error\":\"invalid_token\"}");
        assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"jwt-sidecar-admin\", error=\"invalid_token\""
                + (description == null ? "" : ", error_description=\"" + description + "\""));
    }

    @Test
    void a_revoked_admin_jwt_is_refused_like_any_revoked_token() throws Exception {
        String token = adminJwt(Map.of("scope", WRITE));
        assertThat(send("POST", "/write", "Bearer " + token).statusCode()).isEqualTo(200);

        REVOCATION.set(RevocationCheck.Status.REVOKED);

        HttpResponse<String> r = send("POST", "/write", "Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).contains("error_description=\"revoked\""));
    }

    @Test
    void an_admin_jwt_that_cannot_be_judged_now_is_503_not_401() throws Exception {
        REVOCATION.set(RevocationCheck.Status.STALE);

        HttpResponse<String> r = send("POST", "/write", "Bearer " + adminJwt(Map.of("scope", WRITE)));

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("{\"error\":\"revocation_data_stale\"}");
        assertThat(r.headers().firstValue("Retry-After")).contains("1");
        assertThat(send("POST", "/write", "Bearer " + OPS_TOKEN).statusCode())
                .as("static credentials do not depend on the revocation feed").isEqualTo(200);
    }

    // ---- 403: a good credential without the scope ---------------------------------------------

    @Test
    void a_read_only_credential_writing_is_403_insufficient_scope_naming_the_scope() throws Exception {
        HttpResponse<String> r = send("POST", "/write", "Bearer " + READER_TOKEN);

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).isEqualTo("{\"error\":\"insufficient_scope\"}");
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .contains("Bearer error=\"insufficient_scope\", scope=\"revocations:write\"");
    }

    @Test
    void a_write_only_credential_reading_is_403_naming_the_read_scope() throws Exception {
        HttpResponse<String> r = send("GET", "/read", "Bearer " + OPS_TOKEN);

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .contains("Bearer error=\"insufficient_scope\", scope=\"revocations:read\"");
    }

    @Test
    void an_admin_jwt_without_an_admin_scope_is_403() throws Exception {
        for (String token : List.of(adminJwt(Map.of()), adminJwt(Map.of("scope", "openid revocations:writer")),
                adminJwt(Map.of("scope", READ)))) {
            HttpResponse<String> r = send("POST", "/write", "Bearer " + token);

            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).isEqualTo("{\"error\":\"insufficient_scope\"}");
        }
    }

    // ---- unknown paths, logging and counting --------------------------------------------------

    @Test
    void unknown_paths_are_401_without_a_credential_and_404_with_any_good_one() throws Exception {
        assertThat(send("GET", "/nothing-here").statusCode()).isEqualTo(401);
        assertThat(send("GET", "/nothing-here", "Bearer " + READER_TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void every_refusal_is_counted_and_logged_with_method_path_address_and_why_but_never_the_credential()
            throws Exception {
        String wrong = "wrong-credential-0123456789abcdef-secret";
        double before = refusals();
        try (LogCapture log = LogCapture.warn(AdminAuthenticator.class.getName())) {
            send("POST", "/write");
            send("POST", "/write", "Bearer " + wrong);
            send("POST", "/write", "Bearer " + READER_TOKEN);
            send("POST", "/write", "Bearer " + OPS_TOKEN);

            assertThat(refusals() - before).isEqualTo(3);
            assertThat(log.messages()).hasSize(3);
            assertThat(log.messages()).allSatisfy(m -> assertThat(m).contains("POST /write from 127.0.0.1")
                    .doesNotContain(wrong).doesNotContain(READER_TOKEN));
            assertThat(log.messages().get(0)).contains("401", "no credential");
            assertThat(log.messages().get(1)).contains("401", "matches no admin credential");
            assertThat(log.messages().get(2)).contains("403", "dashboard", "lacks scope revocations:write");
        }
    }

    // ---- construction -------------------------------------------------------------------------

    @Test
    void an_authenticator_without_any_credential_cannot_be_built() {
        assertThrows(IllegalArgumentException.class,
                () -> new AdminAuthenticator(List.of(), Optional.empty(), null, new SidecarMetrics()));
    }

    @ParameterizedTest(name = "a token that cannot be presented is refused when configured: \"{0}\"")
    @ValueSource(strings = {"correct horse battery staple 0123456789", " leading-0123456789abcdef",
            "trailing-0123456789abcdef "})
    void a_credential_whose_token_no_bearer_header_can_carry_cannot_be_made(String token) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AdminAuthenticator.Credential("ops", token, EnumSet.of(AdminScope.REVOCATIONS_READ)));
        assertThat(e.getMessage()).contains("ops").doesNotContain(token.strip());
    }

    @Test
    void a_credential_keeps_its_token_out_of_logs() {
        assertThat(AdminAuthenticator.Credential.adminToken(ADMIN_TOKEN).toString()).doesNotContain(ADMIN_TOKEN);
    }
}
