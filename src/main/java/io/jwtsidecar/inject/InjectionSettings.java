package io.jwtsidecar.inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the webhook injects when a pod does not say otherwise.
 *
 * @param image            the sidecar image (a pod may name another with {@code jwt-sidecar.io/image})
 * @param configMap        the ConfigMap with {@code sidecar.yaml}, in the pod's namespace (a pod
 *                         may name another with {@code jwt-sidecar.io/config})
 * @param sidecarAdminTokenSecret the opt-in to an admin API in every injected sidecar: a Secret in
 *                         the pod's namespace whose key {@code token} becomes
 *                         {@code JWT_SIDECAR_ADMIN_TOKEN} (optional in the pod: where the Secret is
 *                         missing the admin API stays off). Empty, the default: injected sidecars
 *                         run no admin API whatever their ConfigMap says; revocations go through
 *                         an admin plane of its own (deploy/k8s, {@code jwt-sidecar-admin})
 * @param apiPort          the sidecar API port of that configuration, where the probes ask
 * @param mode             where injected pods' sidecar runs (a pod may choose with
 *                         {@code jwt-sidecar.io/mode}); in {@link InjectionMode#NODE} the image,
 *                         ConfigMap, admin opt-in and API port are the DaemonSet's business and
 *                         go unused here
 * @throws IllegalArgumentException naming every setting that is not valid
 */
public record InjectionSettings(String image, String configMap, Optional<String> sidecarAdminTokenSecret, int apiPort,
        InjectionMode mode) {
    public InjectionSettings {
        if (mode == null) {
            mode = InjectionMode.POD;
        }
        List<String> errors = new ArrayList<>();
        if (!KubernetesNames.isImage(image)) {
            errors.add("image: '" + image + "' is not an image reference");
        }
        if (!KubernetesNames.isDnsSubdomain(configMap)) {
            errors.add("config map: '" + configMap + "' is not a valid ConfigMap name");
        }
        if (sidecarAdminTokenSecret == null) {
            sidecarAdminTokenSecret = Optional.empty();
        }
        sidecarAdminTokenSecret.filter(s -> !KubernetesNames.isDnsSubdomain(s)).ifPresent(s ->
                errors.add("sidecar admin token secret: '" + s + "' is not a valid Secret name"));
        if (apiPort < 1 || apiPort > 65535) {
            errors.add("api port: '" + apiPort + "' is not a port (1-65535)");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
    }

    /** Pod mode, the injector's default: a sidecar container in every injected pod. */
    public InjectionSettings(String image, String configMap, Optional<String> sidecarAdminTokenSecret, int apiPort) {
        this(image, configMap, sidecarAdminTokenSecret, apiPort, InjectionMode.POD);
    }
}
