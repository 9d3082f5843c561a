package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
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
import org.junit.jupiter.api.Test;

/**
 * DPoP (RFC 9449 §7.1) over real HTTP on {@code /v1/verify}: the {@code DPoP} scheme and proof
 * header, the original request from the forward-auth headers, and the {@code WWW-Authenticate:
 * DPoP} challenges. The proof rules themselves are {@code DpopTest}'s.
 */
class DpopRoutesTest {
    private static final String ISS = "https://issuer.example";
    /** An issuer whose proofs must carry a server nonce (dpopNonce: true). */
    private static final String NONCE_ISS = "https://nonce-issuer.example";
    private static final String HTU = "https://api.example.com/orders/42";
    private static final MutableClock CLOCK = MutableClock.atNow();
    private static final TestKeys KEYS = TestKeys.generate(JwsAlgorithm.ES256);
    private static final ECKey CLIENT = clientKey();
    private static RoutesServer server;
    private static int port;
    private static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        IssuerPolicy policy = new IssuerPolicy(ISS, new StaticKeySource(List.of(new VerificationKey("k1", JwsAlgorithm.ES256,
                KEYS.verificationKey()))), Set.of(JwsAlgorithm.ES256), Set.of("api"), List.of(), null,
                Duration.ofSeconds(30), Duration.ofHours(1), null, DpopPolicy.DEFAULT);
        IssuerPolicy noncePolicy = new IssuerPolicy(NONCE_ISS, new StaticKeySource(List.of(new VerificationKey("k1",
                JwsAlgorithm.ES256, KEYS.verificationKey()))), Set.of(JwsAlgorithm.ES256), Set.of("api"), List.of(), null,
                Duration.ofSeconds(30), Duration.ofHours(1), null,
                new DpopPolicy(DpopPolicy.Mode.ALLOWED, Duration.ofSeconds(60), Set.of(), true));
        TokenVerifier verifier = new TokenVerifier(List.of(policy, noncePolicy), 8192, CLOCK, RevocationCheck.NONE, 1 << 20);
        SidecarRoutes routes = new SidecarRoutes(verifier, () -> new Readiness.Report(true, Map.of()), 8192,
                new IdentityHeaders(Map.of()), new SidecarMetrics());
        server = RoutesServer.start(routes);
        port = server.port();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static String boundToken() throws JOSEException {
        return boundToken(ISS);
    }

    private static String boundToken(String issuer) throws JOSEException {
        Map<String, Object> claims = Tokens.validClaims(issuer, "api", CLOCK.epochSecond());
        claims.put("sub", "alice");
        claims.put("cnf", Map.of("jkt", CLIENT.computeThumbprint().toString()));
        return Tokens.mint(KEYS, "k1", claims);
    }

    private static String proof(String token, String htm) throws Exception {
        return proof(token, htm, null);
    }

