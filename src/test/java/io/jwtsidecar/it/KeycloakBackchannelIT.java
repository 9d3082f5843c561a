package io.jwtsidecar.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.jwtsidecar.testing.KeycloakAdmin;
import io.jwtsidecar.testing.KeycloakServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a real Keycloak sends to a client's back-channel logout URL when a user who signed in
 * with a password grant is logged out through the admin API: the shape the sidecar's receiver
 * has to accept (OpenID Connect Back-Channel Logout 1.0). The test is also the proof that
 * {@link KeycloakServer} and {@link KeycloakAdmin} work; what it saw is printed for the record.
 */
class KeycloakBackchannelIT {
    private static final String BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";

    @RegisterExtension
    static final KeycloakServer keycloak = new KeycloakServer();

    /** One request the logout endpoint received, and when (System.nanoTime()). */
    record Received(String method, String contentType, String body, long atNanos) {
    }

    @Test
    void a_logout_through_the_admin_api_posts_a_signed_logout_token_to_the_client() throws Exception {
        System.out.printf("Keycloak started in %d ms, RSS %s kB%n", keycloak.startTime().toMillis(),
                keycloak.residentKilobytes().map(String::valueOf).orElse("?"));
        BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/logout", exchange -> {
            long at = System.nanoTime();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(exchange.getRequestMethod(),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body, at));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        try {
            KeycloakAdmin admin = keycloak.admin();
            String realm = "shop";
            admin.createRealm(realm);
            String logoutUrl = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/logout";
            KeycloakAdmin.Client client = admin.createClient(realm, "orders-web", "orders-api", logoutUrl);
            String alice = admin.createUser(realm, "alice", "alice-password");

            KeycloakAdmin.Tokens tokens = admin.passwordGrant(realm, client, "alice", "alice-password");
            SignedJWT access = SignedJWT.parse(tokens.accessToken());
            System.out.println("access token header: " + access.getHeader().toJSONObject());
            System.out.println("access token claims: " + access.getJWTClaimsSet().toJSONObject());
            assertThat(access.getHeader().getType()).hasToString("JWT");
            assertThat(access.getJWTClaimsSet().getAudience()).contains("orders-api");
            assertThat(access.getJWTClaimsSet().getStringClaim("azp")).isEqualTo("orders-web");
            assertThat(access.getJWTClaimsSet().getSubject()).isEqualTo(alice);
            String sid = access.getJWTClaimsSet().getStringClaim("sid");
            assertThat(sid).isNotBlank();

            long logoutCall = System.nanoTime();
            admin.logout(realm, alice);
            long logoutAnswered = System.nanoTime();
            Received r = received.poll(10, TimeUnit.SECONDS);
            assertThat(r).as("a back-channel logout request within 10 s").isNotNull();
            System.out.printf("back-channel logout arrived %d ms after the admin logout call began"
                            + " (the call took %d ms)%n", TimeUnit.NANOSECONDS.toMillis(r.atNanos() - logoutCall),
                    TimeUnit.NANOSECONDS.toMillis(logoutAnswered - logoutCall));
            System.out.println("method " + r.method() + ", content type " + r.contentType());

            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.contentType()).startsWith("application/x-www-form-urlencoded");
            Map<String, String> form = form(r.body());
            System.out.println("form fields: " + form.keySet());
            assertThat(form).containsOnlyKeys("logout_token");

            SignedJWT logout = SignedJWT.parse(form.get("logout_token"));
            JWKSet keys = JWKSet.load(URI.create(admin.jwksUrl(realm)).toURL());
            RSAKey key = keys.getKeyByKeyId(logout.getHeader().getKeyID()).toRSAKey();
            assertThat(logout.verify(new RSASSAVerifier(key))).as("signed with a key of the realm's JWKS").isTrue();
            JWTClaimsSet claims = logout.getJWTClaimsSet();
            System.out.println("logout token header: " + logout.getHeader().toJSONObject());
            System.out.println("logout token claims: " + claims.toJSONObject());

            assertThat(logout.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
            assertThat(logout.getHeader().getType()).hasToString("logout+jwt");
            assertThat(logout.getHeader().getKeyID()).isEqualTo(access.getHeader().getKeyID());
            assertThat(claims.getIssuer()).isEqualTo(admin.issuer(realm));
            assertThat(claims.getAudience()).contains("orders-web");
            assertThat(claims.getSubject()).isEqualTo(alice);
            assertThat(claims.getStringClaim("sid")).isEqualTo(sid);
            assertThat(claims.getIssueTime()).isNotNull();
            assertThat(claims.getExpirationTime()).isAfter(claims.getIssueTime());
            assertThat(claims.getJWTID()).isNotBlank();
            assertThat(claims.getJSONObjectClaim("events")).containsOnlyKeys(BACKCHANNEL_LOGOUT_EVENT);
            assertThat(claims.getClaim("nonce")).as("the spec forbids a nonce").isNull();
            assertThat(received.poll(1, TimeUnit.SECONDS)).as("one request only").isNull();
        } finally {
            receiver.stop(0);
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        List<String> pairs = body.isEmpty() ? List.of() : Arrays.asList(body.split("&"));
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            fields.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }
}
