package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.revocation.EventSigner;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.PublisherKeys;
import io.jwtsidecar.testing.RawTopic;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only a publisher key makes or lifts a rule (issue: "anyone who can write to the topic is an
 * admin"). Two sidecars on a real broker trust a current and a retired publisher key; the admin
 * sidecar signs with the current one. Records written straight to the topic, unsigned, signed by
 * an unknown key, or with a genuine signature moved onto another record, change no verdict and are
 * dead-lettered and counted; signatures stop forgery but not replay, so captured signed events
 * written again never undo a newer one.
 */
class SignedEventsIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(3);

    private static final PublisherKeys RETIRED = PublisherKeys.ed25519("ops-2026-05");
    private static final PublisherKeys CURRENT = PublisherKeys.es256("ops-2026-11");
    private static final PublisherKeys MALLORY = PublisherKeys.ed25519("ops-2026-11-mallory");
    private static final MutableClock clock = MutableClock.atNow();
    private static Sidecar admin;
    private static Sidecar plain;
    private static RawTopic topic;

    @BeforeAll
    static void start() throws Exception {
        topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC);
        // Signed with the old key before the rotation: already on the topic when the sidecars first read it.
        topic.write(topic.signed(RawTopic.revoke(RevocationScope.SUB, "carol", clock.epochSecond() - 5,
                clock.epochSecond() + 3600), RETIRED.signer(), clock.epochSecond()));
        admin = TestSidecars.startReady(config("admin", CURRENT), clock);
        plain = TestSidecars.startReady(config("plain", null), clock);
    }

    private static io.jwtsidecar.config.SidecarConfig config(String id, PublisherKeys signer) {
        String yaml = TestSidecars.signedYaml(id, kafka.bootstrapServers(), dir.resolve(id), signer, dir.resolve("keys"),
                List.of(RETIRED, CURRENT), Set.of(RETIRED.kid()))
                .replace("revocation:\n", "revocation:\n  sweepInterval: 1s\n");
        return TestSidecars.parse(yaml, dir.resolve(id));
    }

    @AfterAll
    static void stop() {
        topic.close();
        plain.close();
        admin.close();
    }

    private static JsonObject post(String json) {
        HttpResponse<String> r = Http.postJson(admin.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN, json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return new JsonObject(r.body());
    }

    private static JsonObject revokeSub(String subject) {
        return post("{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"" + subject + "\"}");
    }

    private static JsonObject restoreSub(String subject) {
        HttpResponse<String> r = Http.deleteWithBearer(admin.adminPort().orElseThrow(), "/v1/revocations/sub/"
                + URLEncoder.encode(ISSUER, StandardCharsets.UTF_8) + "/" + subject, ADMIN_TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return new JsonObject(r.body());
    }

    private static void awaitVerdict(String token, int status) {
        for (Sidecar s : new Sidecar[] {admin, plain}) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(
                    () -> assertThat(Http.verify(s.apiPort(), token).statusCode()).isEqualTo(status));
        }
    }

    private static void awaitRead(long offsetsAfter) {
        for (Sidecar s : new Sidecar[] {admin, plain}) {
            await().atMost(Duration.ofSeconds(20)).until(() -> s.feed().recordsConsumed() >= offsetsAfter);
        }
    }

    private static double metric(Sidecar s, String line) {
        String body = Http.get(s.apiPort(), "/metrics").body();
        return body.lines().filter(l -> l.startsWith(line + " ")).mapToDouble(l -> Double.parseDouble(l.substring(
                l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }

    @Test
    void forged_unsigned_and_foreign_key_events_written_to_the_topic_change_no_verdict_and_are_dead_lettered()
            throws Exception {
        String aliceToken = token("alice", clock.epochSecond() - 60);
        JsonObject revoked = revokeSub("alice");
        awaitVerdict(aliceToken, 401);
        long failuresBefore = admin.feed().signatureFailures();
        long plainFailuresBefore = plain.feed().signatureFailures();
        long read = admin.feed().recordsConsumed();
        long now = clock.epochSecond();

        // 1. A hand-written restore without any signature.
        topic.write(topic.record(RawTopic.restore(RevocationScope.SUB, "alice", now + 1, now + 3600)));
        // 2. Re-signed by a key nobody trusts (named like a trusted one).
        topic.write(topic.signed(RawTopic.restore(RevocationScope.SUB, "alice", now + 1, now + 3600),
                MALLORY.signer(), now));
        // 3. The admin's genuine signature, captured from the topic and put on a forged restore.
        ConsumerRecord<byte[], byte[]> genuine = topic.read(revoked.getInteger("partition"), revoked.getLong("offset"));
        ProducerRecord<byte[], byte[]> moved = topic.record(RawTopic.restore(RevocationScope.SUB, "alice", now + 1,
                now + 3600));
        moved.headers().add(EventSigner.HEADER, genuine.headers().lastHeader(EventSigner.HEADER).value());
        topic.write(moved);
        // 4. A signed event of another rule, its key rewritten to alice's rule.
        ProducerRecord<byte[], byte[]> bob = topic.signed(RawTopic.restore(RevocationScope.SUB, "bob", now + 1,
                now + 3600), CURRENT.signer(), now);
        topic.write(new ProducerRecord<>(TestSidecars.TOPIC, null, new RuleKey(RevocationScope.SUB, ISSUER, "alice").toBytes(),
                bob.value(), bob.headers()));
        awaitRead(read + 4);

        for (Sidecar s : new Sidecar[] {admin, plain}) {
            HttpResponse<String> r = Http.verify(s.apiPort(), aliceToken);
            assertThat(r.statusCode()).as("no forged restore lifts the revocation").isEqualTo(401);
            assertThat(r.body()).contains("\"error\":\"revoked\"");
        }
        assertThat(admin.feed().signatureFailures() - failuresBefore).isEqualTo(3);
        assertThat(plain.feed().signatureFailures() - plainFailuresBefore).isEqualTo(3);
        assertThat(metric(plain, "jwt_sidecar_feed_signature_failures_total")).isGreaterThanOrEqualTo(3);
        JsonObject letters = new JsonObject(Http.getWithBearer(admin.adminPort().orElseThrow(),
                "/v1/dead-letters?limit=1000", ADMIN_TOKEN).body());
        List<String> reasons = letters.getJsonArray("deadLetters").stream().map(o -> ((JsonObject) o).getString("reason"))
                .toList();
        assertThat(reasons).contains("signature: missing (revocation.requireSignedEvents is on)",
                "signature: signed by unknown publisher key 'ops-2026-11-mallory'",
                "signature: made for another record value",
                "record key is not the rule key sub:" + ISSUER + ":bob");
        assertThat(Http.getWithBearer(admin.adminPort().orElseThrow(), "/v1/revocations/sub/"
                + URLEncoder.encode(ISSUER, StandardCharsets.UTF_8) + "/alice", ADMIN_TOKEN).statusCode())
                .as("the lookup and the verdict agree").isEqualTo(200);
    }

    @Test
    void signed_events_of_a_retired_publisher_key_still_apply_and_the_admin_sidecar_re_signs_them() throws Exception {
        long now = clock.epochSecond();
        awaitVerdict(token("carol", now - 60), 401);
        // After the rotation: an event the retired key signed still counts, as does the current key's.
        topic.write(topic.signed(RawTopic.revoke(RevocationScope.SUB, "dan", now, now + 3600), RETIRED.signer(), now));
        topic.write(topic.signed(RawTopic.revoke(RevocationScope.SUB, "erin", now, now + 3600), CURRENT.signer(), now));
        awaitVerdict(token("dan", now - 60), 401);
        awaitVerdict(token("erin", now - 60), 401);

        // The admin sidecar re-publishes what the retired key last signed, with its own key.
        RuleKey carol = new RuleKey(RevocationScope.SUB, ISSUER, "carol");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(topic.recordsOf(carol))
                .extracting(r -> headerOf(new String(r.headers().lastHeader(EventSigner.HEADER).value(),
                        StandardCharsets.US_ASCII)))
                .anySatisfy(header -> assertThat(header).contains("\"kid\":\"" + CURRENT.kid() + "\"")));

        // A sidecar that trusts only the current key, started from an empty store, still gets every rule.
        String yaml = TestSidecars.signedYaml("fresh", kafka.bootstrapServers(), dir.resolve("fresh"), null,
                dir.resolve("keys"), List.of(CURRENT), Set.of());
        try (Sidecar fresh = TestSidecars.startReady(TestSidecars.parse(yaml, dir.resolve("fresh")), clock)) {
            assertThat(Http.verify(fresh.apiPort(), token("carol", now - 60)).statusCode()).isEqualTo(401);
            assertThat(Http.verify(fresh.apiPort(), token("erin", now - 60)).statusCode()).isEqualTo(401);
        }
    }

    private static String headerOf(String jws) {
        return new String(java.util.Base64.getUrlDecoder().decode(jws.substring(0, jws.indexOf('.'))),
                StandardCharsets.UTF_8);
    }

    @Test
    void a_captured_signed_restore_replayed_after_a_newer_revoke_lifts_nothing() throws Exception {
        String frankToken = token("frank", clock.epochSecond() - 60);
        revokeSub("frank");
        awaitVerdict(frankToken, 401);
        JsonObject restore = restoreSub("frank");
        awaitVerdict(frankToken, 200);
        ConsumerRecord<byte[], byte[]> captured = topic.read(restore.getInteger("partition"), restore.getLong("offset"));
        revokeSub("frank");
        awaitVerdict(frankToken, 401);
        long read = plain.feed().recordsConsumed();

        topic.replay(captured);
        awaitRead(read + 1);

        for (Sidecar s : new Sidecar[] {admin, plain}) {
            assertThat(Http.verify(s.apiPort(), frankToken).statusCode()).as("the replayed restore is older than the "
                    + "revocation it would lift").isEqualTo(401);
        }
        assertThat(metric(plain, "jwt_sidecar_feed_events_without_effect_total{effect=\"ignored_older_restore\"}"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void a_captured_signed_revoke_replayed_after_a_newer_restore_revokes_nothing() throws Exception {
        String graceToken = token("grace", clock.epochSecond() - 60);
        JsonObject revoke = revokeSub("grace");
        awaitVerdict(graceToken, 401);
        ConsumerRecord<byte[], byte[]> captured = topic.read(revoke.getInteger("partition"), revoke.getLong("offset"));
        restoreSub("grace");
        awaitVerdict(graceToken, 200);
        long read = plain.feed().recordsConsumed();

        topic.replay(captured);
        awaitRead(read + 1);

        for (Sidecar s : new Sidecar[] {admin, plain}) {
            assertThat(Http.verify(s.apiPort(), graceToken).statusCode()).as("the replayed revoke is not later than "
                    + "the restore").isEqualTo(200);
        }
        // The topic's newest record of grace's rule is now the replayed revoke: the admin sidecar says the restore again.
        RuleKey grace = new RuleKey(RevocationScope.SUB, ISSUER, "grace");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<ConsumerRecord<byte[], byte[]>> records = topic.recordsOf(grace);
            RevocationEvent last = topic.codec().decode(records.get(records.size() - 1).value());
            assertThat(last.type()).isEqualTo(RevocationEvent.Type.RESTORE);
            assertThat(last.reason()).isEqualTo("reassert:not_current");
        });
    }
}
