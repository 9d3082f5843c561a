package io.jwtsidecar.it;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.KeycloakAdmin;
import io.jwtsidecar.testing.KeycloakServer;
import io.jwtsidecar.testing.LogCapture;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end with a real Keycloak: a user logged out in Keycloak is refused by every sidecar.
 * Keycloak posts its back-channel logout token to the admin listener of one sidecar, which
 * turns it into a revocation on the topic; all three sidecars trust the realm through its JWKS
 * URL. Another user's session, in the same realm and client, is untouched. Also: the logout
 * token Keycloak sends, recorded against its own JWKS with nimbus-jose-jwt (the shape the
 * receiver checks), and a logout signed with a key Keycloak rotated to after the sidecar
 * fetched its keys. One Keycloak for the class: it is the slow part.
 */
class KeycloakLogoutIT {
    private static final String REALM = "shop";
    private static final String CLIENT_ID = "orders-web";
    /**
     * The sidecars' freshness bound (revocation.maxStaleness): past it a sidecar no longer trusts
     * its revocation data, so a logout must be enforced everywhere within it.
     */
    private static final Duration MAX_STALENESS = Duration.ofSeconds(5);

    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(3);
    @RegisterExtension
    static final KeycloakServer keycloak = new KeycloakServer();

    @Test
    void a_keycloak_logout_is_enforced_by_every_sidecar_within_the_freshness_bound() throws Exception {
        KeycloakAdmin idp = keycloak.admin();
        idp.createRealm(REALM);
        // The sidecars first: Keycloak's client needs the admin listener's port for its logout URL.
        try (Sidecar a = start("a", true);
             Sidecar b = start("b", false);
             Sidecar c = start("c", false)) {
            List<Sidecar> sidecars = List.of(a, b, c);
            String logoutUrl = "http://127.0.0.1:" + a.adminPort().orElseThrow() + "/v1/backchannel-logout";
            KeycloakAdmin.Client client = idp.createClient(REALM, CLIENT_ID, TestSidecars.AUDIENCE, logoutUrl);
            String aliceId = idp.createUser(REALM, "alice", "alice-password");
            idp.createUser(REALM, "bob", "bob-password");
            String alice = idp.passwordGrant(REALM, client, "alice", "alice-password").accessToken();
            String aliceSid = SignedJWT.parse(alice).getJWTClaimsSet().getStringClaim("sid");
            String bob = idp.passwordGrant(REALM, client, "bob", "bob-password").accessToken();

            for (Sidecar s : sidecars) {
                // The first token makes the sidecar fetch the realm's keys.
                await().atMost(Duration.ofSeconds(15)).untilAsserted(
                        () -> assertThat(Http.verify(s.apiPort(), alice).statusCode()).isEqualTo(200));
                assertThat(Http.verify(s.apiPort(), bob).statusCode()).isEqualTo(200);
            }

            // Also takes a fresh admin token now, so that the timed call below is the logout alone.
            assertThat(idp.sessions(REALM, aliceId)).as("alice's sessions").hasSize(1);

            // Watched from before the call: Keycloak's admin logout returns only after its back-channel
            // POST was answered, so a watch started afterwards could not see an earlier refusal.
            ExecutorService watchers = Executors.newFixedThreadPool(sidecars.size());
            try (LogCapture audit = LogCapture.info("io.jwtsidecar.audit")) {
                long logoutCallWall = System.currentTimeMillis();
                long logoutCall = System.nanoTime();
                List<Future<Long>> refusals = new ArrayList<>();
                for (Sidecar s : sidecars) {
                    refusals.add(watchers.submit(() -> firstRevokedAt(s, alice, logoutCall + MAX_STALENESS.toNanos())));
                }
                idp.logout(REALM, aliceId);
                long logoutAnswered = System.nanoTime();
                List<ILoggingEvent> published = audit.events();
                long[] refusedAt = new long[sidecars.size()];
                for (int i = 0; i < refusedAt.length; i++) {
                    refusedAt[i] = refusals.get(i).get(MAX_STALENESS.toSeconds() + 5, TimeUnit.SECONDS);
                }
                long last = Arrays.stream(refusedAt).max().orElseThrow();
                long auditAfter = published.isEmpty() ? -1 : published.get(0).getTimeStamp() - logoutCallWall;
                System.out.printf("Keycloak's logout call took %d ms; the receiver's audit line came %d ms after it"
                                + " began; alice refused by a, b, c %d, %d, %d ms after it began (last: %d ms);"
                                + " Keycloak started in %d ms%n",
                        ms(logoutAnswered - logoutCall), auditAfter,
                        ms(refusedAt[0] - logoutCall), ms(refusedAt[1] - logoutCall), ms(refusedAt[2] - logoutCall),
                        ms(last - logoutCall), keycloak.startTime().toMillis());
                assertThat(Duration.ofNanos(last - logoutCall)).isLessThan(MAX_STALENESS);

                // Keycloak's call returns after its back-channel POST was answered: the revocation was
                // published by then, once, and only for alice's session.
                assertThat(published).hasSize(1);
                JsonObject line = new JsonObject(published.get(0).getFormattedMessage());
                assertThat(line.getString("scope")).isEqualTo("sid");
                assertThat(line.getString("value")).isEqualTo(aliceSid);
                assertThat(line.getString("actor")).isEqualTo("idp:" + idp.issuer(REALM));
                assertThat(line.getString("source")).isEqualTo("backchannel_logout");
            } finally {
                watchers.shutdownNow();
            }

            for (Sidecar s : sidecars) {
                assertThat(Http.verify(s.apiPort(), bob).statusCode()).as("bob's session is not alice's").isEqualTo(200);
            }
        }
    }

