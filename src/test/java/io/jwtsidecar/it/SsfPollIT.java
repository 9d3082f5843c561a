package io.jwtsidecar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.SetBuilder;
import io.jwtsidecar.testing.SetBuilder.Subjects;
import io.jwtsidecar.testing.SsfSidecars;
import io.jwtsidecar.testing.SsfTransmitter;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poll delivery of Shared Signals (RFC 8936) end to end: a real sidecar polls the nimbus-built
 * transmitter, publishes to a real Kafka topic, and acknowledges; it is restarted in the middle
 * of the stream, and the transmitter goes down under it.
 */
class SsfPollIT {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.atNow();
    private SsfTransmitter tx;

    @BeforeEach
    void transmitter() throws Exception {
        tx = new SsfTransmitter("https://sidecar.test/ssf");
        tx.requireBearer(SsfSidecars.POLL_TOKEN);
        tx.longPollWait(Duration.ofMillis(200));
    }

    @AfterEach
    void close() {
        tx.close();
    }

    private SidecarConfig config(String id) {
        return SsfSidecars.config(id, kafka.bootstrapServers(), dir.resolve(id), tx, true, "    pollMaxEvents: 2\n");
    }

    private SetBuilder userEvent(String type, String user, long at) {
        return tx.set(type, Map.of("event_timestamp", at)).subject(Subjects.issSub(TestSidecars.ISSUER, user));
    }

    private static int verify(Sidecar s, String subject, long iat, Map<String, ?> claims) {
        return Http.verify(s.apiPort(), TestSidecars.token(subject, iat, claims)).statusCode();
    }

    @Test
    void a_restart_in_the_middle_of_the_stream_loses_nothing_and_publishes_nothing_twice() throws Exception {
        long records = SsfSidecars.recordsOnTopic(kafka.bootstrapServers());
        long t = clock.epochSecond() - 20;
        long before = t - 100;
        String sessionRevoked = tx.set(SsfTransmitter.SESSION_REVOKED, Map.of("event_timestamp", t))
                .subject(Subjects.complex(Subjects.issSub(TestSidecars.ISSUER, "alice"), Subjects.opaque("alice-s1")))
                .txn("txn-7").build();
        List.of(sessionRevoked, userEvent(SsfTransmitter.CREDENTIAL_CHANGE, "bob", t).build(),
                userEvent(SsfTransmitter.TOKEN_CLAIMS_CHANGE, "carol", t).build(),
                userEvent(SsfTransmitter.ASSURANCE_LEVEL_CHANGE, "dave", t).build()).forEach(tx::enqueue);

        // The transmitter goes down right after its first answer: the sidecar applies those two
        // SETs and cannot acknowledge them, and is stopped in that state.
        tx.goDownAfterDelivering(1);
        try (Sidecar first = TestSidecars.startReady(config("poller"), clock)) {
            await().atMost(Duration.ofSeconds(15)).until(() ->
                    SsfSidecars.recordsOnTopic(kafka.bootstrapServers()) == records + 2);
            await().atMost(Duration.ofSeconds(5)).until(() -> tx.hits("/ssf/poll") >= 2); // a poll failed since
        }
        assertThat(tx.acknowledged()).isEmpty();
        assertThat(tx.pending()).isEqualTo(4);
        String bad = userEvent(SsfTransmitter.CREDENTIAL_CHANGE, "erin", t).audience("https://someone-else.test").build();
        String unknown = tx.set("https://schemas.openid.net/secevent/caep/event-type/device-compliance-change",
                Map.of("event_timestamp", t)).subject(Subjects.issSub(TestSidecars.ISSUER, "erin")).build();
        List.of(userEvent(SsfTransmitter.CREDENTIAL_CHANGE, "frank", t).build(),
                // Out of order: older than the one before it, for the same user; it must change nothing.
                userEvent(SsfTransmitter.CREDENTIAL_CHANGE, "frank", t - 300).build(), bad, unknown).forEach(tx::enqueue);

        tx.setDown(false);
        try (Sidecar second = TestSidecars.startReady(config("poller"), clock)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> tx.pending() == 0);

            // Five rules: session-revoked, three user events, the newer frank event. Each once.
            assertThat(SsfSidecars.recordsOnTopic(kafka.bootstrapServers())).isEqualTo(records + 5);
            assertThat(new HashSet<>(tx.acknowledged())).hasSize(7);
            assertThat(tx.setErrors()).containsOnlyKeys(SsfTransmitter.jtiOf(bad));
            assertThat(tx.setErrors().get(SsfTransmitter.jtiOf(bad))).containsEntry("err", "invalid_audience");

            assertThat(verify(second, "alice", before, Map.of("sid", "alice-s1"))).isEqualTo(401);
            assertThat(verify(second, "alice", before, Map.of("sid", "alice-s2"))).isEqualTo(200);
            for (String user : List.of("bob", "carol", "dave", "frank")) {
                assertThat(verify(second, user, before, Map.of())).as(user).isEqualTo(401);
                assertThat(verify(second, user, clock.epochSecond(), Map.of())).as(user).isEqualTo(200);
            }
            assertThat(verify(second, "frank", t - 100, Map.of())).isEqualTo(401); // the older event did not move the rule back
            assertThat(verify(second, "erin", before, Map.of())).isEqualTo(200);
            assertThat(Http.get(second.apiPort(), "/metrics").body())
                    .contains("jwt_sidecar_idp_signals_total{outcome=\"refused_invalid_audience\",source=\"ssf_poll\"}",
                            "jwt_sidecar_idp_signals_total{outcome=\"unknown_event\",source=\"ssf_poll\"}");
        }
    }

    @Test
    void a_transmitter_that_is_down_is_polled_with_backoff_and_named_degraded_while_verification_goes_on() throws Exception {
        try (Sidecar s = TestSidecars.startReady(config("patient"), clock)) {
            String source = "ssf_poll " + tx.issuer();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(readiness(s)
                    .getJsonObject("signalSources").getString(source)).isEqualTo("ok"));

            tx.setDown(true);
            int polled = tx.hits("/ssf/poll");
            Thread.sleep(2000);
            int whileDown = tx.hits("/ssf/poll") - polled;
            // Backoff 200, 400, 800, 800… ms: a handful of tries, not the 50 a 50 ms idle wait would make.
            assertThat(whileDown).isBetween(1, 7);
            var ready = Http.get(s.apiPort(), "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            JsonObject checks = readiness(s);
            assertThat(checks.getJsonArray("degradedSources").getList()).containsExactly(source);
            assertThat(checks.getJsonObject("signalSources").getString(source)).startsWith("degraded: ");
            assertThat(verify(s, "henry", clock.epochSecond(), Map.of())).isEqualTo(200);

            tx.stop(); // connection refused now, not 503
            tx.start();
            tx.setDown(false);
            tx.enqueue(userEvent(SsfTransmitter.CREDENTIAL_CHANGE, "henry", clock.epochSecond() - 20).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> tx.pending() == 0);
            assertThat(verify(s, "henry", clock.epochSecond() - 60, Map.of())).isEqualTo(401);
            assertThat(readiness(s).getJsonArray("degradedSources").getList()).isEmpty();
        }
    }

    private static JsonObject readiness(Sidecar s) {
        JsonObject body = new JsonObject(Http.get(s.apiPort(), "/health/ready").body());
        return body.containsKey("checks") ? body.getJsonObject("checks") : body;
    }
}
