package io.jwtsidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.testing.SelfSignedTls;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The injection webhook under a flood: 24 parallel AdmissionReviews of 8 MiB each against the
 * production jar with a small heap (as a webhook pod runs). It must stay up and answer every
 * request, with 429 for what it cannot take at once, never run out of memory.
 */
class WebhookFloodIT {
    private static final int PARALLEL = 24;
    private static final int REVIEW_BYTES = 8 << 20;

    @TempDir
    Path dir;

    /** An AdmissionReview whose pod carries one annotation that makes it {@code bytes} long. */
    private static String hugeReview(int bytes) {
        String head = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u1\","
                + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"namespace\":\"n\","
                + "\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"annotations\":{\"big\":\"";
        String tail = "\"}},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"app:1\"}]}}}}";
        return head + "x".repeat(bytes - head.length() - tail.length() - 64) + tail;
    }

    @Test
    void twenty_four_parallel_eight_mebibyte_reviews_leave_it_up_and_answered() throws Exception {
        SelfSignedTls tls = SelfSignedTls.generate(dir, "jwt-sidecar-webhook.default.svc");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("webhook.log");
        Process webhook = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx96m",
                "-XX:+ExitOnOutOfMemoryError", "-jar", Path.of("target", "jwt-sidecar.jar").toString(), "inject-webhook",
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--image", "jwt-sidecar:1",
                "--tls-cert", tls.certFile().toString(), "--tls-key", tls.keyFile().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient client = HttpClient.newBuilder().sslContext(tls.trustingIt()).version(HttpClient.Version.HTTP_1_1)
                    .build();
            URI health = URI.create("https://127.0.0.1:" + port + "/healthz");
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                    client.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);

            String review = hugeReview(REVIEW_BYTES);
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < PARALLEL; i++) {
                answers.add(HttpClient.newBuilder().sslContext(tls.trustingIt()).version(HttpClient.Version.HTTP_1_1).build()
                        .sendAsync(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/mutate"))
                                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                                .POST(HttpRequest.BodyPublishers.ofString(review)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            int answered = 0;
            int tooMany = 0;
            for (CompletableFuture<HttpResponse<String>> a : answers) {
                try {
                    HttpResponse<String> r = a.get(90, TimeUnit.SECONDS);
                    assertThat(r.statusCode()).as(r.body()).isIn(200, 429);
                    answered += r.statusCode() == 200 ? 1 : 0;
                    tooMany += r.statusCode() == 429 ? 1 : 0;
                } catch (java.util.concurrent.ExecutionException refusedEarly) {
                    // A 429 sent before the body was read may close the connection under the upload.
                    tooMany++;
                }
            }
            assertThat(webhook.isAlive()).as(Files.readString(log)).isTrue();
            assertThat(answered).as("some reviews are answered, not all refused").isPositive();
            assertThat(answered + tooMany).isEqualTo(PARALLEL);
            assertThat(client.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
            assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
        } finally {
            webhook.destroy();
            webhook.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
