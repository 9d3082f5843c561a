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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soak: the sidecar (the built jar, its own process, fixed heap) verifies a steady stream of
 * tokens while revocations keep flowing through the admin API. After a warm-up, resident
 * memory must grow by less than 10 %, and threads and open files must not grow; no request may
 * fail. The default suite runs 40 s; {@code -Dreliability.scale=full} runs 10 minutes.
 */
class SoakIT {
    private static final boolean FULL = "full".equals(System.getProperty("reliability.scale"));
    private static final Duration WARMUP = FULL ? Duration.ofSeconds(60) : Duration.ofSeconds(10);
    private static final Duration RUN = FULL ? Duration.ofMinutes(10) : Duration.ofSeconds(30);
    private static final int CLIENTS = 4;

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
        try {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> Http.get(port, "/health/ready").statusCode() == 200);
            long now = Instant.now().getEpochSecond();
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                tokens.add(token("user-" + i, now - 5));
            }
            AtomicLong ok = new AtomicLong();
            AtomicLong revoked = new AtomicLong();
            AtomicLong failures = new AtomicLong();
            java.util.concurrent.atomic.AtomicReference<String> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
            long end = System.nanoTime() + WARMUP.plus(RUN).toNanos();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (int c = 0; c < CLIENTS; c++) {
                int offset = c;
                clients.submit(() -> {
                    for (int i = offset; System.nanoTime() < end; i += CLIENTS) {
                        try {
                            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                    + "/v1/verify")).header("Authorization", "Bearer " + tokens.get(i % tokens.size()))
                                    .build(), HttpResponse.BodyHandlers.discarding());
                            if (r.statusCode() == 200) {
                                ok.incrementAndGet();
                            } else if (r.statusCode() == 401) {
                                revoked.incrementAndGet();
                            } else {
                                failures.incrementAndGet();
                                firstFailure.compareAndSet(null, "HTTP " + r.statusCode());
                            }
                        } catch (Exception e) {
                            failures.incrementAndGet();
                            firstFailure.compareAndSet(null, e.toString());
                        }
                    }
                    return null;
                });
            }
            // Revocations keep flowing: one subject every 100 ms.
            clients.submit(() -> {
                for (int i = 0; System.nanoTime() < end; i++) {
                    var r = Http.postJson(adminPort, "/v1/revocations", ADMIN_TOKEN,
                            "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"user-" + i + "\"}");
                    if (r.statusCode() != 202) {
                        failures.incrementAndGet();
                    }
                    Thread.sleep(100);
                }
                return null;
            });

            Thread.sleep(WARMUP.toMillis());
            long pid = sidecar.pid();
            long rssBefore = procValue(pid, "VmRSS");
            long threadsBefore = procValue(pid, "Threads");
            long filesBefore = openFiles(pid);
            clients.shutdown();
            assertThat(clients.awaitTermination(RUN.toSeconds() + 60, TimeUnit.SECONDS)).isTrue();
            long rssAfter = procValue(pid, "VmRSS");
            long threadsAfter = procValue(pid, "Threads");
            long filesAfter = openFiles(pid);

            String summary = "requests ok=" + ok.get() + " revoked=" + revoked.get() + " failed=" + failures.get()
                    + " rss " + rssBefore / 1024 + "->" + rssAfter / 1024 + " MB, threads " + threadsBefore + "->"
                    + threadsAfter + ", open files " + filesBefore + "->" + filesAfter + ", first failure: " + firstFailure.get();
            System.out.println("SoakIT: " + summary);
            Files.writeString(dir.resolve("result.txt"), summary);
            assertThat(failures.get()).as(summary).isZero();
            assertThat(revoked.get()).as("revocations took effect during the run").isPositive();
            assertThat(rssAfter).as(summary).isLessThan(rssBefore + rssBefore / 10);
            assertThat(threadsAfter).as(summary).isLessThanOrEqualTo(threadsBefore + 2);
            assertThat(filesAfter).as(summary).isLessThanOrEqualTo(filesBefore + 5);
        } finally {
            clients.shutdownNow();
            sidecar.destroy();
            sidecar.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
