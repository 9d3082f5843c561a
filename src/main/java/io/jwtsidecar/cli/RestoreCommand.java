package io.jwtsidecar.cli;

import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code jwt-sidecar restore}: asks an admin API to lift a rule everywhere
 * ({@code DELETE /v1/revocations/{scope}/{issuer}/{value}}), e.g. after a mistaken revocation.
 * Exit codes as {@link AdminClient}.
 */
@Command(name = "restore", description = "Lift a revocation rule through the admin API (the same options as revoke).")
final class RestoreCommand implements Callable<Integer> {
    @Mixin
    RuleOptions rule;

    @Mixin
    AdminClient admin;

    @Override
    public Integer call() throws Exception {
        if (rule.value == null && !rule.scope.equals("issuer")) {
            System.err.println("jwt-sidecar restore: --value is required for scope " + rule.scope);
            return AdminClient.USAGE;
        }
        // Scope issuer has no value segment; any other value, even an empty one, is sent for the API to judge.
        String path = "/v1/revocations/" + RuleOptions.segment(rule.scope) + "/" + RuleOptions.segment(rule.issuer)
                + (rule.value == null ? "" : "/" + RuleOptions.segment(rule.value));
        StringJoiner query = new StringJoiner("&", "?", "");
        if (rule.reason != null) {
            query.add("reason=" + RuleOptions.segment(rule.reason));
        }
        if (rule.eventId != null) {
            query.add("eventId=" + RuleOptions.segment(rule.eventId));
        }
        query.add("actor=" + RuleOptions.segment(rule.actorOrUser()));
        return admin.send("restore", admin.resolve(path + query).DELETE());
    }
}
