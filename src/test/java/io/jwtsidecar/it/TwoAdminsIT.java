package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.LaggingConsumer;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.PublisherKeys;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two admin sidecars (several pods behind one admin Service): a revocation one accepts right after
 * a restore on the other is enforced everywhere (found by an outside review: the revoke was dated
 * in the restore's second by an admin sidecar that had not seen the restore yet, a tie went to the
 * restore, and the revoke, answered with 202, took effect nowhere; a second review found the same
 * with the two admin sidecars' clocks two seconds apart). An admin sidecar whose revoke lost to a
 * restore it had not read publishes it again, dated after that restore; the 202 says what the
 * event did, and names the overtaken one.
 */
class TwoAdminsIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    private static final PublisherKeys OPS = PublisherKeys.ed25519("ops-2026-11");

    private static io.jwtsidecar.config.SidecarConfig config(String id, String consumerLines) {
        String yaml = TestSidecars.signedYaml(id, kafka.bootstrapServers(), dir.resolve(id), OPS, dir.resolve("keys-" + id),
                List.of(OPS), Set.of());
        yaml = yaml.replace("  statusTopic: ", consumerLines + "  statusTopic: ");
        return TestSidecars.parse(yaml, dir.resolve(id));
    }

    @Test
    void a_revoke_accepted_by_one_admin_sidecar_right_after_a_restore_on_another_is_enforced_everywhere() throws Exception {
        MutableClock clock = MutableClock.atNow(); // both admin sidecars read the same second
        restoreOnAThenRevokeOnB("carol", clock, clock, Duration.ZERO);
    }

    @Test
    void the_same_with_the_two_admin_sidecars_clocks_two_seconds_apart() throws Exception {
        long t = Instant.now().getEpochSecond();
        restoreOnAThenRevokeOnB("dave", new MutableClock(Instant.ofEpochSecond(t + 2)), // A's node runs ahead
                new MutableClock(Instant.ofEpochSecond(t)), Duration.ofSeconds(60));
    }

    /**
     * A revokes {@code subject}, and both enforce it; {@code later}, the operator lifts it on A (a
     * mistake), then revokes again, and the load balancer picks B, whose feed lags by up to three
     * seconds (its consumer hands records over three seconds late, as a loaded one might).
     */
    private static void restoreOnAThenRevokeOnB(String subject, MutableClock clockA, MutableClock clockB, Duration later)
            throws Exception {
        String token = token(subject, clockB.epochSecond() - 60);
        String path = "/v1/revocations/sub/" + URLEncoder.encode(ISSUER, StandardCharsets.UTF_8) + "/" + subject;
        String body = "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"" + subject
                + "\",\"reason\":\"logout_all\"}";
        try (Sidecar a = TestSidecars.startReady(config(subject + "-a", ""), clockA);
             Sidecar b = TestSidecars.startReady(config(subject + "-b",
                     "  consumer:\n    interceptor.classes: " + LaggingConsumer.class.getName() + "\n    "
                             + LaggingConsumer.LAG_KEY + ": \"3000\"\n"), clockB)) {
            HttpResponse<String> first = Http.postJson(a.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN, body);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
            for (Sidecar s : new Sidecar[] {a, b}) {
                await().atMost(Duration.ofSeconds(20)).until(() -> Http.verify(s.apiPort(), token).statusCode() == 401);
            }
            clockA.advance(later);
            if (clockB != clockA) {
                clockB.advance(later);
            }
            long read = b.feed().recordsConsumed();

            HttpResponse<String> restore = Http.deleteWithBearer(a.adminPort().orElseThrow(), path, ADMIN_TOKEN);
            assertThat(restore.statusCode()).as(restore.body()).isEqualTo(202);
            HttpResponse<String> again = Http.postJson(b.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN, body);

            assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
            JsonObject answer = new JsonObject(again.body());
            assertThat(answer.getBoolean("appliedLocally")).isTrue();
            assertThat(answer.getString("effect")).as("what the revoke did on B").isEqualTo("created");
            assertThat(answer.getLong("at")).as("dated after A's restore").isGreaterThan(new JsonObject(restore.body())
                    .getLong("at"));
            for (Sidecar s : new Sidecar[] {a, b}) {
                await().atMost(Duration.ofSeconds(10)).until(() -> s.feed().recordsConsumed() >= read + 2);
                HttpResponse<String> verdict = Http.verify(s.apiPort(), token);
                assertThat(verdict.statusCode())
                        .as("the revoke B accepted (%s) after A's restore (%s) must be enforced: %s", again.body(),
                                restore.body(), verdict.body())
                        .isEqualTo(401);
            }
        }
    }
}
