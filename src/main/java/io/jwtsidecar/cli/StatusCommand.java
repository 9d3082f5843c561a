package io.jwtsidecar.cli;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jwt-sidecar status EVENT_ID}: the fleet receipt of an event from an admin API
 * ({@code GET /v1/revocations/{eventId}/status}): how many live sidecars have applied it, which
 * are pending or lagging, and the slowest one's delay. Exit codes as {@link AdminClient}; with
 * {@code --require-complete}, 1 also when a live sidecar has not applied it yet.
 */
@Command(name = "status", description = "Which sidecars have applied a revocation event (fleet receipt).")
final class StatusCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "The event id a revoke or restore answered with.")
    String eventId;

    @Option(names = "--require-complete", description = "Exit 1 unless every live sidecar has applied the event.")
    boolean requireComplete;

    @Mixin
    AdminClient admin;

    @Override
    public Integer call() throws Exception {
        int code = admin.send("status", admin.resolve("/v1/revocations/" + RuleOptions.segment(eventId) + "/status").GET(),
                200);
        if (code == AdminClient.ACCEPTED && requireComplete
                && !new JsonObject(Objects.requireNonNull(admin.lastBody, "an accepted answer sets lastBody")).getBoolean("complete", false)) {
            System.err.println("jwt-sidecar status: not every live sidecar has applied " + eventId + " yet");
            return AdminClient.REFUSED;
        }
        return code;
    }
}
