package io.jwtsidecar.dev;

import io.jwtsidecar.app.Sidecar;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The tour that {@code jwt-sidecar dev} prints, run by the program itself over real HTTP: a fresh
 * token is accepted, the admin API logs its subject out everywhere, and the same token is then
 * refused as revoked. {@code dev --self-test} runs it and exits: a smoke test of an install, and
 * the training run of the load tests' class archive (load-tests/run-verify.sh). The image, which
 * has no dev mode, trains its archive with {@code warm-up} instead.
 */
final class DevSelfTest {
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    DevSelfTest(PrintStream out) {
        this.out = out;
    }

    /** @return whether every step answered as the tour says */
    boolean run(DevEnvironment env, Sidecar sidecar) throws Exception {
        String token = env.minter(Clock.systemUTC()).mint("alice", DevEnvironment.AUDIENCE, Duration.ofHours(1), Map.of());
        URI verify = URI.create("http://127.0.0.1:" + sidecar.apiPort() + "/v1/verify");
        URI revoke = URI.create("http://127.0.0.1:" + sidecar.adminPort().orElseThrow() + "/v1/revocations");

        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(verify).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (!step("1. a fresh token is accepted", accepted, 200, "\"active\":true")) {
            return false;
        }
        String rule = "{\"scope\":\"sub\",\"issuer\":\"" + DevEnvironment.ISSUER
                + "\",\"value\":\"alice\",\"reason\":\"logout_all\"}";
        HttpResponse<String> published = http.send(HttpRequest.newBuilder(revoke)
                .header("Authorization", "Bearer " + env.adminToken()).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.ofString(rule)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (!step("2. the admin API logs alice out everywhere", published, 202, "\"appliedLocally\":true")) {
            return false;
        }
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(verify).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return step("3. the same token is refused as revoked", refused, 401, "\"error\":\"revoked\"");
    }

    private boolean step(String name, HttpResponse<String> response, int status, String bodyPart) {
        boolean ok = response.statusCode() == status && response.body().contains(bodyPart);
        out.println("self-test " + name + ": " + (ok ? "ok" : "FAILED, got " + response.statusCode() + " " + response.body()));
        return ok;
    }
}
