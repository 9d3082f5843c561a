package io.jwtsidecar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.jwtsidecar.testing.SetBuilder.Subjects;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The test SSF transmitter does what the receivers' tests rely on. */
class SsfTransmitterTest {
    private final SsfTransmitter tx = open();

    private static SsfTransmitter open() {
        try {
            return new SsfTransmitter("sidecar-test");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void close() {
        tx.close();
    }

    @Test
    void serves_ssf_metadata_naming_both_delivery_methods_and_a_jwks_that_verifies_its_sets() throws Exception {
        Map<String, Object> meta = JSONObjectUtils.parse(Http.get(port(), "/.well-known/ssf-configuration").body());
        assertThat(meta).containsEntry("spec_version", "1_0").containsEntry("issuer", tx.issuer())
                .containsEntry("jwks_uri", tx.url("/jwks")).containsEntry("configuration_endpoint", tx.url("/ssf/stream"));
        assertThat(JSONObjectUtils.getStringList(meta, "delivery_methods_supported"))
                .containsExactly(SsfTransmitter.PUSH_METHOD, SsfTransmitter.POLL_METHOD);

        ECKey key = (ECKey) JWKSet.parse(Http.get(port(), "/jwks").body()).getKeyByKeyId(SsfTransmitter.KID);
        assertThat(key.isPrivate()).isFalse();
        String set = tx.set(SsfTransmitter.SESSION_REVOKED, Map.of("event_timestamp", 1_700_000_000L))
                .subject(Subjects.complex(Subjects.issSub("https://idp", "alice"), Subjects.opaque("s-1")))
                .txn("t-1").build();
        SignedJWT jwt = SignedJWT.parse(set);
        assertThat(jwt.verify(new ECDSAVerifier(key))).isTrue();
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.getHeader().getType().getType()).isEqualTo("secevent+jwt");
        var claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo(tx.issuer());
        assertThat(claims.getAudience()).containsExactly("sidecar-test");
        assertThat(claims.getJWTID()).isNotBlank();
        assertThat(claims.getStringClaim("txn")).isEqualTo("t-1");
        assertThat(claims.getJSONObjectClaim("sub_id")).containsEntry("format", "complex");
        assertThat(SetBuilder.eventTypes(set)).containsExactly(SsfTransmitter.SESSION_REVOKED);
    }

    @Test
    void the_bad_variants_are_bad_in_exactly_one_way() throws Exception {
        ECKey trusted = (ECKey) JWKSet.parse(Http.get(port(), "/jwks").body()).getKeyByKeyId(SsfTransmitter.KID);
        Map<String, Object> ev = Map.of("event_timestamp", 1L);
        assertThat(SignedJWT.parse(tx.set(SsfTransmitter.CREDENTIAL_CHANGE, ev).badSignature().build())
                .verify(new ECDSAVerifier(trusted))).isFalse();
        assertThat(SignedJWT.parse(tx.set(SsfTransmitter.CREDENTIAL_CHANGE, ev)
                .signedWith(SsfTransmitter.newKey(SsfTransmitter.KID)).build()).verify(new ECDSAVerifier(trusted))).isFalse();
        assertThat(JWTParser.parse(tx.set(SsfTransmitter.CREDENTIAL_CHANGE, ev).algNone().build())).isInstanceOf(PlainJWT.class);
        assertThat(SignedJWT.parse(tx.set(SsfTransmitter.CREDENTIAL_CHANGE, ev).typ(null).build()).getHeader().getType()).isNull();
        assertThat(SignedJWT.parse(tx.set(SsfTransmitter.CREDENTIAL_CHANGE, ev).jti(null).build()).getJWTClaimsSet()
                .getJWTID()).isNull();
        String two = tx.set(SsfTransmitter.CREDENTIAL_CHANGE, ev).event(SsfTransmitter.SESSION_REVOKED, ev).build();
        assertThat(SetBuilder.eventTypes(two)).hasSize(2);
        assertThat(SignedJWT.parse(tx.set(SsfTransmitter.CREDENTIAL_CHANGE, ev).eventsAsArray().build())
                .getJWTClaimsSet().getClaim("events")).isInstanceOf(List.class);
    }

    @Test
    void poll_delivers_unacknowledged_sets_again_and_forgets_acknowledged_or_refused_ones() throws Exception {
        String a = tx.set(SsfTransmitter.SESSION_REVOKED, Map.of()).build();
        String b = tx.set(SsfTransmitter.CREDENTIAL_CHANGE, Map.of()).build();
        String c = tx.set(SsfTransmitter.TOKEN_CLAIMS_CHANGE, Map.of()).build();
        List.of(a, b, c).forEach(tx::enqueue);

        Map<String, Object> first = poll("{\"maxEvents\":2,\"returnImmediately\":true}");
        assertThat(JSONObjectUtils.getJSONObject(first, "sets")).containsOnlyKeys(SsfTransmitter.jtiOf(a), SsfTransmitter.jtiOf(b));
        assertThat(first).containsEntry("moreAvailable", true);

        Map<String, Object> second = poll("{\"ack\":[\"" + SsfTransmitter.jtiOf(a) + "\"],\"setErrs\":{\""
                + SsfTransmitter.jtiOf(b) + "\":{\"err\":\"invalid_key\",\"description\":\"x\"}},\"returnImmediately\":true}");
        assertThat(JSONObjectUtils.getJSONObject(second, "sets")).containsOnlyKeys(SsfTransmitter.jtiOf(c));
        assertThat(second).containsEntry("moreAvailable", false);
        assertThat(tx.acknowledged()).containsExactly(SsfTransmitter.jtiOf(a));
        assertThat(tx.setErrors().get(SsfTransmitter.jtiOf(b))).containsEntry("err", "invalid_key");

        poll("{\"ack\":[\"" + SsfTransmitter.jtiOf(c) + "\"],\"returnImmediately\":true}");
        assertThat(tx.pending()).isZero();
    }

    @Test
    void a_stream_configuration_names_the_poll_endpoint_and_a_bearer_is_checked_when_configured() throws Exception {
        tx.requireBearer("tx-secret");
        assertThat(Http.get(port(), "/ssf/stream").statusCode()).isEqualTo(401);
        var streams = Http.getWithBearer(port(), "/ssf/stream", "tx-secret");
        assertThat(streams.statusCode()).isEqualTo(200);
        assertThat(streams.body()).contains(SsfTransmitter.POLL_METHOD, tx.url("/ssf/poll"));
        assertThat(Http.postJson(port(), "/ssf/poll", null, "{}").statusCode()).isEqualTo(401);
        assertThat(Http.postJson(port(), "/ssf/poll", "tx-secret", "{\"returnImmediately\":true}").statusCode()).isEqualTo(200);
        var created = Http.postJson(port(), "/ssf/stream", "tx-secret",
                "{\"delivery\":{\"method\":\"" + SsfTransmitter.POLL_METHOD + "\"}}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(JSONObjectUtils.getJSONObject(JSONObjectUtils.parse(created.body()), "delivery"))
                .containsEntry("endpoint_url", tx.url("/ssf/poll"));
    }

    @Test
    void stopped_refuses_connections_and_keeps_its_queue_for_when_it_is_back() throws Exception {
        tx.enqueue(tx.set(SsfTransmitter.SESSION_REVOKED, Map.of()).build());
        tx.stop();
        assertThrows(IllegalStateException.class, () -> Http.get(port(), "/jwks"));
        tx.start();
        assertThat(JSONObjectUtils.getJSONObject(poll("{\"returnImmediately\":true}"), "sets")).hasSize(1);
        tx.setDown(true);
        assertThat(Http.get(port(), "/jwks").statusCode()).isEqualTo(503);
    }

    @Test
    void push_posts_a_secevent_jwt_with_the_bearer_and_returns_the_answer() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/events", ex -> {
            seen.set(ex.getRequestHeaders().getFirst("Content-Type") + " " + ex.getRequestHeaders().getFirst("Authorization")
                    + " " + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(202, -1);
            ex.close();
        });
        receiver.start();
        try {
            String set = tx.set(SsfTransmitter.SESSION_REVOKED, Map.of()).build();
            var answer = SsfTransmitter.push("http://127.0.0.1:" + receiver.getAddress().getPort() + "/events", set, "rx");
            assertThat(answer.statusCode()).isEqualTo(202);
            assertThat(seen.get()).isEqualTo("application/secevent+jwt Bearer rx " + set);
        } finally {
            receiver.stop(0);
        }
    }

    private int port() {
        return Integer.parseInt(tx.issuer().substring(tx.issuer().lastIndexOf(':') + 1));
    }

    private Map<String, Object> poll(String body) throws Exception {
        var r = Http.postJson(port(), "/ssf/poll", null, body);
        assertThat(r.statusCode()).isEqualTo(200);
        return JSONObjectUtils.parse(r.body());
    }
}