    /**
     * Asks {@code sidecar} about {@code token} every 20 ms (three watchers asking more often slowed
     * Keycloak itself on two cores) until it refuses it as revoked,
     * and returns when (System.nanoTime()); fails at {@code deadline}.
     */
    private static long firstRevokedAt(Sidecar sidecar, String token, long deadline) throws InterruptedException {
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = Http.verify(sidecar.apiPort(), token);
            if (r.statusCode() == 401 && r.body().contains("\"error\":\"revoked\"")) {
                return System.nanoTime();
            }
            last = r.statusCode() + " " + r.body();
            Thread.sleep(20);
        }
        throw new AssertionError("still not refused as revoked within " + MAX_STALENESS + "; last answer: " + last);
    }

    /** A test sidecar that also trusts the Keycloak realm, by its JWKS URL. */
    private static Sidecar start(String id, boolean admin) throws Exception {
        return start(id, admin, REALM);
    }

    private static Sidecar start(String id, boolean admin, String realm) throws Exception {
        KeycloakAdmin idp = keycloak.admin();
        String yaml = TestSidecars.yaml(id, kafka.bootstrapServers(), dir.resolve(id), admin)
                .replace("revocation:\n", "revocation:\n  maxStaleness: " + MAX_STALENESS.toSeconds() + "s\n")
                + "  - issuer: " + idp.issuer(realm) + "\n"
                + "    audiences: [" + TestSidecars.AUDIENCE + "]\n"
                + "    algorithms: [RS256]\n"
                + "    jwksUri: " + idp.jwksUrl(realm) + "\n"
                + "    logoutClientId: " + CLIENT_ID + "\n";
        return TestSidecars.startReady(TestSidecars.parse(yaml, dir.resolve(id)), Clock.systemUTC());
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    @Test
    void a_logout_signed_with_a_key_keycloak_just_rotated_to_is_still_enforced() throws Exception {
        KeycloakAdmin idp = keycloak.admin();
        String realm = "rotated";
        idp.createRealm(realm);
        try (Sidecar a = start("rotation", true, realm)) {
            KeycloakAdmin.Client client = idp.createClient(realm, CLIENT_ID, TestSidecars.AUDIENCE,
                    "http://127.0.0.1:" + a.adminPort().orElseThrow() + "/v1/backchannel-logout");
            String carolId = idp.createUser(realm, "carol", "carol-password");
            String carol = idp.passwordGrant(realm, client, "carol", "carol-password").accessToken();
            await().atMost(Duration.ofSeconds(15)).untilAsserted(
                    () -> assertThat(Http.verify(a.apiPort(), carol).statusCode()).isEqualTo(200));

            // The sidecar holds the old key set; Keycloak now signs with a key it has never seen.
            String newKid = idp.rotateSigningKey(realm, 200);
            assertThat(newKid).isNotEqualTo(SignedJWT.parse(carol).getHeader().getKeyID());
            idp.logout(realm, carolId);

            // Keycloak sends once and never again: the receiver must fetch the new key within the request.
            await().atMost(MAX_STALENESS).untilAsserted(
                    () -> assertThat(Http.verify(a.apiPort(), carol).body()).contains("\"error\":\"revoked\""));
        }
    }

    private static final String BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";

    /** One request the logout endpoint received, and when (System.nanoTime()). */
    record Received(String method, String contentType, String body, long atNanos) {
    }

    @Test
    void the_logout_token_keycloak_sends_has_the_shape_the_receiver_checks() throws Exception {
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
            String realm = "shape";
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