    private static String proof(String token, String htm, @Nullable String nonce) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString()).claim("htm", htm)
                .claim("nonce", nonce)
                .claim("htu", HTU).issueTime(new Date(CLOCK.epochSecond() * 1000))
                .claim("ath", Base64URL.encode(MessageDigest.getInstance("SHA-256")
                        .digest(token.getBytes(StandardCharsets.US_ASCII))).toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("dpop+jwt"))
                .jwk(CLIENT.toPublicJWK()).build(), claims);
        jwt.sign(new ECDSASigner(CLIENT));
        return jwt.serialize();
    }

    /** /v1/verify as a service asks about a POST it received: the original request in X-Forwarded-*. */
    private static HttpRequest.Builder verify(String token, String proof) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/verify"))
                .header("Authorization", "DPoP " + token).header("DPoP", proof)
                .header("X-Forwarded-Method", "POST").header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "api.example.com").header("X-Forwarded-Uri", "/orders/42?x=1");
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_bound_token_with_a_good_proof_for_the_original_request_gets_200() throws Exception {
        String token = boundToken();
        HttpResponse<String> r = send(verify(token, proof(token, "POST")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Auth-Subject")).hasValue("alice");
    }

    @Test
    void a_proof_for_another_method_gets_401_with_an_invalid_dpop_proof_challenge() throws Exception {
        String token = boundToken();
        HttpResponse<String> r = send(verify(token, proof(token, "GET")));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("dpop_proof_htm_mismatch");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue(
                "DPoP realm=\"jwt-sidecar\", error=\"invalid_dpop_proof\", error_description=\"dpop_proof_htm_mismatch\", algs=\"ES256\"");
    }

    @Test
    void a_replayed_proof_gets_401_dpop_proof_replayed() throws Exception {
        String token = boundToken();
        String proof = proof(token, "POST");
        assertThat(send(verify(token, proof)).statusCode()).isEqualTo(200);
        HttpResponse<String> again = send(verify(token, proof));
        assertThat(again.statusCode()).isEqualTo(401);
        assertThat(again.body()).contains("dpop_proof_replayed");
    }

    @Test
    void a_bound_token_as_a_bearer_token_gets_401_with_a_dpop_challenge() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/verify"))
                .header("Authorization", "Bearer " + boundToken()));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("dpop_required");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue(
                "DPoP realm=\"jwt-sidecar\", error=\"invalid_token\", error_description=\"dpop_required\", algs=\"ES256\"");
    }

    @Test
    void two_dpop_headers_get_401_dpop_proof_multiple() throws Exception {
        String token = boundToken();
        HttpResponse<String> r = send(verify(token, proof(token, "POST")).header("DPoP", proof(token, "POST")));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("dpop_proof_multiple");
    }

    @Test
    void without_the_original_scheme_the_request_cannot_be_judged() throws Exception {
        String token = boundToken();
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/verify"))
                .header("Authorization", "DPoP " + token).header("DPoP", proof(token, "GET"))
                .header("X-Forwarded-Uri", "/orders/42"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("X-Forwarded-Proto");
    }

    /** Forward auth as Traefik or Caddy ask: the original request in X-Forwarded-*. */
    private static HttpRequest.Builder authz(String token, String proof) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/authz"))
                .header("Authorization", "DPoP " + token).header("DPoP", proof)
                .header("X-Forwarded-Method", "POST").header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "api.example.com").header("X-Forwarded-Uri", "/orders/42?x=1");
    }

    @Test
    void forward_auth_checks_the_proof_against_the_forwarded_request() throws Exception {
        String token = boundToken();
        HttpResponse<String> ok = send(authz(token, proof(token, "POST")));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.headers().firstValue("X-Auth-Subject")).hasValue("alice");

        HttpResponse<String> wrong = send(authz(token, proof(token, "GET")));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue(
                "DPoP realm=\"jwt-sidecar\", error=\"invalid_dpop_proof\", error_description=\"dpop_proof_htm_mismatch\", algs=\"ES256\"");
    }

    @Test
    void forward_auth_answers_an_expired_dpop_token_with_a_dpop_invalid_token_challenge() throws Exception {
        Map<String, Object> claims = Tokens.validClaims(ISS, "api", CLOCK.epochSecond());
        claims.put("exp", CLOCK.epochSecond() - 3600);
        claims.put("cnf", Map.of("jkt", CLIENT.computeThumbprint().toString()));
        String expired = Tokens.mint(KEYS, "k1", claims);
        HttpResponse<String> r = send(authz(expired, proof(expired, "POST")));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue(
                "DPoP realm=\"jwt-sidecar\", error=\"invalid_token\", error_description=\"expired\"");
    }

    @Test
    void forward_auth_refuses_a_bound_token_as_a_bearer_token() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/authz"))
                .header("Authorization", "Bearer " + boundToken()).header("X-Forwarded-Uri", "/orders/42"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("dpop_required");
    }

    @Test
    void section_9_a_proof_without_the_nonce_gets_use_dpop_nonce_and_the_nonce_and_a_retry_with_it_gets_200() throws Exception {
        String token = boundToken(NONCE_ISS);
        HttpResponse<String> first = send(verify(token, proof(token, "POST")));
        assertThat(first.statusCode()).isEqualTo(401);
        assertThat(first.body()).contains("dpop_proof_nonce_missing");
        assertThat(first.headers().firstValue("WWW-Authenticate")).hasValue(
                "DPoP realm=\"jwt-sidecar\", error=\"use_dpop_nonce\", error_description=\"dpop_proof_nonce_missing\", algs=\"ES256\"");
        String nonce = first.headers().firstValue("DPoP-Nonce").orElseThrow();

        HttpResponse<String> retried = send(verify(token, proof(token, "POST", nonce)));
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
        assertThat(retried.headers().firstValue("DPoP-Nonce")).as("every answer carries the current nonce").hasValue(nonce);

        HttpResponse<String> forged = send(verify(token, proof(token, "POST", nonce + "x")));
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"use_dpop_nonce\"",
                "dpop_proof_nonce_invalid");
        assertThat(forged.headers().firstValue("DPoP-Nonce")).hasValue(nonce);
    }

    @Test
    void section_9_forward_auth_gives_the_nonce_on_a_refusal_and_accepts_it() throws Exception {
        String token = boundToken(NONCE_ISS);
        HttpResponse<String> first = send(authz(token, proof(token, "POST")));
        assertThat(first.statusCode()).isEqualTo(401);
        assertThat(first.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"use_dpop_nonce\"");
        String nonce = first.headers().firstValue("DPoP-Nonce").orElseThrow();
        HttpResponse<String> retried = send(authz(token, proof(token, "POST", nonce)));
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
        assertThat(retried.headers().firstValue("DPoP-Nonce")).hasValue(nonce);
    }

    @Test
    void an_issuer_without_nonces_sends_no_dpop_nonce() throws Exception {
        String token = boundToken();
        HttpResponse<String> r = send(verify(token, proof(token, "POST")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("DPoP-Nonce")).isEmpty();
    }

    @Test
    void introspection_of_a_bound_token_says_active() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth2/introspect"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + boundToken())));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"active\":true");
    }

    private static ECKey clientKey() {
        try {
            return new ECKeyGenerator(Curve.P_256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
