package io.jwtsidecar.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The admin API as the command line sees it: where it is, the credential, and one request
 * whose answer becomes an exit code. A picocli mixin shared by the commands that publish
 * ({@code revoke}, {@code restore}), so they go through the same validation and audit log as
 * every other admin action.
 *
 * <p>Exit codes: 0 when the admin API accepted the request (202), 1 when it refused it, 2 for a
 * usage error (no credential, a missing option), 3 when it could not be reached.
 */
final class AdminClient {
    static final int ACCEPTED = 0;
    static final int REFUSED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;

    @Option(names = "--admin-url", defaultValue = "http://127.0.0.1:8182", description = "Admin API base URL (default: ${DEFAULT-VALUE}).")
    URI adminUrl;

    @Option(names = "--admin-token", defaultValue = "${env:JWT_SIDECAR_ADMIN_TOKEN}",
            description = "Admin credential: a static token or an admin JWT (default: $JWT_SIDECAR_ADMIN_TOKEN).")
    String adminToken;

    /** The body of the last accepted answer, for commands that look inside it. */
    String lastBody;

    /**
     * Sends {@code request} (built on {@link #resolve}) with the credential, prints the answer
     * (stdout when accepted, stderr otherwise) and returns the exit code.
     */
    int send(String command, HttpRequest.Builder request) throws InterruptedException {
        return send(command, request, 202);
    }

    /** As {@link #send(String, HttpRequest.Builder)}, accepting {@code expected} as success. */
    int send(String command, HttpRequest.Builder request, int expected) throws InterruptedException {
        if (adminToken == null || adminToken.isEmpty()) {
            System.err.println("jwt-sidecar " + command + ": no admin credential: pass --admin-token or set JWT_SIDECAR_ADMIN_TOKEN");
            return USAGE;
        }
        HttpResponse<String> response;
        try {
            response = HttpClient.newHttpClient().send(request.timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + adminToken).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            System.err.println("jwt-sidecar " + command + ": cannot reach " + adminUrl + ": " + e.getMessage());
            return UNREACHABLE;
        }
        if (response.statusCode() == expected) {
            System.out.println(response.body());
            lastBody = response.body();
            return ACCEPTED;
        }
        System.err.println("jwt-sidecar " + command + ": admin API answered " + response.statusCode() + ": " + response.body());
        return REFUSED;
    }

    /** A request to {@code path} (already encoded) on the admin API. */
    HttpRequest.Builder resolve(String path) {
        return HttpRequest.newBuilder(adminUrl.resolve(path));
    }
}
