package io.jwtsidecar.inject;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.List;

/**
 * The node-mode patch: no sidecar container; the pod's app containers get the node's socket
 * directory and the variables that say how to call it.
 *
 * <ul>
 *   <li>the volume {@code jwt-sidecar-socket}: hostPath {@value #SOCKET_DIR}, type
 *       {@code Directory}, so a pod on a node where the DaemonSet has not made the directory yet
 *       waits for it (the kubelet retries the mount) instead of starting with an empty directory
 *       of its own, no sidecar behind it, and failing only at its first call;</li>
 *   <li>in every app container, that volume read-only at {@value #SOCKET_DIR}: the directory, not
 *       the socket file, so a socket the node's sidecar makes anew after a restart is seen; read-only
 *       so a pod cannot plant or remove files beside it (connecting still works: a read-only mount
 *       refuses writes to files and directories, not connections to a socket) and the variables {@code JWT_SIDECAR_POD_NAME},
 *       {@code JWT_SIDECAR_POD_NAMESPACE} (downward API), {@code JWT_SIDECAR_CLIENT}
 *       ({@code namespace/pod}, the value of the {@code Jwt-Sidecar-Client} header, by which the
 *       node's sidecar lists the pods it serves) and {@code JWT_SIDECAR_SOCKET}.</li>
 * </ul>
 *
 * <p>Init containers get none of it: they run before the app and the node's sidecar is the
 * app's; an init container that needs it can say so by hand. A container that already sets one
 * of these variables or mounts something of that name or path is refused, not overwritten: a
 * silent winner between the pod's value and ours would leave the app calling somewhere else than
 * either side thinks.
 */
public final class NodeSocketPatch {
    public static final String SOCKET_VOLUME = "jwt-sidecar-socket";
    /** Where the node-level sidecar (deploy/k8s-node) makes its socket, on the node and in the pods alike. */
    public static final String SOCKET_DIR = "/run/jwt-sidecar";
    public static final String SOCKET_PATH = SOCKET_DIR + "/api.sock";
    static final String POD_NAME_ENV = "JWT_SIDECAR_POD_NAME";
    static final String POD_NAMESPACE_ENV = "JWT_SIDECAR_POD_NAMESPACE";
    static final String CLIENT_ENV = "JWT_SIDECAR_CLIENT";
    static final String SOCKET_ENV = "JWT_SIDECAR_SOCKET";

    private final ObjectMapper json = new ObjectMapper();

    NodeSocketPatch() {
    }

    /**
     * Adds the node-mode operations for {@code spec} to {@code patch}.
     *
     * @throws InjectionException when the volume name is taken, or a container already sets one
     *                            of the variables or mounts at the socket directory
     */
    void addTo(JsonPatch patch, PodSpec spec) {
        List<Volume> existing = spec.getVolumes() == null ? List.of() : spec.getVolumes();
        if (existing.stream().anyMatch(v -> SOCKET_VOLUME.equals(v.getName()))) {
            throw new InjectionException("the pod already has a volume named " + SOCKET_VOLUME);
        }
        List<Container> containers = spec.getContainers();
        for (Container c : containers) {
            refuseClashes(c);
        }
        patch.appendAll(!existing.isEmpty(), json.valueToTree(List.of(volume())), "spec", "volumes");
        for (int i = 0; i < containers.size(); i++) {
            Container c = containers.get(i);
            String index = String.valueOf(i);
            // A container without env or mounts has no such list: appendAll makes it.
            patch.appendAll(hasAny(c.getEnv()), json.valueToTree(env()), "spec", "containers", index, "env");
            patch.appendAll(hasAny(c.getVolumeMounts()), json.valueToTree(List.of(mount())),
                    "spec", "containers", index, "volumeMounts");
        }
    }

    private static boolean hasAny(List<?> list) {
        return list != null && !list.isEmpty();
    }

    private static void refuseClashes(Container c) {
        List<String> ours = env().stream().map(EnvVar::getName).toList();
        if (c.getEnv() != null) {
            for (EnvVar e : c.getEnv()) {
                if (ours.contains(e.getName())) {
                    throw new InjectionException("the container " + c.getName() + " already sets " + e.getName()
                            + ", which node mode sets: remove it, or leave the pod to pod mode");
                }
            }
        }
        if (c.getVolumeMounts() != null) {
            for (VolumeMount m : c.getVolumeMounts()) {
                if (SOCKET_VOLUME.equals(m.getName()) || SOCKET_DIR.equals(stripSlash(m.getMountPath()))) {
                    throw new InjectionException("the container " + c.getName() + " already mounts "
                            + m.getName() + " at " + m.getMountPath() + ", where node mode mounts the socket directory");
                }
            }
        }
    }

    private static String stripSlash(String path) {
        return path != null && path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /**
     * In this order: the kubelet expands {@code $(VAR)} only from entries declared before, so the
     * two downward-API entries come before the client name built from them.
     */
    static List<EnvVar> env() {
        return List.of(
                new EnvVarBuilder().withName(POD_NAME_ENV)
                        .withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom()
                        .build(),
                new EnvVarBuilder().withName(POD_NAMESPACE_ENV)
                        .withNewValueFrom().withNewFieldRef().withFieldPath("metadata.namespace").endFieldRef()
                        .endValueFrom().build(),
                new EnvVar(CLIENT_ENV, "$(" + POD_NAMESPACE_ENV + ")/$(" + POD_NAME_ENV + ")", null),
                new EnvVar(SOCKET_ENV, SOCKET_PATH, null));
    }

    static Volume volume() {
        return new VolumeBuilder().withName(SOCKET_VOLUME)
                .withNewHostPath().withPath(SOCKET_DIR).withType("Directory").endHostPath().build();
    }

    static VolumeMount mount() {
        return new VolumeMountBuilder().withName(SOCKET_VOLUME).withMountPath(SOCKET_DIR).withReadOnly(true).build();
    }
}
