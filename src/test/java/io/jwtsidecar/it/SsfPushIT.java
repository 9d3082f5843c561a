package io.jwtsidecar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.SetBuilder;
import io.jwtsidecar.testing.SetBuilder.Subjects;
import io.jwtsidecar.testing.SsfSidecars;
import io.jwtsidecar.testing.SsfTransmitter;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Push delivery of Shared Signals (RFC 8935) end to end: a transmitter built on nimbus-jose-jwt
 * pushes CAEP SETs to a real sidecar's admin listener; the sidecar publishes through the admin
 * API's path to a real Kafka topic and enforces the rule on its own verify endpoint.
 */
class SsfPushIT {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    static SsfTransmitter tx;
    static Sidecar sidecar;
    static final MutableClock CLOCK = MutableClock.atNow();

    @BeforeAll
    static void start() throws Exception {
        tx = new SsfTransmitter("https://sidecar.test/ssf");
        Path dir = Files.createTempDirectory("ssf-push-");
        sidecar = TestSidecars.startReady(SsfSidecars.config("push", kafka.bootstrapServers(), dir.resolve("store"), tx, false,
                ""), CLOCK);
        // The transmitter's keys come from its JWKS: wait until they are there.
        await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(sidecar.apiPort(), "/health/ready").statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        sidecar.close();
        tx.close();
    }

    private static String url() {
        return "http://127.0.0.1:" + sidecar.adminPort().orElseThrow() + "/v1/ssf/events";
    }

    private static HttpResponse<String> push(String set) {
        return SsfTransmitter.push(url(), set, SsfSidecars.PUSH_TOKEN);
    }

    private static long now() {
        return CLOCK.epochSecond();
    }

    private static int verify(String subject, long iat, Map<String, ?> claims) {
        return Http.verify(sidecar.apiPort(), TestSidecars.token(subject, iat, claims)).statusCode();
    }

    private static SetBuilder userEvent(String type, String user, long at) {
        return tx.set(type, Map.of("event_timestamp", at)).subject(Subjects.issSub(TestSidecars.ISSUER, user));
    }

    @Test
    void every_mapped_caep_event_revokes_the_right_tokens_and_no_others() {
        long before = now() - 60;
        // session-revoked: that session dies; the user's other session and other users live.
        assertThat(push(tx.set(SsfTransmitter.SESSION_REVOKED, Map.of("event_timestamp", now()))
                .subject(Subjects.complex(Subjects.issSub(TestSidecars.ISSUER, "alice"), Subjects.opaque("alice-s1")))
                .txn("txn-1").build()).statusCode()).isEqualTo(202);
        assertThat(verify("alice", before, Map.of("sid", "alice-s1"))).isEqualTo(401);
        assertThat(verify("alice", before, Map.of("sid", "alice-s2"))).isEqualTo(200);
        assertThat(verify("zoe", before, Map.of("sid", "zoe-s1"))).isEqualTo(200);

        for (String[] typeAndUser : new String[][] {{SsfTransmitter.CREDENTIAL_CHANGE, "bob"},
                {SsfTransmitter.TOKEN_CLAIMS_CHANGE, "carol"}, {SsfTransmitter.ASSURANCE_LEVEL_CHANGE, "dave"}}) {
            HttpResponse<String> r = push(userEvent(typeAndUser[0], typeAndUser[1], now() - 20).build());
            assertThat(r.statusCode()).as(typeAndUser[0]).isEqualTo(202);
            assertThat(r.body()).isEmpty();
            assertThat(verify(typeAndUser[1], before, Map.of())).as(typeAndUser[0]).isEqualTo(401);
            // A token issued after the change (fresh claims, new level) is good.
            assertThat(verify(typeAndUser[1], now(), Map.of())).as(typeAndUser[0]).isEqualTo(200);
            assertThat(verify("zoe", before, Map.of())).isEqualTo(200);
        }
        String metrics = Http.get(sidecar.apiPort(), "/metrics").body();
        assertThat(metrics).contains("jwt_sidecar_idp_signals_total{outcome=\"published\",source=\"ssf_push\"}");
    }

