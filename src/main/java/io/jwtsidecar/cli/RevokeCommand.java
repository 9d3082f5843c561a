package io.jwtsidecar.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code jwt-sidecar revoke}: asks an admin API to publish a revocation
 * ({@code POST /v1/revocations}). Exit codes as {@link AdminClient}.
 */
@Command(name = "revoke", description = "Revoke tokens through the admin API (scope jti, sid, sub, client, kid or issuer).")
final class RevokeCommand implements Callable<Integer> {
    @Mixin
    RuleOptions rule;

    @Mixin
    AdminClient admin;

    @Override
    public Integer call() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode body = json.createObjectNode().put("scope", rule.scope).put("issuer", rule.issuer);
        if (rule.value != null) {
            body.put("value", rule.value);
        }
        if (rule.reason != null) {
            body.put("reason", rule.reason);
        }
        if (rule.eventId != null) {
            body.put("eventId", rule.eventId);
        }
        body.put("actor", rule.actorOrUser());
        return admin.send("revoke", admin.resolve("/v1/revocations")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
    }
}
