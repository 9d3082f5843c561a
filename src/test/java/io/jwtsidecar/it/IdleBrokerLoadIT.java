package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawTopic;
import io.jwtsidecar.testing.TestSidecars;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an idle sidecar asks of the brokers, counted by the broker itself (its request meters, in
 * this JVM): at the defaults, about one held fetch and one end-offset check every 10 s, where a
 * 0.5 s fetch hold and a one-second end check used to make two fetches and one ListOffsets a
 * second. The hold costs a revocation nothing: a broker answers a held fetch at the first record.
 */
class IdleBrokerLoadIT {
    /** Longer than one hold and one end check interval (10 s each at the defaults), so each is seen at least once. */
    private static final Duration WINDOW = Duration.ofSeconds(12);

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(3);

    @TempDir
    Path dir;

    /** Requests of one type the broker has handled since it started, summed over the request versions. */
    private static long handled(String request) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        long sum = 0;
        for (ObjectName n : server.queryNames(new ObjectName(
                "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=" + request + ",*"), null)) {
            sum += ((Number) server.getAttribute(n, "Count")).longValue();
        }
        return sum;
    }

    @Test
    void an_idle_sidecar_fetches_and_checks_the_log_end_about_every_10_seconds_and_still_applies_a_revocation_at_once()
            throws Exception {
        MutableClock clock = MutableClock.atNow();
        // The default maxStaleness (30 s), so the default hold and end check interval: what a deployment gets.
        try (Sidecar s = TestSidecars.startReady("idle", kafka.bootstrapServers(), dir.resolve("idle"), false, clock);
             RawTopic topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC)) {
            long fetchesBefore = handled("FetchConsumer");
            long endChecksBefore = handled("ListOffsets");
            long countsBefore = handled("DescribeTopicPartitions");
            Thread.sleep(WINDOW.toMillis());
            long fetches = handled("FetchConsumer") - fetchesBefore;
            long endChecks = handled("ListOffsets") - endChecksBefore;

            // One broker leads all three partitions: one fetch in flight at a time, one ListOffsets per check.
            assertThat(fetches).as("consumer fetches in %s idle (0.5 s holds made about 24)", WINDOW).isBetween(1L, 3L);
            assertThat(endChecks).as("end-offset checks in %s idle (one a second made about 12)", WINDOW).isBetween(1L, 3L);
            assertThat(handled("DescribeTopicPartitions") - countsBefore)
                    .as("partition counts in %s idle (one every 10 s; one every 5 s made 2 or 3)", WINDOW)
                    .isBetween(1L, 2L);

            // Now a fetch is held; a revocation ends it at once, far inside the 10 s hold.
            long now = clock.epochSecond();
            String alice = token("alice", now - 60);
            assertThat(Http.verify(s.apiPort(), alice).statusCode()).isEqualTo(200);
            topic.write(topic.record(RawTopic.revoke(RevocationScope.SUB, "alice", now, now + 3600)));
            long start = System.nanoTime();
            while (Http.verify(s.apiPort(), alice).statusCode() != 401
                    && System.nanoTime() - start < Duration.ofSeconds(10).toNanos()) {
                Thread.sleep(5); // the condition is an HTTP answer; a short fixed step keeps the timing fine
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("from the acknowledged write to a 401, with the fetch held up to 10 s")
                    .isLessThan(Duration.ofSeconds(2));
        }
    }
}
