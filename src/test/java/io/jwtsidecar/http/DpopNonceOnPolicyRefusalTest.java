package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.jwtsidecar.authz.PathPattern;
import io.jwtsidecar.authz.Requirements;
import io.jwtsidecar.authz.RouteRule;
import io.jwtsidecar.authz.RoutePolicy;
import io.jwtsidecar.authz.TokenLocation;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.testing.Tokens;
import io.jwtsidecar.token.DpopPolicy;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 9449 §9 on forward auth: for an issuer with {@code dpopNonce: true}, every answer to a DPoP
 * request carries the current nonce in {@code DPoP-Nonce}, also when the token and its proof are
 * good and a route's policy refuses the request (403 {@code insufficient_scope}, the step-up 401),
 * so the client's next proof never carries an expired one.
 */
class DpopNonceOnPolicyRefusalTest {
    private static final String ISS = "https://issuer.example";
    private static final String HTU_BASE = "https://api.example.com";
    private static final MutableClock CLOCK = MutableClock.atNow();
    private static final TestKeys KEYS = TestKeys.generate(JwsAlgorithm.ES256);
    private static ECKey clientKey;
    private static RoutesServer server;
    private static int port;
    private static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        clientKey = new ECKeyGenerator(Curve.P_256).generate();
        IssuerPolicy policy = new IssuerPolicy(ISS, new StaticKeySource(List.of(new VerificationKey("k1", JwsAlgorithm.ES256,
                KEYS.verificationKey()))), Set.of(JwsAlgorithm.ES256), Set.of("api"), List.of(), null,
                Duration.ofSeconds(30), Duration.ofHours(1), null,
                new DpopPolicy(DpopPolicy.Mode.ALLOWED, Duration.ofSeconds(60), Set.of(), true));
        TokenVerifier verifier = new TokenVerifier(List.of(policy), 8192, CLOCK, RevocationCheck.NONE, 1 << 20);
        RoutePolicy routes = new RoutePolicy(List.of(
                new RouteRule("orders-write", List.of(), Set.of(), PathPattern.prefix("/orders"),
                        new Requirements(Set.of(), Set.of(), Map.of(), List.of("orders:write"), List.of(), null), List.of()),
                new RouteRule("payouts", List.of(), Set.of(), PathPattern.prefix("/payouts"),
                        new Requirements(Set.of(), Set.of(), Map.of(), List.of(), List.of("mfa"), Duration.ofMinutes(5)),
                        List.of())),
                true, List.of(TokenLocation.HEADER), Map.of());
        SidecarRoutes sidecarRoutes = new SidecarRoutes(verifier, () -> new Readiness.Report(true, Map.of()),
                () -> new Readiness.Report(true, Map.of()), 8192, new IdentityHeaders(Map.of()), new SidecarMetrics(), false,
                new SidecarRoutes.ForwardAuth(routes, true, CLOCK));
        server = RoutesServer.start(sidecarRoutes);
        port = server.port();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static String boundToken() throws Exception {
        Map<String, Object> claims = Tokens.validClaims(ISS, "api", CLOCK.epochSecond());
        claims.put("sub", "alice");
        claims.put("scope", "orders:read");
        claims.put("cnf", Map.of("jkt", clientKey.computeThumbprint().toString()));
        return Tokens.mint(KEYS, "k1", claims);
    }

    private static String proof(String token, String htu, @Nullable String nonce) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString()).claim("htm", "POST")
                .claim("htu", htu).claim("nonce", nonce).issueTime(new Date(CLOCK.epochSecond() * 1000))
                .claim("ath", Base64URL.encode(MessageDigest.getInstance("SHA-256")
                        .digest(token.getBytes(StandardCharsets.US_ASCII))).toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("dpop+jwt"))
                .jwk(clientKey.toPublicJWK()).build(), claims);
        jwt.sign(new ECDSASigner(clientKey));
        return jwt.serialize();
    }

    private static HttpRequest.Builder authz(String token, String path, @Nullable String nonce) throws Exception {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/authz"))
                .header("Authorization", "DPoP " + token).header("DPoP", proof(token, HTU_BASE + path, nonce))
                .header("X-Forwarded-Method", "POST").header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "api.example.com").header("X-Forwarded-Uri", path);
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/orders/42", "/payouts/7"})
    void a_policy_refusal_of_a_good_dpop_request_carries_the_nonce(String path) throws Exception {
        String token = boundToken();
        HttpResponse<String> asked = send(authz(token, path, null));
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(401);
        String nonce = asked.headers().firstValue("DPoP-Nonce").orElseThrow();

        HttpResponse<String> refused = send(authz(token, path, nonce));

        assertThat(refused.statusCode()).as(refused.body()).isIn(401, 403);
        assertThat(refused.body()).containsAnyOf("insufficient_scope", "insufficient_user_authentication");
        assertThat(refused.headers().firstValue("DPoP-Nonce")).as("the nonce on a policy refusal").hasValue(nonce);
    }
}
