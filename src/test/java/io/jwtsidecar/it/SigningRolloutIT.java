package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.revocation.EventSigner;
import io.jwtsidecar.revocation.PublisherKey;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.PublisherKeys;
import io.jwtsidecar.testing.RawTopic;
import io.jwtsidecar.testing.TestSidecars;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two key procedures of docs/CONFIG.md, done as an operator on Kubernetes would: every step is a
 * configuration change that restarts every sidecar on an empty store (an emptyDir). An outside
 * review found that the one-step versions lose every revocation made before (turning signing on
 * restarted every pod, which then dead-lettered the unsigned history no store held any more;
 * removing a stolen key did the same to what it signed). Done as documented, in two steps with a
 * re-signing pass between, nothing is lost, and a forged restore signed by a stolen key counts for
 * nothing from the first step on.
 */
class SigningRolloutIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    private static SidecarConfig config(String id, PublisherKeys signer, List<PublisherKeys> trusted,
                                        Map<String, PublisherKey.Trust> trust, String extraRevocationLines) {
        String yaml = TestSidecars.signedYaml(id, kafka.bootstrapServers(), dir.resolve(id), signer, dir.resolve("keys"),
                trusted, trust).replace("revocation:\n", "revocation:\n  sweepInterval: 1s\n" + extraRevocationLines);
        return TestSidecars.parse(yaml, dir.resolve(id));
    }

    private static void revoke(Sidecar admin, String subject) {
        HttpResponse<String> r = Http.postJson(admin.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"" + subject + "\",\"reason\":\"logout_all\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }

    /** The newest record of a rule on the topic is signed by {@code kid}. */
    private static void awaitSignedBy(String subject, String kid) {
        RuleKey key = new RuleKey(RevocationScope.SUB, ISSUER, subject);
        try (RawTopic topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC)) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                var records = topic.recordsOf(key);
                var header = records.get(records.size() - 1).headers().lastHeader(EventSigner.HEADER);
                assertThat(header).isNotNull();
                String jws = new String(header.value(), StandardCharsets.US_ASCII);
                assertThat(new String(Base64.getUrlDecoder().decode(jws.substring(0, jws.indexOf('.'))),
                        StandardCharsets.UTF_8)).contains("\"kid\":\"" + kid + "\"");
            });
        }
    }

    @Test
    void signing_turned_on_in_two_steps_keeps_every_revocation_made_before() throws Exception {
        MutableClock clock = MutableClock.atNow();
        PublisherKeys ops = PublisherKeys.ed25519("ops-2026-11");
        String alice = token("alice", clock.epochSecond() - 60);
        try (Sidecar unsigned = TestSidecars.startReady("admin", kafka.bootstrapServers(), dir.resolve("admin-0"), true,
                clock)) {
            revoke(unsigned, "alice");
        }

        // Step 1: keys everywhere, signatures not yet required; the admin sidecars re-sign what is unsigned.
        try (Sidecar admin = TestSidecars.startReady(config("admin-1", ops, List.of(ops), Map.of(),
                "  requireSignedEvents: false\n"), clock)) {
            assertThat(Http.verify(admin.apiPort(), alice).statusCode()).isEqualTo(401);
            awaitSignedBy("alice", ops.kid());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Http.get(admin.apiPort(), "/metrics")
                    .body()).contains("jwt_sidecar_reassertion_last_pass{reason=\"resign\"} 0.0"));
        }

        // Step 2: signatures required; every sidecar starts again on an empty store.
        try (Sidecar admin = TestSidecars.startReady(config("admin-2", ops, List.of(ops), Map.of(), ""), clock);
             Sidecar plain = TestSidecars.startReady(config("plain-2", null, List.of(ops), Map.of(), ""), clock)) {
            for (Sidecar s : new Sidecar[] {admin, plain}) {
                assertThat(Http.verify(s.apiPort(), alice).statusCode()).as("made before signing, kept").isEqualTo(401);
            }
        }
    }

    @Test
    void a_compromised_publisher_key_is_marked_then_removed_and_no_revocation_it_signed_is_lost() throws Exception {
        MutableClock clock = MutableClock.atNow();
        PublisherKeys stolen = PublisherKeys.ed25519("ops-2026-05");
        PublisherKeys next = PublisherKeys.ed25519("ops-2026-12");
        String bob = token("bob", clock.epochSecond() - 60);
        try (Sidecar before = TestSidecars.startReady(config("admin2-0", stolen, List.of(stolen), Map.of(), ""), clock)) {
            revoke(before, "bob");
        }

        // Step 1: the stolen key marked compromised, the admin sidecars sign with a new one.
        try (Sidecar admin = TestSidecars.startReady(config("admin2-1", next, List.of(stolen, next),
                Map.of(stolen.kid(), PublisherKey.Trust.COMPROMISED), ""), clock);
             RawTopic topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC)) {
            assertThat(Http.verify(admin.apiPort(), bob).statusCode()).as("its revokes still count").isEqualTo(401);
            long refused = admin.feed().signatureFailures(); // the other test's records, signed by keys not trusted here
            long now = clock.epochSecond();
            topic.write(topic.signed(RawTopic.restore(RevocationScope.SUB, "bob", now + 1, now + 3600), stolen.signer(), now));
            await().atMost(Duration.ofSeconds(10)).until(() -> admin.feed().signatureFailures() > refused);
            assertThat(Http.verify(admin.apiPort(), bob).statusCode()).as("a restore the thief signed").isEqualTo(401);
            assertThat(admin.feed().signatureFailures()).isEqualTo(refused + 1);
            awaitSignedBy("bob", next.kid());
        }

        // Step 2: the stolen key removed; every sidecar starts again on an empty store.
        try (Sidecar plain = TestSidecars.startReady(config("plain2-2", null, List.of(next), Map.of(), ""), clock)) {
            assertThat(Http.verify(plain.apiPort(), bob).statusCode()).as("signed by the stolen key, re-signed, kept")
                    .isEqualTo(401);
        }
    }
}
