package io.jwtsidecar.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jwt-sidecar revoke}: asks an admin API to publish a revocation, so the CLI goes
 * through the same validation and audit log as every other admin action. Exits 0 when the
 * event was acknowledged, 1 when the admin API refused it, 3 when it could not be reached.
 */
@Command(name = "revoke", description = "Revoke tokens through the admin API (scope jti, sid, sub, client, kid or issuer).")
final class RevokeCommand implements Callable<Integer> {
    @Option(names = "--scope", required = true, description = "jti, sid, sub, client, kid or issuer.")
    String scope;

    @Option(names = "--issuer", required = true, description = "Exact issuer (iss).")
    String issuer;

    @Option(names = "--value", description = "The jti, sid, sub, client id or kid; omit for scope issuer.")
    String value;

    @Option(names = "--reason", description = "logout, logout_all, permission_change, password_change, key_compromise, client_compromise, admin, or free text.")
    String reason;

    @Option(names = "--actor", description = "Who is asking (for the audit log).")
    String actor;

    @Option(names = "--admin-url", defaultValue = "http://127.0.0.1:8182", description = "Admin API base URL (default: ${DEFAULT-VALUE}).")
    URI adminUrl;

    @Option(names = "--admin-token", defaultValue = "${env:JWT_SIDECAR_ADMIN_TOKEN}",
            description = "Admin credential (default: $JWT_SIDECAR_ADMIN_TOKEN).")
    String adminToken;

    @Override
    public Integer call() throws Exception {
        if (adminToken == null || adminToken.isEmpty()) {
            System.err.println("jwt-sidecar revoke: no admin credential: pass --admin-token or set JWT_SIDECAR_ADMIN_TOKEN");
            return 2;
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode body = json.createObjectNode().put("scope", scope).put("issuer", issuer);
        if (value != null) {
            body.put("value", value);
        }
        if (reason != null) {
            body.put("reason", reason);
        }
        body.put("actor", actor != null ? actor : "cli:" + System.getProperty("user.name", "unknown"));
        HttpRequest request = HttpRequest.newBuilder(adminUrl.resolve("/v1/revocations"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                .build();
        HttpResponse<String> response;
        try {
            response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            System.err.println("jwt-sidecar revoke: cannot reach " + adminUrl + ": " + e.getMessage());
            return 3;
        }
        if (response.statusCode() == 202) {
            System.out.println(response.body());
            return 0;
        }
        System.err.println("jwt-sidecar revoke: admin API answered " + response.statusCode() + ": " + response.body());
        return 1;
    }
}
