package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.TestSidecars;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soak: the sidecar (the built jar, its own process, fixed heap) verifies a steady stream of
 * tokens while revocations keep flowing through the admin API. Every answer is judged: a 200 only
 * for a subject whose revocation was not yet acknowledged when the request left, a 401 only as
 * "revoked" and only for a subject being revoked; every revoke must be acknowledged, and subjects
 * never revoked must keep being accepted. Tokens outlive the run. After a warm-up, resident
 * memory must grow by less than 10 %, and threads and open files must not grow. The default suite
 * runs 10 s after a warm-up of at least 5 s; {@code -Dreliability.scale=full} runs 10 minutes
 * after one of at least a minute.
 */
class SoakIT {
    private static final boolean FULL = "full".equals(System.getProperty("reliability.scale"));
    // The default suite's run is short: what it asserts (every answer judged, revocations taking
    // effect, valid tokens accepted, no growth) shows within seconds at thousands of requests a
    // second; the full scale is the one that would show a slow leak. The warm-up lasts at least
    // WARMUP and until every path has run once (see below), so a short one on a busy machine
    // does not measure growth that is only first use.
    private static final Duration WARMUP = FULL ? Duration.ofSeconds(60) : Duration.ofSeconds(5);
    private static final Duration RUN = FULL ? Duration.ofMinutes(10) : Duration.ofSeconds(10);
    /** How much longer than WARMUP the warm-up may wait for every path to have run. */
    private static final Duration WARMUP_LIMIT = Duration.ofSeconds(60);
    private static final int CLIENTS = 4;
    /** Fewer in the short run: clients come back to a revoked subject every SUBJECTS requests. */
    private static final int SUBJECTS = FULL ? 4_000 : 400;

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(3);

    @TempDir
    Path dir;

    private static long procValue(long pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no " + field + " for " + pid);
    }

    private static long openFiles(long pid) throws Exception {
        try (var fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return fds.count();
        }
    }

