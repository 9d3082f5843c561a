package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import io.jwtsidecar.testing.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two sidecars on one real Kafka broker (in this JVM): a revocation made through one admin API
 * reaches both, and a token issued after it is accepted again.
 */
class TwoSidecarsIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(3);

    @Test
    void a_sub_revocation_on_one_admin_api_is_enforced_by_both_sidecars() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar a = TestSidecars.startReady("a", kafka.bootstrapServers(), dir.resolve("a"), true, clock);
             Sidecar b = TestSidecars.startReady("b", kafka.bootstrapServers(), dir.resolve("b"), false, clock)) {
            String aliceToken = token("alice", clock.epochSecond() - 60);
            String bobToken = token("bob", clock.epochSecond() - 60);
            assertThat(Http.verify(a.apiPort(), aliceToken).statusCode()).isEqualTo(200);
            assertThat(Http.verify(b.apiPort(), aliceToken).statusCode()).isEqualTo(200);

            HttpResponse<String> revoked = Http.postJson(a.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                    "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"alice\",\"reason\":\"logout_all\"}");
            assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(202);
            assertThat(revoked.body()).contains("\"appliedLocally\":true");
            assertThat(Http.verify(a.apiPort(), aliceToken).body())
                    .as("the admin's own sidecar enforces the revocation by the time it answers 202")
                    .contains("\"error\":\"revoked\"");

            for (Sidecar s : new Sidecar[] {a, b}) {
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    HttpResponse<String> r = Http.verify(s.apiPort(), aliceToken);
                    assertThat(r.statusCode()).isEqualTo(401);
                    assertThat(r.body()).contains("\"error\":\"revoked\"");
                    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                            v -> assertThat(v).contains("error=\"invalid_token\"").contains("error_description=\"revoked\""));
                });
                assertThat(Http.verify(s.apiPort(), bobToken).statusCode()).as("other subjects are untouched").isEqualTo(200);
            }

            // Log in again after the revocation (beyond the clock skew): the fresh token is good everywhere.
            clock.advance(TestSidecars.SKEW.plusSeconds(1));
            String freshToken = token("alice", clock.epochSecond());
            assertThat(Http.verify(a.apiPort(), freshToken).statusCode()).isEqualTo(200);
            assertThat(Http.verify(b.apiPort(), freshToken).statusCode()).isEqualTo(200);
            assertThat(Http.verify(b.apiPort(), aliceToken).statusCode()).as("the old token stays revoked").isEqualTo(401);
        }
    }
}
