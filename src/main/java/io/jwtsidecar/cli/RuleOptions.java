package io.jwtsidecar.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options that name a rule and say why and for whom it changes: a picocli mixin shared by
 * {@code revoke} and {@code restore}.
 */
final class RuleOptions {
    @Option(names = "--scope", required = true, description = "jti, sid, sub, client, kid or issuer.")
    String scope;

    @Option(names = "--issuer", required = true, description = "Exact issuer (iss).")
    String issuer;

    @Option(names = "--value", description = "The jti, sid, sub, client id or kid; omit for scope issuer.")
    @Nullable String value;

    @Option(names = "--reason", description = "logout, logout_all, permission_change, password_change, key_compromise, client_compromise, admin, or free text.")
    @Nullable String reason;

    @Option(names = "--actor", description = "Who you act for (recorded in the audit log beside the credential's actor; default: cli:<user name>).")
    @Nullable String actor;

    @Option(names = "--event-id", description = "Event id to use (a UUID); repeating the command with the same id within an hour publishes nothing new.")
    @Nullable String eventId;

    /** The actor to send: the given one, else the local user name. */
    String actorOrUser() {
        return actor != null ? actor : "cli:" + System.getProperty("user.name", "unknown");
    }

    /** One path segment, percent-encoded (an issuer holds "://" and "/"). */
    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
