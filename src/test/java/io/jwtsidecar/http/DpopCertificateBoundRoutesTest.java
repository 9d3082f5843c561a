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
import io.jwtsidecar.authz.RoutePolicy;
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
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A token bound both to a DPoP key ({@code cnf.jkt}) and to a client certificate
 * ({@code cnf.x5t#S256}): RFC 8705 §3 makes the certificate a condition of every use, whatever
 * scheme the token comes with, so a good DPoP proof alone must not be enough.
 */
class DpopCertificateBoundRoutesTest {
    private static final String ISS = "https://issuer.example";
    private static final String CERT_HEADER = "X-Client-Cert";
    private static final String HTU = "https://api.example.com/orders/42";
    private static final MutableClock CLOCK = MutableClock.atNow();
    private static final TestKeys KEYS = TestKeys.generate(JwsAlgorithm.ES256);
    private static final byte[] CERT_SHA256 = new byte[32];
    private static ECKey clientKey;
    private static RoutesServer server;
    private static int port;
    private static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        clientKey = new ECKeyGenerator(Curve.P_256).generate();
        CERT_SHA256[0] = 7;
        IssuerPolicy policy = new IssuerPolicy(ISS, new StaticKeySource(List.of(new VerificationKey("k1", JwsAlgorithm.ES256,
                KEYS.verificationKey()))), Set.of(JwsAlgorithm.ES256), Set.of("api"), List.of(), null,
                Duration.ofSeconds(30), Duration.ofHours(1), null, DpopPolicy.DEFAULT);
        TokenVerifier verifier = new TokenVerifier(List.of(policy), 8192, CLOCK, RevocationCheck.NONE, 1 << 20);
        ClientCertificates certificates = new ClientCertificates(CERT_HEADER, Set.of(InetAddress.getByName("127.0.0.1")));
        SidecarRoutes routes = new SidecarRoutes(verifier, () -> new Readiness.Report(true, Map.of()),
                () -> new Readiness.Report(true, Map.of()), 8192, new IdentityHeaders(Map.of()), new SidecarMetrics(), false,
                new SidecarRoutes.ForwardAuth(RoutePolicy.open(), true, CLOCK, certificates));
        server = RoutesServer.start(routes);
        port = server.port();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static String doublyBoundToken() throws Exception {
        Map<String, Object> claims = Tokens.validClaims(ISS, "api", CLOCK.epochSecond());
        claims.put("sub", "alice");
        claims.put("cnf", Map.of("jkt", clientKey.computeThumbprint().toString(),
                "x5t#S256", Base64URL.encode(CERT_SHA256).toString()));
        return Tokens.mint(KEYS, "k1", claims);
    }

    private static String proof(String token) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString()).claim("htm", "POST")
                .claim("htu", HTU).issueTime(new Date(CLOCK.epochSecond() * 1000))
                .claim("ath", Base64URL.encode(MessageDigest.getInstance("SHA-256")
                        .digest(token.getBytes(StandardCharsets.US_ASCII))).toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("dpop+jwt"))
                .jwk(clientKey.toPublicJWK()).build(), claims);
        jwt.sign(new ECDSASigner(clientKey));
        return jwt.serialize();
    }

    private static HttpRequest.Builder request(String path, String token) throws Exception {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "DPoP " + token).header("DPoP", proof(token))
                .header("X-Forwarded-Method", "POST").header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "api.example.com").header("X-Forwarded-Uri", "/orders/42");
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/v1/verify", "/v1/authz"})
    void a_good_proof_without_the_certificate_the_token_is_bound_to_is_refused(String path) throws Exception {
        HttpResponse<String> r = send(request(path, doublyBoundToken()));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.body()).contains("certificate_missing");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/v1/verify", "/v1/authz"})
    void a_good_proof_with_another_certificate_is_refused(String path) throws Exception {
        byte[] other = CERT_SHA256.clone();
        other[0] = 8;
        HttpResponse<String> r = send(request(path, doublyBoundToken()).header(CERT_HEADER, "Hash=" + HexFormat.of().formatHex(other)));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.body()).contains("certificate_mismatch");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/v1/verify", "/v1/authz"})
    void a_good_proof_with_the_certificate_is_accepted(String path) throws Exception {
        HttpResponse<String> r = send(request(path, doublyBoundToken())
                .header(CERT_HEADER, "Hash=" + HexFormat.of().formatHex(CERT_SHA256)));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
}
