package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An admin sidecar whose clock runs more than ten minutes ahead of the broker's publishes revokes
 * that every sidecar dead-letters (dated too far after their record). It used to answer 202 with
 * {@code appliedLocally: true} (found by an outside review): the operator was told the revocation
 * was accepted, and it was enforced nowhere. The answer is now a 500 saying why.
 */
class AdminClockAheadIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @Test
    void a_revoke_its_own_sidecar_dead_letters_is_answered_500_with_the_reason() throws Exception {
        MutableClock clock = new MutableClock(Instant.ofEpochSecond(Instant.now().getEpochSecond() + 700));
        try (Sidecar admin = TestSidecars.startReady("admin", kafka.bootstrapServers(), dir.resolve("admin"), true, clock)) {
            String dave = token("dave", clock.epochSecond() - 60);

            HttpResponse<String> r = Http.postJson(admin.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                    "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"dave\",\"reason\":\"logout_all\"}");

            assertThat(r.statusCode()).as(r.body()).isEqualTo(500);
            JsonObject answer = new JsonObject(r.body());
            assertThat(answer.getString("error")).isEqualTo("refused_by_sidecars");
            assertThat(answer.getString("message")).contains("is more than 600 s after the record's timestamp");
            assertThat(Http.verify(admin.apiPort(), dave).statusCode()).as("and indeed not enforced").isEqualTo(200);
        }
    }
}