    @Test
    void memory_threads_and_files_stay_flat_and_nothing_fails_under_steady_load_with_revocations() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int adminPort;
        try (ServerSocket s = new ServerSocket(0)) {
            adminPort = s.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("sidecar.yaml"), TestSidecars.yaml("soak", kafka.bootstrapServers(),
                dir.resolve("store"), true).replace("api:\n  port: 0", "api:\n  port: " + port)
                .replace("admin:\n  port: 0", "admin:\n  port: " + adminPort));
        Process sidecar = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms192m", "-Xmx192m", "-XX:+AlwaysPreTouch", "-jar", Path.of("target", "jwt-sidecar.jar").toString(),
                "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sidecar.log").toFile()).start();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS + 1);
        // When the clients and the revoker stop: set once the warm-up is over (RUN from then on),
        // and in any case when the test ends, since a client carries on past an interrupt.
        AtomicLong endNanos = new AtomicLong(Long.MAX_VALUE);
        try {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> Http.get(port, "/health/ready").statusCode() == 200);
            long now = Instant.now().getEpochSecond();
            // Valid to the end of the run and past it, whatever its length.
            long exp = now + WARMUP.plus(WARMUP_LIMIT).plus(RUN).toSeconds() + 300;
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < SUBJECTS; i++) {
                tokens.add(token("user-" + i, now - 5, Map.of("exp", exp)));
            }
            // The revoker marks a subject before it asks (a verify may see the rule before the 202
            // arrives) and records it once acknowledged; only the first half is ever revoked.
            Set<String> revoking = ConcurrentHashMap.newKeySet();
            Set<String> revokedSubjects = ConcurrentHashMap.newKeySet();
            AtomicLong accepted = new AtomicLong();
            AtomicLong acceptedNeverRevoked = new AtomicLong();
            AtomicLong refusedRevoked = new AtomicLong();
            AtomicLong failures = new AtomicLong();
            AtomicReference<String> firstFailure = new AtomicReference<>();
            Consumer<String> fail = what -> {
                failures.incrementAndGet();
                firstFailure.compareAndSet(null, what);
            };
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int offset = c;
                running.add(clients.submit(() -> {
                    for (int i = offset; System.nanoTime() < endNanos.get(); i += CLIENTS) {
                        String subject = "user-" + (i % SUBJECTS);
                        boolean revokedBefore = revokedSubjects.contains(subject);
                        try {
                            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                    + "/v1/verify")).header("Authorization", "Bearer " + tokens.get(i % SUBJECTS))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200 && !revokedBefore) {
                                accepted.incrementAndGet();
                                if (!revoking.contains(subject)) {
                                    acceptedNeverRevoked.incrementAndGet();
                                }
                            } else if (r.statusCode() == 200) {
                                fail.accept("a token of " + subject + " accepted after its revocation was acknowledged");
                            } else if (r.statusCode() == 401 && r.body().contains("\"revoked\"") && revoking.contains(subject)) {
                                refusedRevoked.incrementAndGet();
                            } else {
                                fail.accept("HTTP " + r.statusCode() + " for " + subject + ": " + r.body());
                            }
                        } catch (Exception e) {
                            fail.accept(e.toString());
                        }
                    }
                    return null;
                }));
            }
            // Revocations keep flowing: a subject of the first half every 100 ms, round and round (a
            // repeat is acknowledged too and changes nothing).
            running.add(clients.submit(() -> {
                for (int i = 0; System.nanoTime() < endNanos.get(); i++) {
                    String subject = "user-" + (i % (SUBJECTS / 2));
                    revoking.add(subject);
                    var r = Http.postJson(adminPort, "/v1/revocations", ADMIN_TOKEN,
                            "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"" + subject + "\"}");
                    if (r.statusCode() == 202) {
                        revokedSubjects.add(subject);
                    } else {
                        fail.accept("revoking " + subject + ": HTTP " + r.statusCode() + " " + r.body());
                    }
                    Thread.sleep(100); // the revocation rate is the scenario, not a wait for something
                }
                return null;
            }));

            // Every path once (a token accepted, one refused as revoked, a revocation acknowledged)
            // before the baseline: threads and buffers made on first use are then already there.
            long warmupStart = System.nanoTime();
            await().atMost(WARMUP.plus(WARMUP_LIMIT)).pollInterval(Duration.ofMillis(100)).until(() ->
                    System.nanoTime() - warmupStart >= WARMUP.toNanos() && acceptedNeverRevoked.get() > 0
                            && refusedRevoked.get() > 0 && !revokedSubjects.isEmpty() || failures.get() > 0);
            endNanos.set(System.nanoTime() + RUN.toNanos());
            long pid = sidecar.pid();
            long rssBefore = procValue(pid, "VmRSS");
            long threadsBefore = procValue(pid, "Threads");
            long filesBefore = openFiles(pid);
            for (Future<?> f : running) {
                f.get(RUN.toSeconds() + 60, TimeUnit.SECONDS); // a client or the revoker that threw fails the test
            }
            long rssAfter = procValue(pid, "VmRSS");
            long threadsAfter = procValue(pid, "Threads");
            long filesAfter = openFiles(pid);

            String summary = "requests accepted=" + accepted.get() + " (of never-revoked subjects " + acceptedNeverRevoked.get()
                    + ") refused as revoked=" + refusedRevoked.get() + " failed=" + failures.get()
                    + ", revocations acknowledged for " + revokedSubjects.size() + " subjects"
                    + " rss " + rssBefore / 1024 + "->" + rssAfter / 1024 + " MB, threads " + threadsBefore + "->"
                    + threadsAfter + ", open files " + filesBefore + "->" + filesAfter + ", first failure: " + firstFailure.get();
            System.out.println("SoakIT: " + summary);
            Files.writeString(dir.resolve("result.txt"), summary);
            assertThat(failures.get()).as(summary).isZero();
            assertThat(refusedRevoked.get()).as("revocations took effect during the run: " + summary).isPositive();
            assertThat(acceptedNeverRevoked.get()).as("valid tokens were accepted throughout: " + summary)
                    .isGreaterThan(refusedRevoked.get() / 10);
            assertThat(rssAfter).as(summary).isLessThan(rssBefore + rssBefore / 10);
            assertThat(threadsAfter).as(summary).isLessThanOrEqualTo(threadsBefore + 2);
            assertThat(filesAfter).as(summary).isLessThanOrEqualTo(filesBefore + 5);
        } finally {
            endNanos.set(Long.MIN_VALUE);
            clients.shutdownNow();
            sidecar.destroy();
            sidecar.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
