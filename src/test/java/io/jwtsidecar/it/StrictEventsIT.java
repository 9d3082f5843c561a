package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawTopic;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events are decoded strictly (issue: "lenient event decoding"): {@code "v": 4294967297} passed as
 * version 1, trailing data after the JSON object was accepted, upper-case UUIDs were accepted.
 * Each such record is now a poison pill that changes nothing. So is an event dated more than ten
 * minutes after its record (found by an outside review: a rule dated years ahead froze its key).
 */
class StrictEventsIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @Test
    void a_wrapped_version_trailing_data_an_upper_case_event_id_and_a_far_future_time_are_dead_lettered()
            throws Exception {
        MutableClock clock = MutableClock.atNow();
        long now = clock.epochSecond();
        try (Sidecar s = TestSidecars.startReady("strict", kafka.bootstrapServers(), dir.resolve("strict"), true, clock);
             RawTopic topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC)) {
            RevocationEvent wrapped = RawTopic.revoke(RevocationScope.SUB, "wrapped", now, now + 3600);
            RevocationEvent trailing = RawTopic.revoke(RevocationScope.SUB, "trailing", now, now + 3600);
            RevocationEvent upper = RawTopic.revoke(RevocationScope.SUB, "upper", now, now + 3600);
            String wrappedJson = new String(topic.codec().encode(wrapped), StandardCharsets.UTF_8)
                    .replace("\"v\":1,", "\"v\":4294967297,");
            String trailingJson = new String(topic.codec().encode(trailing), StandardCharsets.UTF_8)
                    + "{\"type\":\"restore\"}";
            String upperJson = new String(topic.codec().encode(upper), StandardCharsets.UTF_8)
                    .replace(upper.eventId(), upper.eventId().toUpperCase(Locale.ROOT));
            topic.write(wrapped.key().toBytes(), wrappedJson.getBytes(StandardCharsets.UTF_8));
            topic.write(trailing.key().toBytes(), trailingJson.getBytes(StandardCharsets.UTF_8));
            topic.write(upper.key().toBytes(), upperJson.getBytes(StandardCharsets.UTF_8));
            topic.write(topic.record(RawTopic.revoke(RevocationScope.SUB, "ahead", now + 86_400L * 3650,
                    now + 86_400L * 3651)));
            topic.write(topic.record(RawTopic.revoke(RevocationScope.SUB, "valid", now, now + 3600)));

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                    Http.verify(s.apiPort(), token("valid", now - 60)).statusCode()).isEqualTo(401));
            for (String subject : List.of("wrapped", "trailing", "upper", "ahead")) {
                assertThat(Http.verify(s.apiPort(), token(subject, now - 60)).statusCode()).as(subject).isEqualTo(200);
            }
            assertThat(s.feed().deadLettered()).isEqualTo(4);
            JsonObject letters = new JsonObject(Http.getWithBearer(s.adminPort().orElseThrow(), "/v1/dead-letters",
                    ADMIN_TOKEN).body());
            assertThat(letters.getJsonArray("deadLetters").stream().map(d -> ((JsonObject) d).getString("reason")).toList())
                    .satisfiesExactly(
                            r -> assertThat(r).startsWith("v: "),
                            r -> assertThat(r).startsWith("not JSON"),
                            r -> assertThat(r).startsWith("eventId: "),
                            r -> assertThat(r).startsWith("at: ").contains("is more than 600 s after the record's timestamp"));
        }
    }
}