    @Test
    void a_replayed_set_is_refused_and_publishes_nothing() {
        String set = userEvent(SsfTransmitter.CREDENTIAL_CHANGE, "erin", now()).build();
        assertThat(push(set).statusCode()).isEqualTo(202);
        long records = SsfSidecars.recordsOnTopic(kafka.bootstrapServers());

        HttpResponse<String> again = push(set);

        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(again.body()).getString("err")).isEqualTo("invalid_request");
        assertThat(SsfSidecars.recordsOnTopic(kafka.bootstrapServers())).isEqualTo(records);
    }

    @Test
    void a_set_signed_with_a_key_the_transmitter_just_rotated_to_is_taken_not_dropped() {
        assertThat(push(userEvent(SsfTransmitter.CREDENTIAL_CHANGE, "gail", now()).build()).statusCode()).isEqualTo(202);
        long before = now() - 60;
        // The sidecar holds the old key set (fetched at start); an invalid_key answer would make the
        // transmitter drop the SET, so the receiver must fetch the new key within the request.
        tx.rotateKey("ssf-rotated");

        HttpResponse<String> r = push(userEvent(SsfTransmitter.CREDENTIAL_CHANGE, "gail-2", now()).build());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(verify("gail-2", before, Map.of())).isEqualTo(401);
    }

    @Test
    void an_older_event_after_a_newer_one_changes_nothing() {
        long t2 = now();
        assertThat(push(userEvent(SsfTransmitter.CREDENTIAL_CHANGE, "frank", t2).build()).statusCode()).isEqualTo(202);
        long records = SsfSidecars.recordsOnTopic(kafka.bootstrapServers());

        HttpResponse<String> older = push(userEvent(SsfTransmitter.CREDENTIAL_CHANGE, "frank", t2 - 300).build());

        assertThat(older.statusCode()).isEqualTo(202); // delivered, and already covered by the newer rule
        assertThat(SsfSidecars.recordsOnTopic(kafka.bootstrapServers())).isEqualTo(records);
        // Tokens between the two times stay revoked: the rule was not moved back.
        assertThat(verify("frank", t2 - 100, Map.of())).isEqualTo(401);
    }

    @Test
    void an_unknown_event_type_is_acknowledged_counted_and_publishes_nothing() {
        long records = SsfSidecars.recordsOnTopic(kafka.bootstrapServers());
        HttpResponse<String> r = push(tx.set("https://schemas.openid.net/secevent/caep/event-type/device-compliance-change",
                Map.of("event_timestamp", now())).subject(Subjects.issSub(TestSidecars.ISSUER, "gina")).build());
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(SsfSidecars.recordsOnTopic(kafka.bootstrapServers())).isEqualTo(records);
        assertThat(Http.get(sidecar.apiPort(), "/metrics").body())
                .contains("jwt_sidecar_idp_signals_total{outcome=\"unknown_event\",source=\"ssf_push\"}");
    }

    /** A request a transmitter could send: content type, credential and SET. */
    record Push(String contentType, String bearer, String set) {
    }

    static Stream<Arguments> rfc8935_musts() {
        Function<SetBuilder, Push> ok = b -> new Push("application/secevent+jwt", SsfSidecars.PUSH_TOKEN, b.build());
        return Stream.of(
                Arguments.of("§2: a SET is sent as application/secevent+jwt; another media type is invalid_request",
                        (Function<SetBuilder, Push>) b -> new Push("application/json", SsfSidecars.PUSH_TOKEN, b.build()),
                        "invalid_request"),
                Arguments.of("§2.3: a body that is not a SET is invalid_request",
                        (Function<SetBuilder, Push>) b -> new Push("application/secevent+jwt", SsfSidecars.PUSH_TOKEN,
                                "not.a.set"), "invalid_request"),
                Arguments.of("§2.3: a SET signed with a key the transmitter does not publish is invalid_key",
                        ok.compose((SetBuilder b) -> b.signedWith(SsfTransmitter.newKey(SsfTransmitter.KID))), "invalid_key"),
                Arguments.of("§2.3: a SET from an issuer that is not the transmitter is invalid_issuer",
                        ok.compose((SetBuilder b) -> b.issuer("https://impostor.test")), "invalid_issuer"),
                Arguments.of("§2.3: a SET for another audience is invalid_audience",
                        ok.compose((SetBuilder b) -> b.audience("https://someone-else.test")), "invalid_audience"),
                Arguments.of("§2.3: a push without the configured credential is authentication_failed",
                        (Function<SetBuilder, Push>) b -> new Push("application/secevent+jwt", null, b.build()),
                        "authentication_failed"),
                Arguments.of("§2.3: a push with a wrong credential is authentication_failed",
                        (Function<SetBuilder, Push>) b -> new Push("application/secevent+jwt", "wrong", b.build()),
                        "authentication_failed"),
                Arguments.of("§2.3: a SET about an issuer the transmitter may not speak for is access_denied",
                        ok.compose((SetBuilder b) -> b.subject(Subjects.issSub(tx.issuer().replace("127.0.0.1", "localhost"),
                                "mallory"))), "access_denied"),
                Arguments.of("RFC 8417 §2.3: a SET without typ secevent+jwt is invalid_request",
                        ok.compose((SetBuilder b) -> b.typ(null)), "invalid_request"),
                Arguments.of("RFC 8417 §2.2: a SET without jti is invalid_request",
                        ok.compose((SetBuilder b) -> b.jti(null)), "invalid_request"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rfc8935_musts")
    void each_refusal_is_a_400_with_the_registered_code_and_publishes_nothing(String rule, Function<SetBuilder, Push> request,
                                                                              String err) throws Exception {
        long records = SsfSidecars.recordsOnTopic(kafka.bootstrapServers());
        Push p = request.apply(userEvent(SsfTransmitter.CREDENTIAL_CHANGE, "mallory", now()));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url())).header("Content-Type", p.contentType())
                .POST(HttpRequest.BodyPublishers.ofString(p.set()));
        if (p.bearer() != null) {
            b.header("Authorization", "Bearer " + p.bearer());
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).as(rule).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getString("err")).as(rule).isEqualTo(err);
        assertThat(body.getString("description")).isNotBlank();
        assertThat(SsfSidecars.recordsOnTopic(kafka.bootstrapServers())).isEqualTo(records);
        assertThat(verify("mallory", now() - 60, Map.of())).isEqualTo(200);
    }
}
