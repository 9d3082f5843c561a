package io.jwtsidecar.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.jwtsidecar.config.ConfigKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides whether a pod gets the jwt-sidecar container and builds the JSON Patch that adds it.
 *
 * <p>A pod is injected when it carries the annotation {@code jwt-sidecar.io/inject: "true"}
 * (exactly that value), has no container named {@code jwt-sidecar} yet and is not marked
 * {@code jwt-sidecar.io/status: injected-node}; any other pod is left alone. It is injected in the
 * injector's mode, unless the pod says {@code jwt-sidecar.io/mode: pod} or {@code node} (any other
 * value is refused as the other annotation values are). In node mode the patch adds no container but the
 * node's socket ({@link NodeSocketPatch}) and the annotation {@code jwt-sidecar.io/status:
 * injected-node}, and no label: the pod has no sidecar ports for the NetworkPolicy or the
 * PodMonitor to find. In pod mode the patch, in this order:
 * <ol>
 *   <li>adds five volumes: {@code jwt-sidecar-store} (emptyDir, the RocksDB store),
 *       {@code jwt-sidecar-tmp} (emptyDir for {@code /tmp}: the root filesystem is read-only and
 *       the JVM writes temporary files), {@code jwt-sidecar-config} (the ConfigMap), and the
 *       Kafka credentials {@code jwt-sidecar-kafka-user} and {@code jwt-sidecar-kafka-cluster-ca}
 *       (Secrets of those names, optional);</li>
 *   <li>appends the {@code jwt-sidecar} container: non-root, read-only root filesystem, no
 *       capabilities, resource requests and limits, probes on {@code /health/ready} and
 *       {@code /health/live}, the sidecar id {@code <namespace>/<pod name>} from the
 *       downward API, and the metrics listener on the pod IP ({@code status.podIP}), port {@value #METRICS_PORT},
 *       declared as the container port {@code metrics} that the PodMonitor scrapes (its only
 *       port). It runs no admin API ({@code JWT_SIDECAR_ADMIN_ENABLED=false}, which outranks
 *       whatever the ConfigMap says) unless the injector was started with a sidecar admin token
 *       Secret, the explicit opt-in;</li>
 *   <li>sets the label {@code jwt-sidecar.io/sidecar: "true"} (the admin-port NetworkPolicy
 *       selects pods by it) and the annotation {@code jwt-sidecar.io/status: injected}.</li>
 * </ol>
 *
 * <p>The sidecar API listens on loopback, where the kubelet cannot reach it (HTTP probes go to
 * the pod's IP), so the probes run {@code curl} inside the sidecar container against
 * {@code 127.0.0.1}; the project's image ships curl for this.
 *
 * <p>Immutable and thread-safe.
 */
public final class SidecarInjector {
    public static final String CONTAINER_NAME = "jwt-sidecar";
    public static final String INJECT_ANNOTATION = "jwt-sidecar.io/inject";
    public static final String IMAGE_ANNOTATION = "jwt-sidecar.io/image";
    public static final String CONFIG_ANNOTATION = "jwt-sidecar.io/config";
    public static final String STATUS_ANNOTATION = "jwt-sidecar.io/status";
    public static final String MODE_ANNOTATION = "jwt-sidecar.io/mode";
    public static final String SIDECAR_LABEL = "jwt-sidecar.io/sidecar";
    /**
     * Where injected sidecars serve {@code GET /metrics} on the pod IP: beside the API (8181) and
     * the admin API (8182), so the service in the pod has one block of ports to keep clear.
     */
    public static final int METRICS_PORT = 8183;
    /** The container port's name, which deploy/monitoring/podmonitor.yaml scrapes by. */
    public static final String METRICS_PORT_NAME = "metrics";

    static final String STORE_VOLUME = "jwt-sidecar-store";
    static final String TMP_VOLUME = "jwt-sidecar-tmp";
    static final String CONFIG_VOLUME = "jwt-sidecar-config";
    static final String STORE_DIR = "/var/lib/jwt-sidecar";
    static final String CONFIG_DIR = "/config";
    /**
     * The Kafka credentials: copies, in the pod's namespace, of the Strimzi KafkaUser's Secret and
     * of the cluster CA's (deploy/k8s/README.md, "Kafka credentials"), mounted whole (a subPath
     * mount never sees a renewal) where the shipped sidecar.yaml reads them. Optional: a cluster
     * without client authentication needs neither, and its ConfigMap names neither.
     */
    static final String KAFKA_USER_SECRET = "jwt-sidecar-kafka-user";
    static final String KAFKA_CA_SECRET = "jwt-sidecar-kafka-cluster-ca";
    static final String KAFKA_USER_DIR = "/var/run/secrets/jwt-sidecar/kafka-user";
    static final String KAFKA_CA_DIR = "/var/run/secrets/jwt-sidecar/kafka-cluster-ca";
    /** The image's user (see Dockerfile). */
    private static final long USER_ID = 10001L;
    /** The container's memory request and limit; the image caps the heap at half the limit. */
    static final String MEMORY_REQUEST = "256Mi";
    static final String MEMORY_LIMIT = "320Mi";

    private final InjectionSettings settings;
    private final ObjectMapper json = new ObjectMapper();
    private final NodeSocketPatch nodeSocket = new NodeSocketPatch();

    public SidecarInjector(InjectionSettings settings) {
        this.settings = settings;
    }

    /**
     * @param pod the pod as submitted (its name may still be empty: controllers use generateName)
     * @return the patch, or why there is none
     * @throws InjectionException when the pod asks for injection but the request cannot be met
     *                            (an annotation value that is not valid, a volume name in use, a
     *                            pod in the node's network in pod mode, a variable of node mode
     *                            already set)
     */
    public Injection inject(Pod pod) {
        ObjectMeta meta = pod.getMetadata();
        Map<String, String> annotations = meta == null || meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
        if (!"true".equals(annotations.get(INJECT_ANNOTATION))) {
            return Injection.skipped("no " + INJECT_ANNOTATION + ": \"true\" annotation");
        }
        PodSpec spec = pod.getSpec();
        if (spec == null || spec.getContainers() == null || spec.getContainers().isEmpty()) {
            throw new InjectionException("the pod has no containers");
        }
        InjectionMode mode = mode(annotations);
        // Either mode's mark, whatever this pod asks now: a pod gets the sidecar one way, once.
        if (InjectionMode.NODE.status().equals(annotations.get(STATUS_ANNOTATION))) {
            return Injection.skipped("already injected in node mode (" + STATUS_ANNOTATION + ": "
                    + InjectionMode.NODE.status() + ")");
        }
        List<Container> initContainers = spec.getInitContainers() == null ? List.of() : spec.getInitContainers();
        if (spec.getContainers().stream().anyMatch(c -> CONTAINER_NAME.equals(c.getName()))
                || initContainers.stream().anyMatch(c -> CONTAINER_NAME.equals(c.getName()))) {
            return Injection.skipped("already has a container named " + CONTAINER_NAME);
        }
        if (mode == InjectionMode.NODE) {
            JsonPatch patch = new JsonPatch();
            nodeSocket.addTo(patch, spec);
            patch.add(JsonPatch.pointer("metadata", "annotations", STATUS_ANNOTATION),
                    json.getNodeFactory().textNode(mode.status()));
            return Injection.injected(patch, mode);
        }
        return injectSidecar(meta, annotations, spec, initContainers);
    }

    private InjectionMode mode(Map<String, String> annotations) {
        String asked = annotations.get(MODE_ANNOTATION);
        if (asked == null) {
            return settings.mode();
        }
        return InjectionMode.parse(asked).orElseThrow(() -> new InjectionException(MODE_ANNOTATION + ": '" + asked
                + "' is not a mode: '" + InjectionMode.POD.value() + "' or '" + InjectionMode.NODE.value() + "'"));
    }

    private Injection injectSidecar(ObjectMeta meta, Map<String, String> annotations, PodSpec spec,
            List<Container> initContainers) {
        // In the node's network the sidecar's ports (8181-8183) are the node's: two such pods on a
        // node clash, and the metrics listener would face the node's network, where no
        // NetworkPolicy applies. Such a pod gets no sidecar rather than one that half works.
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            throw new InjectionException("the pod uses the node's network (hostNetwork: true), where the sidecar's ports "
                    + "would be the node's: run the service without hostNetwork, use node mode ("
                    + MODE_ANNOTATION + ": node), or add the sidecar by hand");
        }
        String image = annotations.getOrDefault(IMAGE_ANNOTATION, settings.image());
        if (!KubernetesNames.isImage(image)) {
            throw new InjectionException(IMAGE_ANNOTATION + ": '" + image + "' is not an image reference");
        }
        String configMap = annotations.getOrDefault(CONFIG_ANNOTATION, settings.configMap());
        if (!KubernetesNames.isDnsSubdomain(configMap)) {
            throw new InjectionException(CONFIG_ANNOTATION + ": '" + configMap + "' is not a valid ConfigMap name");
        }
        List<Volume> existing = spec.getVolumes() == null ? List.of() : spec.getVolumes();
        Set<String> taken = existing.stream().map(Volume::getName).collect(Collectors.toSet());
        for (String name : List.of(STORE_VOLUME, TMP_VOLUME, CONFIG_VOLUME, KAFKA_USER_SECRET, KAFKA_CA_SECRET)) {
            if (taken.contains(name)) {
                throw new InjectionException("the pod already has a volume named " + name);
            }
        }

        JsonPatch patch = new JsonPatch();
        List<Volume> volumes = volumes(configMap);
        patch.appendAll(!existing.isEmpty(), json.valueToTree(volumes), "spec", "volumes");
        // A native sidecar (Kubernetes 1.29+): an init container that keeps running. It starts before
        // the app's init and app containers (first in the list) and stops after them, and a Job's pod
        // completes when its app containers do instead of waiting for the sidecar forever.
        if (initContainers.isEmpty()) {
            patch.add(JsonPatch.pointer("spec", "initContainers"), json.valueToTree(List.of(container(image))));
        } else {
            patch.add(JsonPatch.pointer("spec", "initContainers", "0"), json.valueToTree(container(image)));
        }
        if (meta.getLabels() == null || meta.getLabels().isEmpty()) {
            ObjectNode labels = json.createObjectNode().put(SIDECAR_LABEL, "true");
            patch.add(JsonPatch.pointer("metadata", "labels"), labels);
        } else {
            patch.add(JsonPatch.pointer("metadata", "labels", SIDECAR_LABEL), json.getNodeFactory().textNode("true"));
        }
        JsonNode injected = json.getNodeFactory().textNode(InjectionMode.POD.status());
        patch.add(JsonPatch.pointer("metadata", "annotations", STATUS_ANNOTATION), injected);
        return Injection.injected(patch, InjectionMode.POD);
    }

    /**
     * The sidecar container as injected with this injector's image, a native sidecar (an init
     * container with {@code restartPolicy: Always}); also what the example Deployment spells out by hand.
     */
    public Container container(String image) {
        List<EnvVar> env = new ArrayList<>();
        // The id in fleet receipts is namespace/pod: a pod name alone repeats across namespaces, and
        // two sidecars reporting under one id overwrite each other's status. The kubelet expands
        // $(VAR) only from entries declared before, so these two come first.
        env.add(new EnvVarBuilder().withName("POD_NAMESPACE")
                .withNewValueFrom().withNewFieldRef().withFieldPath("metadata.namespace").endFieldRef().endValueFrom().build());
        env.add(new EnvVarBuilder().withName("POD_NAME")
                .withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().build());
        env.add(new EnvVar("JWT_SIDECAR_SIDECAR_ID", "$(POD_NAMESPACE)/$(POD_NAME)", null));
        // The store must be on the emptyDir whatever the ConfigMap says: the root filesystem is read-only.
        env.add(new EnvVar(ConfigKeys.DATA_DIR.envName(), STORE_DIR + "/revocations", null));
        // Prometheus scrapes the pod IP: the metrics listener binds that address alone (not every
        // address: in a hostNetwork pod those are the node's, where no NetworkPolicy applies) and
        // serves only /metrics there, while the API stays on loopback whatever the ConfigMap says.
        env.add(new EnvVarBuilder().withName("POD_IP")
                .withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP").endFieldRef().endValueFrom().build());
        env.add(new EnvVar("JWT_SIDECAR_METRICS_HOST", "$(POD_IP)", null));
        env.add(new EnvVar("JWT_SIDECAR_METRICS_PORT", String.valueOf(METRICS_PORT), null));
        // Every service pod able to revoke for every issuer is a wide target: the admin API lives in an
        // admin plane of its own, and a sidecar gets one only when the injector's operator asks for it.
        if (settings.sidecarAdminTokenSecret().isPresent()) {
            env.add(new EnvVarBuilder().withName(ConfigKeys.ADMIN_TOKEN.envName())
                    .withNewValueFrom().withNewSecretKeyRef().withName(settings.sidecarAdminTokenSecret().get())
                    .withKey("token").withOptional(true).endSecretKeyRef().endValueFrom().build());
        } else {
            env.add(new EnvVar(ConfigKeys.ADMIN_ENABLED.envName(), "false", null));
        }
        return new ContainerBuilder()
                .withName(CONTAINER_NAME)
                .withImage(image)
                .withImagePullPolicy("IfNotPresent")
                // In initContainers, Always makes it a native sidecar (Kubernetes 1.29+).
                .withRestartPolicy("Always")
                .withArgs("run", "--config", CONFIG_DIR + "/sidecar.yaml")
                .withEnv(env)
                .withPorts(new ContainerPortBuilder().withName(METRICS_PORT_NAME).withContainerPort(METRICS_PORT).build())
                // Sized from the measured footprint (docs/BENCHMARKS.md, "Footprint: a sidecar in every
                // pod"): with the image's heap cap (half the limit: 160 MiB; the serial collector commits
                // what the live set needs) the peak under a paced 10,000 requests/s with 100,000 live
                // rules was about 225 MiB; the request covers it, the limit leaves a margin for what is
                // not heap (class archive, compiled code, the compilers' arenas, RocksDB, Netty). It was
                // 320Mi/512Mi with a 256 MiB heap, for the same peak.
                .withResources(new ResourceRequirementsBuilder()
                        .addToRequests("cpu", new Quantity("100m"))
                        .addToRequests("memory", new Quantity(MEMORY_REQUEST))
                        .addToLimits("cpu", new Quantity("1"))
                        .addToLimits("memory", new Quantity(MEMORY_LIMIT))
                        .build())
                .withReadinessProbe(probe("/health/ready", 0, 5))
                .withLivenessProbe(probe("/health/live", 30, 10))
                .withSecurityContext(new SecurityContextBuilder()
                        .withRunAsNonRoot(true)
                        .withRunAsUser(USER_ID)
                        .withRunAsGroup(USER_ID)
                        .withReadOnlyRootFilesystem(true)
                        .withAllowPrivilegeEscalation(false)
                        .withNewCapabilities().withDrop("ALL").endCapabilities()
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                        .build())
                .withVolumeMounts(
                        new VolumeMountBuilder().withName(STORE_VOLUME).withMountPath(STORE_DIR).build(),
                        new VolumeMountBuilder().withName(TMP_VOLUME).withMountPath("/tmp").build(),
                        new VolumeMountBuilder().withName(CONFIG_VOLUME).withMountPath(CONFIG_DIR).withReadOnly(true).build(),
                        new VolumeMountBuilder().withName(KAFKA_USER_SECRET).withMountPath(KAFKA_USER_DIR).withReadOnly(true)
                                .build(),
                        new VolumeMountBuilder().withName(KAFKA_CA_SECRET).withMountPath(KAFKA_CA_DIR).withReadOnly(true)
                                .build())
                .build();
    }

    /** The volumes the container mounts, with the given ConfigMap. */
    public List<Volume> volumes(String configMap) {
        return List.of(
                new VolumeBuilder().withName(STORE_VOLUME)
                        .withNewEmptyDir().withSizeLimit(new Quantity("1Gi")).endEmptyDir().build(),
                new VolumeBuilder().withName(TMP_VOLUME)
                        .withNewEmptyDir().withSizeLimit(new Quantity("256Mi")).endEmptyDir().build(),
                new VolumeBuilder().withName(CONFIG_VOLUME)
                        .withNewConfigMap().withName(configMap).endConfigMap().build(),
                new VolumeBuilder().withName(KAFKA_USER_SECRET)
                        .withNewSecret().withSecretName(KAFKA_USER_SECRET).withOptional(true).endSecret().build(),
                new VolumeBuilder().withName(KAFKA_CA_SECRET)
                        .withNewSecret().withSecretName(KAFKA_CA_SECRET).withOptional(true).endSecret().build());
    }

    private Probe probe(String path, int initialDelaySeconds, int periodSeconds) {
        return new ProbeBuilder()
                .withNewExec()
                .withCommand("curl", "-fsS", "--max-time", "2", "-o", "/dev/null",
                        "http://127.0.0.1:" + settings.apiPort() + path)
                .endExec()
                .withInitialDelaySeconds(initialDelaySeconds == 0 ? null : initialDelaySeconds)
                .withPeriodSeconds(periodSeconds)
                .withTimeoutSeconds(3)
                .withFailureThreshold(3)
                .build();
    }
}
