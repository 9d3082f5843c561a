package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.dev.EmbeddedKafkaCluster;
import io.jwtsidecar.feed.TopicAdmin;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaProcessCluster;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broker failover: three brokers, replication factor 3, min.insync.replicas 2; every revocation
 * the admin API acknowledged must reach every sidecar. Reports the longest gap between two
 * acknowledgements.
 *
 * <p>Two failures: a graceful one (brokers in this JVM, the partition leader stopped with its
 * controlled shutdown between two requests), and a crash (three KRaft nodes as processes of their
 * own, both followers frozen, then the partition leader SIGKILLed while several clients' requests
 * are in flight, then the followers thawed).
 */
class BrokerFailoverIT {
    private static final boolean FULL = "full".equals(System.getProperty("reliability.scale"));
    private static final int REVOCATIONS = FULL ? 500 : 60;
    /** Clients posting revocations side by side in the crash scenario. */
    private static final int CLIENTS = 4;
    /** How long they publish before the followers are frozen, and after the kill. */
    private static final Duration BEFORE_FREEZE = Duration.ofSeconds(FULL ? 10 : 3);
    private static final Duration AFTER_KILL = Duration.ofSeconds(FULL ? 30 : 10);
    /**
     * How long both followers are frozen before the leader is killed: long enough for requests to
     * reach the leader alone, shorter than the nodes' replica.lag.time.max.ms (5 s), so the
     * followers stay in the ISR.
     */
    private static final Duration FREEZE = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @Test
    void every_acknowledged_revocation_survives_the_loss_of_a_partition_leader() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(3, dir.resolve("kafka"))) {
            kafka.createRevocationTopic(TestSidecars.TOPIC, 1, Duration.ofDays(1).toMillis());
            kafka.createStatusTopic(TestSidecars.STATUS_TOPIC);
            try (Sidecar admin = TestSidecars.startReady("a", kafka.bootstrapServers(), dir.resolve("a"), true, clock);
                 Sidecar other = TestSidecars.startReady("b", kafka.bootstrapServers(), dir.resolve("b"), false, clock)) {
                List<String> acknowledged = new ArrayList<>();
                long longestGapMillis = 0;
                long lastAck = System.nanoTime();
                for (int i = 0; i < REVOCATIONS; i++) {
                    if (i == REVOCATIONS / 3) {
                        kafka.stopBroker(kafka.leaderOf(TestSidecars.TOPIC, 0));
                    }
                    HttpResponse<String> r = Http.postJson(admin.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                            "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"user-" + i + "\"}");
                    if (r.statusCode() == 202) {
                        acknowledged.add("user-" + i);
                        long now = System.nanoTime();
                        longestGapMillis = Math.max(longestGapMillis, (now - lastAck) / 1_000_000);
                        lastAck = now;
                    }
                }

                assertThat(acknowledged).as("the admin API keeps acknowledging with two brokers of three")
                        .hasSizeGreaterThan(REVOCATIONS * 9 / 10);
                for (Sidecar s : new Sidecar[] {admin, other}) {
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                        for (String subject : acknowledged) {
                            assertThat(Http.verify(s.apiPort(), token(subject, clock.epochSecond() - 60)).body())
                                    .as(subject).contains("\"error\":\"revoked\"");
                        }
                    });
                }
                Files.writeString(dir.resolve("result.txt"), "acknowledged=" + acknowledged.size() + " of " + REVOCATIONS
                        + " longestGapMillis=" + longestGapMillis);
                System.out.println("BrokerFailoverIT: acknowledged " + acknowledged.size() + " of " + REVOCATIONS
                        + ", longest gap between acknowledgements " + longestGapMillis + " ms");
            }
        }
    }

    /**
     * The partition leader's process dies (SIGKILL: no controlled shutdown, no leadership handed
     * over) while requests are in flight, and while it holds records no follower has: both
     * followers are frozen (SIGSTOP) for {@link #FREEZE} before the kill and thawed (SIGCONT) after
     * it, so one of them becomes leader without the records only the dead leader had. With
     * {@code acks=all} none of those was acknowledged; a producer that lets the leader acknowledge
     * alone ({@code acks=1}) answers 202 for records that are gone. Every 202 must be enforced by
     * both sidecars afterwards; every other answer must be the documented 503 with a JSON error.
     */
    @Test
    void every_acknowledged_revocation_survives_a_killed_partition_leader_with_requests_in_flight() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (KafkaProcessCluster kafka = KafkaProcessCluster.start(3, dir.resolve("kafka-processes"))) {
            try (TopicAdmin topics = new TopicAdmin(kafka.adminConfig())) {
                // The production topic tool: replication factor 3, min.insync.replicas 2.
                topics.create(new TopicAdmin.Plan(TestSidecars.TOPIC, TestSidecars.STATUS_TOPIC, 1, (short) 3,
                        Duration.ofDays(1), 2));
            }
            try (Sidecar admin = TestSidecars.startReady("a", kafka.bootstrapServers(), dir.resolve("a"), true, clock);
                 Sidecar other = TestSidecars.startReady("b", kafka.bootstrapServers(), dir.resolve("b"), false, clock)) {
                PublishingClients clients = new PublishingClients(admin.adminPort().orElseThrow(), CLIENTS);
                clients.start();
                Thread.sleep(BEFORE_FREEZE.toMillis());
                int leader = kafka.leaderOf(TestSidecars.TOPIC, 0);
                List<Integer> followers = new ArrayList<>(kafka.replicasOf(TestSidecars.TOPIC, 0));
                followers.remove(Integer.valueOf(leader));
                // Followers out of the ISR could not lead after the kill: the scenario would be another one.
                List<Integer> isrBeforeFreeze = kafka.inSyncReplicasOf(TestSidecars.TOPIC, 0);
                long frozenAt = System.nanoTime();
                int outstanding;
                long killedAt;
                try {
                    for (int follower : followers) {
                        kafka.pause(follower);
                    }
                    Thread.sleep(FREEZE.toMillis());
                    outstanding = clients.awaitOutstanding();
                    killedAt = System.nanoTime();
                    kafka.kill(leader);
                } finally {
                    // Also when the kill failed: the sidecars' shutdown needs a cluster that answers.
                    for (int follower : followers) {
                        kafka.resume(follower);
                    }
                }
                long resumedAt = System.nanoTime();
                Thread.sleep(AFTER_KILL.toMillis());
                clients.stop();

                String result = "sent=" + clients.sent() + " acknowledged=" + clients.acknowledged().size()
                        + " failed=" + clients.failed() + " notAppliedLocally=" + clients.notYetApplied()
                        + " acknowledgedDuringFreeze=" + clients.acknowledgedBetween(frozenAt, killedAt)
                        + " outstandingAtKill=" + outstanding + " spanningKill=" + clients.spanning(killedAt)
                        + " longestGapMillis=" + clients.longestGapMillis();
                // Before the assertions, so that a run that fails them still reports its counts.
                System.out.println("BrokerFailoverIT (killed leader " + leader + ", froze " + followers + "): " + result);

                assertThat(followers).as("the followers of partition 0").hasSize(2);
                assertThat(isrBeforeFreeze).as("in-sync replicas when the followers were frozen")
                        .containsExactlyInAnyOrderElementsOf(kafka.replicasOf(TestSidecars.TOPIC, 0));
                assertThat(kafka.exitValue(leader)).as("the leader died of SIGKILL").isEqualTo(128 + 9);
                assertThat(outstanding).as("requests outstanding when the leader was killed").isPositive();
                assertThat(clients.spanning(killedAt)).as("requests started before the kill and answered after it")
                        .isPositive();
                assertThat(kafka.leaderOf(TestSidecars.TOPIC, 0)).as("a new leader").isIn(followers);
                assertThat(clients.undocumented()).as("answers other than 202 or 503 with a JSON error").isEmpty();
                assertThat(clients.acknowledged()).as("the admin API keeps acknowledging with two nodes of three")
                        .hasSizeGreaterThan(clients.sent() * 9 / 10);
                assertThat(clients.acknowledgedBetween(Long.MIN_VALUE, frozenAt)).as("acknowledged before the freeze")
                        .isPositive();
                assertThat(clients.acknowledgedBetween(resumedAt, Long.MAX_VALUE)).as("acknowledged after the thaw")
                        .isPositive();

                for (Map.Entry<String, Sidecar> named : Map.of("a", admin, "b", other).entrySet()) {
                    Sidecar s = named.getValue();
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                        List<String> notEnforced = new ArrayList<>();
                        for (String subject : clients.acknowledged()) {
                            if (!Http.verify(s.apiPort(), token(subject, clock.epochSecond() - 60)).body()
                                    .contains("\"error\":\"revoked\"")) {
                                notEnforced.add(subject);
                            }
                        }
                        assertThat(notEnforced).as("acknowledged but not enforced by sidecar " + named.getKey()).isEmpty();
                    });
                }
                Files.writeString(dir.resolve("killed-leader-result.txt"), result);
            }
        }
    }

    /**
     * Clients, each posting revocations of fresh subjects one after another until stopped, that
     * record every answer: the acknowledged subjects, the other answers, and when each request
     * started and ended.
     */
    private static final class PublishingClients {
        private final int port;
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger outstanding = new AtomicInteger();
        private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        private final List<String> undocumented = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger failed = new AtomicInteger();
        /** 202s that came before the admin sidecar's own feed had the event (appliedLocally=false). */
        private final AtomicInteger notYetApplied = new AtomicInteger();
        /** Start and end (nanoTime) of every request, and the end of every acknowledged one. */
        private final List<long[]> requests = Collections.synchronizedList(new ArrayList<>());
        private final List<Long> acknowledgedAt = Collections.synchronizedList(new ArrayList<>());
        private final AtomicReference<Throwable> crash = new AtomicReference<>();

        PublishingClients(int port, int count) {
            this.port = port;
            for (int i = 0; i < count; i++) {
                threads.add(new Thread(this::run, "revoking-client-" + i));
            }
        }

        void start() {
            threads.forEach(Thread::start);
        }

        private void run() {
            try {
                while (!stop.get()) {
                    String subject = "crash-" + next.getAndIncrement();
                    long start = System.nanoTime();
                    outstanding.incrementAndGet();
                    HttpResponse<String> r;
                    try {
                        r = Http.postJson(port, "/v1/revocations", ADMIN_TOKEN,
                                "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"" + subject + "\"}");
                    } catch (IllegalStateException noAnswer) {
                        // No answer within the client's 30 s: neither acknowledged nor a documented refusal.
                        r = null;
                        undocumented.add(subject + ": " + noAnswer.getMessage());
                        failed.incrementAndGet();
                    } finally {
                        outstanding.decrementAndGet();
                    }
                    long end = System.nanoTime();
                    requests.add(new long[] {start, end});
                    if (r == null) {
                        continue;
                    }
                    if (r.statusCode() == 202) {
                        acknowledged.add(subject);
                        acknowledgedAt.add(end);
                        if (r.body().contains("\"appliedLocally\":false")) {
                            notYetApplied.incrementAndGet();
                        }
                    } else {
                        failed.incrementAndGet();
                        if (r.statusCode() != 503 || !r.body().contains("\"error\":")) {
                            undocumented.add(subject + ": " + r.statusCode() + " " + r.body());
                        }
                    }
                }
            } catch (Throwable t) {
                crash.set(t);
            }
        }

        /** Waits (briefly) until a request is outstanding and returns how many are. */
        int awaitOutstanding() {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            int n;
            while ((n = outstanding.get()) == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            return n;
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(60).toMillis());
            }
            assertThat(crash.get()).as("a client failed without an answer").isNull();
        }

        int sent() {
            return requests.size();
        }

        Set<String> acknowledged() {
            return acknowledged;
        }

        int failed() {
            return failed.get();
        }

        int notYetApplied() {
            return notYetApplied.get();
        }

        List<String> undocumented() {
            return undocumented;
        }

        long spanning(long instant) {
            synchronized (requests) {
                return requests.stream().filter(r -> r[0] < instant && r[1] > instant).count();
            }
        }

        /** Acknowledgements that came after {@code from} and before {@code to} (nanoTime). */
        long acknowledgedBetween(long from, long to) {
            synchronized (acknowledgedAt) {
                return acknowledgedAt.stream().filter(t -> t > from && t < to).count();
            }
        }

        long longestGapMillis() {
            List<Long> times;
            synchronized (acknowledgedAt) {
                times = new ArrayList<>(acknowledgedAt);
            }
            Collections.sort(times);
            long longest = 0;
            for (int i = 1; i < times.size(); i++) {
                longest = Math.max(longest, times.get(i) - times.get(i - 1));
            }
            return longest / 1_000_000;
        }
    }
}
