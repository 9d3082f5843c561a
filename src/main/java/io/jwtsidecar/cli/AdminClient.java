package io.jwtsidecar.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The admin API as the command line sees it: where it is, the credential, and one request
 * whose answer becomes an exit code. A picocli mixin shared by the commands that publish
 * ({@code revoke}, {@code restore}), so they go through the same validation and audit log as
 * every other admin action.
 *
 * <p>Exit codes ({@link ExitStatus}): 0 when the admin API accepted the request (202), 1 when it
 * refused it, 2 for a usage error (no credential, a missing option), 3 when it could not be
 * reached or did not answer within {@code --timeout}.
 */
final class AdminClient {
    static final int ACCEPTED = ExitStatus.OK;
    static final int REFUSED = ExitStatus.FAILED;
    static final int USAGE = ExitStatus.USAGE;
    static final int UNREACHABLE = ExitStatus.UNREACHABLE;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    // picocli calls adminUrl(String), with the given URL or the default, before any command runs.
    @SuppressWarnings("NullAway.Init")
    URI adminUrl;

    @Option(names = "--admin-token", defaultValue = "${env:JWT_SIDECAR_ADMIN_TOKEN}",
            description = "Admin credential: a static token or an admin JWT (default: $JWT_SIDECAR_ADMIN_TOKEN).")
    @Nullable String adminToken;

    @Option(names = "--timeout", defaultValue = "30",
            description = "Seconds to wait for the admin API to accept the connection, and again for its answer (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    /** The body of the last accepted answer, for commands that look inside it; null before one. */
    @Nullable String lastBody;

    /**
     * Checked as the option is parsed: a URL the HTTP client cannot use would otherwise fail
     * later, as an exception about a request rather than about this option.
     */
    @Option(names = "--admin-url", defaultValue = "http://127.0.0.1:8182", description = "Admin API base URL (default: ${DEFAULT-VALUE}).")
    void adminUrl(String value) {
        @Nullable URI url;
        try {
            url = URI.create(value);
        } catch (IllegalArgumentException e) {
            url = null;
        }
        if (url == null || url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new ParameterException(command.commandLine(), "--admin-url '" + value
                    + "' is not an http:// or https:// URL with a host; pass one such as http://127.0.0.1:8182");
        }
        adminUrl = url;
    }

    /**
     * Sends {@code request} (built on {@link #resolve}) with the credential, prints the answer
     * (stdout when accepted, stderr otherwise) and returns the exit code.
     */
    int send(String command, HttpRequest.Builder request) throws InterruptedException {
        return send(command, request, 202);
    }

    /** As {@link #send(String, HttpRequest.Builder)}, accepting {@code expected} as success. */
    int send(String command, HttpRequest.Builder request, int expected) throws InterruptedException {
        try {
            return exchange(command, request, expected);
        } catch (UserError e) {
            return e.report(this.command);
        }
    }

    private int exchange(String command, HttpRequest.Builder request, int expected) throws InterruptedException, UserError {
        String token = adminToken;
        if (token == null || token.isEmpty()) {
            throw new UserError(USAGE, "no admin credential: pass --admin-token or set JWT_SIDECAR_ADMIN_TOKEN", null);
        }
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        HttpResponse<String> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(timeout).build().send(request.timeout(timeout)
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unreachable(e);
        }
        if (response.statusCode() == expected) {
            System.out.println(response.body());
            lastBody = response.body();
            return ACCEPTED;
        }
        System.err.println("jwt-sidecar " + command + ": admin API answered " + response.statusCode() + ": " + response.body());
        return REFUSED;
    }

    /** The sentence for a request that got no answer: what happened, at which URL, and what to check. */
    private UserError unreachable(IOException e) {
        String sentence;
        if (e instanceof HttpConnectTimeoutException) {
            sentence = "no connection to the admin API at " + adminUrl + " within " + timeoutSeconds
                    + " s; check --admin-url and that no firewall drops the port, or raise --timeout";
        } else if (e instanceof HttpTimeoutException) {
            sentence = "the admin API at " + adminUrl + " did not answer within " + timeoutSeconds
                    + " s; check that --admin-url points at the admin API, or raise --timeout";
        } else if (causedBy(e, UnresolvedAddressException.class)) {
            sentence = "cannot reach the admin API at " + adminUrl + ": unknown host " + adminUrl.getHost()
                    + "; check --admin-url";
        } else if (e instanceof ConnectException) {
            sentence = "cannot reach the admin API at " + adminUrl + ": connection refused, nothing listens there; "
                    + "start the sidecar with its admin API enabled, or point --admin-url at one";
        } else {
            sentence = "cannot reach the admin API at " + adminUrl + ": " + UserError.reason(e)
                    + "; check that --admin-url points at the admin API";
        }
        return new UserError(UNREACHABLE, sentence, e);
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** A request to {@code path} (already encoded) on the admin API. */
    HttpRequest.Builder resolve(String path) {
        return HttpRequest.newBuilder(adminUrl.resolve(path));
    }
}
