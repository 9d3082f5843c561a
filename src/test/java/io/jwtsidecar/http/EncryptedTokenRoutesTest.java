package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.testing.Tokens;
import io.jwtsidecar.token.DpopPolicy;
import io.jwtsidecar.token.EncryptionPolicy;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.keys.ContentEncryption;
import io.jwtsidecar.token.keys.DecryptionKey;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.KeyManagementAlgorithm;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Encrypted access tokens through the sidecar API over real HTTP: a good one is answered like any
 * token, with the inner claims as identity; a refused one gets its jwe_* verdict in the RFC 6750
 * challenge, and introspection says only inactive.
 */
class EncryptedTokenRoutesTest {
    private static final String ISS = "https://issuer.example";
    private static final MutableClock CLOCK = MutableClock.atNow();
    private static final TestKeys SIGNING = TestKeys.generate(JwsAlgorithm.ES256);
    private static RSAKey encryption;
    private static RoutesServer server;
    private static int port;
    private static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        encryption = new RSAKeyGenerator(2048).keyID("enc-1").generate();
        IssuerPolicy policy = new IssuerPolicy(ISS, new StaticKeySource(List.of(new VerificationKey("k1", JwsAlgorithm.ES256,
                SIGNING.verificationKey()))), Set.of(JwsAlgorithm.ES256), Set.of("api"), List.of(), null,
                Duration.ofSeconds(30), Duration.ofHours(1), null, DpopPolicy.DEFAULT,
                new EncryptionPolicy(EncryptionPolicy.Mode.REQUIRED, List.of(new DecryptionKey("enc-1",
                        KeyManagementAlgorithm.RSA_OAEP_256, encryption.toRSAPrivateKey())), ContentEncryption.ALL));
        TokenVerifier verifier = new TokenVerifier(List.of(policy), 8192, CLOCK, RevocationCheck.NONE);
        SidecarRoutes routes = new SidecarRoutes(verifier, () -> new Readiness.Report(true, Map.of("feed", "ok")), 8192,
                new IdentityHeaders(Map.of()), new SidecarMetrics());
        server = RoutesServer.start(routes);
        port = server.port();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static String inner() {
        return Tokens.mint(SIGNING, "k1", Tokens.validClaims(ISS, "api", CLOCK.epochSecond()));
    }

    private static String encrypted(String inner) throws Exception {
        JWEObject jwe = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM)
                .keyID("enc-1").contentType("JWT").build(), new Payload(inner));
        jwe.encrypt(new RSAEncrypter(encryption.toRSAPublicKey()));
        return jwe.serialize();
    }

    private static HttpResponse<String> verify(String token) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/verify"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_good_encrypted_token_gets_200_with_the_inner_claims_as_identity() throws Exception {
        HttpResponse<String> r = verify(encrypted(inner()));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Auth-Issuer")).hasValue(ISS);
        String claims = new String(Base64.getUrlDecoder().decode(r.headers().firstValue("X-Auth-Claims").orElseThrow()),
                StandardCharsets.UTF_8);
        assertThat(claims).contains("\"iss\":\"" + ISS + "\"");
    }

    @Test
    void a_token_that_does_not_decrypt_gets_its_verdict_in_the_challenge() throws Exception {
        String token = encrypted(inner());
        int tag = token.lastIndexOf('.') + 5;
        String tampered = token.substring(0, tag) + (token.charAt(tag) == 'A' ? 'B' : 'A') + token.substring(tag + 1);

        HttpResponse<String> r = verify(tampered);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).isEqualTo("{\"active\":false,\"error\":\"jwe_decryption_failed\"}");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue(
                "Bearer realm=\"jwt-sidecar\", error=\"invalid_token\", error_description=\"jwe_decryption_failed\"");
    }

    @Test
    void the_plain_token_of_an_issuer_that_requires_encryption_is_refused() throws Exception {
        HttpResponse<String> r = verify(inner());

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("encryption_required");
    }
}
