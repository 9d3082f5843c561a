package io.jwtsidecar.cli;

import io.jwtsidecar.http.WebhookServer;
import io.jwtsidecar.inject.AdmissionWebhook;
import io.jwtsidecar.inject.InjectionMode;
import io.jwtsidecar.inject.InjectionSettings;
import io.jwtsidecar.inject.SidecarInjector;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jwt-sidecar inject-webhook}: the Kubernetes mutating admission webhook that adds the
 * sidecar container to pods annotated {@code jwt-sidecar.io/inject: "true"} (deploy/k8s), or in
 * node mode the socket of the node's sidecar (deploy/k8s-node).
 */
@Command(name = "inject-webhook",
        description = "Run the Kubernetes admission webhook that injects the sidecar into annotated pods (HTTPS, POST /mutate).")
final class InjectWebhookCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8443", description = "HTTPS port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--tls-cert", required = true, description = "PEM certificate chain of the webhook's Service name.")
    Path tlsCert;

    @Option(names = "--tls-key", required = true, description = "PEM private key of that certificate.")
    Path tlsKey;

    @Option(names = "--tls-reload-seconds", defaultValue = "60",
            description = "How often the certificate files are checked for a renewal (default: ${DEFAULT-VALUE}).")
    int tlsReloadSeconds;

    @Option(names = "--image", required = true,
            description = "Sidecar image to inject; a pod may name another with the annotation jwt-sidecar.io/image.")
    String image;

    @Option(names = "--config-map", defaultValue = "jwt-sidecar-config",
            description = "ConfigMap with sidecar.yaml, in the pod's namespace; a pod may name another with "
                    + "jwt-sidecar.io/config (default: ${DEFAULT-VALUE}).")
    String configMap;

    @Option(names = "--sidecar-admin-token-secret",
            description = "Opt in to an admin API in every injected sidecar: a Secret in the pod's namespace whose key "
                    + "'token' becomes JWT_SIDECAR_ADMIN_TOKEN (optional in the pod). Without this option injected "
                    + "sidecars run no admin API, whatever their ConfigMap says (JWT_SIDECAR_ADMIN_ENABLED=false): "
                    + "revoke through an admin plane of its own instead (deploy/k8s, jwt-sidecar-admin).")
    @Nullable String sidecarAdminTokenSecret;

    /**
     * The old name of the opt-in, ignored with a warning rather than honoured: it used to read as a
     * detail of the admin token, not as the choice to put an admin API into every service pod. Not
     * refused either: a webhook that will not start, behind {@code failurePolicy: Ignore}, admits
     * every pod without a sidecar.
     */
    @Option(names = "--admin-token-secret", hidden = true)
    @Nullable String legacyAdminTokenSecret;

    @Option(names = "--api-port", defaultValue = "8181",
            description = "The sidecar API port of that configuration, for the probes (default: ${DEFAULT-VALUE}).")
    int apiPort;

    @Option(names = "--mode", defaultValue = "pod",
            description = "pod: add a sidecar container to each injected pod; node: add none, and give the pod's "
                    + "containers the socket of the node's jwt-sidecar (a DaemonSet, deploy/k8s-node). A pod may "
                    + "choose with the annotation jwt-sidecar.io/mode (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--fail-closed",
            description = "Refuse a pod whose patch cannot be built; by default such a pod is admitted without the sidecar.")
    boolean failClosed;

    @Override
    public Integer call() throws InterruptedException {
        if (legacyAdminTokenSecret != null) {
            System.err.println("jwt-sidecar inject-webhook: warning: --admin-token-secret is ignored: injected sidecars "
                    + "run no admin API. To put one into every injected sidecar all the same, say "
                    + "--sidecar-admin-token-secret=" + legacyAdminTokenSecret + "; else drop the option and revoke "
                    + "through the admin plane (deploy/k8s, jwt-sidecar-admin).");
        }
        Optional<InjectionMode> injectionMode = InjectionMode.parse(mode);
        if (injectionMode.isEmpty()) {
            System.err.println("jwt-sidecar inject-webhook: --mode: '" + mode + "' is not a mode: 'pod' or 'node'");
            return ConfigErrors.EXIT_CODE;
        }
        InjectionSettings settings;
        try {
            settings = new InjectionSettings(image, configMap, Optional.ofNullable(sidecarAdminTokenSecret), apiPort,
                    injectionMode.get());
        } catch (IllegalArgumentException e) {
            System.err.println("jwt-sidecar inject-webhook: " + e.getMessage());
            return ConfigErrors.EXIT_CODE;
        }
        AdmissionWebhook webhook = new AdmissionWebhook(new SidecarInjector(settings), failClosed);
        WebhookServer server;
        try {
            server = WebhookServer.start(new WebhookServer.Options(host, port, tlsCert, tlsKey,
                    Duration.ofSeconds(Math.max(1, tlsReloadSeconds))), webhook);
        } catch (UncheckedIOException | IllegalStateException e) {
            System.err.println("jwt-sidecar inject-webhook: " + e.getMessage());
            return 1;
        }
        ShutdownWait.awaitShutdown(server);
        return 0;
    }
}
