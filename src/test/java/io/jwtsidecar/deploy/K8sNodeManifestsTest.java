package io.jwtsidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.inject.InjectionSettings;
import io.jwtsidecar.inject.NodeSocketPatch;
import io.jwtsidecar.inject.SidecarInjector;
import io.jwtsidecar.testing.KubeletEnv;
import io.jwtsidecar.testing.Kustomize;
import io.jwtsidecar.testing.Manifests;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s-node, rendered as it is applied and read back with the fabric8 model: the base with
 * a DaemonSet that serves each node's pods over the socket the injector in node mode gives them,
 * and nothing else of the base changed but the injector's mode.
 */
class K8sNodeManifestsTest {
    private static final String NAME = "jwt-sidecar-node";
    private static final YAMLMapper YAML = new YAMLMapper();

    private static List<HasMetadata> base;
    private static List<HasMetadata> node;

    @BeforeAll
    static void render() {
        base = Kustomize.typed("deploy/k8s");
        node = Kustomize.typed("deploy/k8s-node");
    }

    @Test
    void the_overlay_is_the_base_with_the_daemonset_and_its_config_and_the_injector_in_node_mode() {
        assertThat(node).hasSize(base.size() + 2);
        assertThat(one(DaemonSet.class, NAME).getMetadata().getNamespace()).isEqualTo("jwt-sidecar");
        assertThat(one(ConfigMap.class, NAME + "-config").getMetadata().getNamespace()).isEqualTo("jwt-sidecar");
        for (HasMetadata r : node) {
            if (!(r instanceof DaemonSet || r.getMetadata().getName().equals(NAME + "-config"))) {
                assertThat(base).as("%s %s as in the base", r.getKind(), r.getMetadata().getName()).anySatisfy(b -> {
                    assertThat(b.getKind()).isEqualTo(r.getKind());
                    assertThat(b.getMetadata().getName()).isEqualTo(r.getMetadata().getName());
                });
            }
            if (!(r instanceof GenericKubernetesResource)) {
                Manifests.assertKnownFields(r, r.getKind() + " " + r.getMetadata().getName());
            }
        }
        List<String> baseArgs = webhook(base).getArgs();
        assertThat(webhook(node).getArgs()).containsExactlyElementsOf(
                concat(baseArgs, "--mode=node"));
    }

    @Test
    void the_config_is_the_bases_with_the_socket_in_the_directory_the_injected_pods_mount() throws IOException {
        JsonNode nodeYaml = YAML.readTree(config().getData().get("sidecar.yaml"));
        JsonNode baseYaml = YAML.readTree(one(base, ConfigMap.class, "jwt-sidecar-config").getData().get("sidecar.yaml"));

        assertThat(nodeYaml.get("api").get("socketPath").asText()).isEqualTo(NodeSocketPatch.SOCKET_PATH);
        ObjectNode withoutSocket = nodeYaml.deepCopy();
        ((ObjectNode) withoutSocket.get("api")).remove("socketPath");
        assertThat(withoutSocket).as("the same topics, credentials, issuers and store as every sidecar").isEqualTo(baseYaml);
        VolumeMount socket = mount(sidecar(), volume(pod(), v -> v.getHostPath() != null).getName());
        assertThat(socket.getMountPath()).isEqualTo(NodeSocketPatch.SOCKET_DIR);
        assertThat(socket.getReadOnly()).as("the sidecar makes its socket there").isNotEqualTo(Boolean.TRUE);
        assertThat(volume(pod(), v -> v.getHostPath() != null).getHostPath().getPath()).isEqualTo(NodeSocketPatch.SOCKET_DIR);
        assertThat(volume(pod(), v -> v.getHostPath() != null).getHostPath().getType()).isEqualTo("DirectoryOrCreate");
        assertThat(pod().getVolumes()).as("one hostPath: the socket's directory").filteredOn(v -> v.getHostPath() != null)
                .hasSize(1);
    }

    @Test
    void the_configuration_loads_with_the_containers_environment_as_the_nodes_sidecar() throws IOException {
        SidecarConfig config = sidecarConfig("node-a.example");

        assertThat(config.sidecarId()).as("fleet receipts per node").isEqualTo("node-a.example");
        assertThat(config.adminAccess().enabled()).isFalse();
        assertThat(config.adminAccess().switchedOff()).isTrue();
        assertThat(config.api().host()).isEqualTo("127.0.0.1");
        assertThat(config.apiSocket()).as("served where the injected pods look for it")
                .contains(Path.of(NodeSocketPatch.SOCKET_PATH));
        assertThat(config.metrics()).contains(new SidecarConfig.Listener("10.1.2.3", SidecarInjector.METRICS_PORT));
        assertThat(sidecar().getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
                .containsExactly(SidecarInjector.METRICS_PORT_NAME + ":" + SidecarInjector.METRICS_PORT);
        Path store = Path.of(mount(sidecar(), "store").getMountPath());
        assertThat(config.revocation().dataDir().startsWith(store)).isTrue();
        assertThat(volume(pod(), v -> v.getName().equals("store")).getEmptyDir()).isNotNull();
        assertThat(Manifests.probeUrl(sidecar().getReadinessProbe()))
                .isEqualTo("http://127.0.0.1:" + config.api().port() + "/health/ready");
        assertThat(Manifests.probeUrl(sidecar().getLivenessProbe()))
                .isEqualTo("http://127.0.0.1:" + config.api().port() + "/health/live");
    }

    @Test
    void the_sidecar_is_hardened_as_the_injected_one_and_reads_kafka_credentials_from_the_same_places() {
        InjectionSettings settings = new InjectionSettings("jwt-sidecar:0.1.0", "jwt-sidecar-config",
                Optional.empty(), 8181);
        Container injected = new SidecarInjector(settings).container(settings.image());
        Container sidecar = sidecar();

        assertThat(sidecar.getImage()).isEqualTo(webhookImage(node));
        assertThat(sidecar.getSecurityContext()).isEqualTo(injected.getSecurityContext());
        assertThat(sidecar.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(sidecar.getResources().getLimits()).containsKeys("cpu", "memory");
        assertThat(sidecar.getVolumeMounts()).filteredOn(m -> m.getMountPath().equals("/tmp")).singleElement()
                .satisfies(m -> assertThat(volume(pod(), v -> v.getName().equals(m.getName())).getEmptyDir()).isNotNull());
        for (VolumeMount m : injected.getVolumeMounts()) {
            if (m.getMountPath().startsWith("/var/run/secrets/jwt-sidecar/")) {
                VolumeMount ours = sidecar.getVolumeMounts().stream().filter(o -> o.getMountPath().equals(m.getMountPath()))
                        .findFirst().orElseThrow(() -> new AssertionError("no mount at " + m.getMountPath()));
                Volume theirs = new SidecarInjector(settings).volumes(settings.configMap()).stream()
                        .filter(v -> v.getName().equals(m.getName())).findFirst().orElseThrow();
                assertThat(volume(pod(), v -> v.getName().equals(ours.getName())).getSecret().getSecretName())
                        .isEqualTo(theirs.getSecret().getSecretName());
            }
        }
        assertThat(pod().getAutomountServiceAccountToken()).isFalse();
        assertThat(pod().getEnableServiceLinks()).isFalse();
    }

    @Test
    void only_the_init_container_runs_as_root_and_only_with_chown_to_hand_the_directory_to_the_sidecars_user() {
        Container init = pod().getInitContainers().get(0);
        SecurityContext sc = init.getSecurityContext();

        assertThat(pod().getInitContainers()).hasSize(1);
        assertThat(init.getRestartPolicy()).as("runs once, not a native sidecar").isNull();
        assertThat(sc.getRunAsUser()).isZero();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).containsExactly("CHOWN");
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        String owner = sidecar().getSecurityContext().getRunAsUser() + ":" + sidecar().getSecurityContext().getRunAsGroup();
        assertThat(init.getCommand()).containsExactly("chown", owner, NodeSocketPatch.SOCKET_DIR);
        assertThat(mount(init, volume(pod(), v -> v.getHostPath() != null).getName()).getMountPath())
                .isEqualTo(NodeSocketPatch.SOCKET_DIR);
    }

    @Test
    void it_runs_on_every_node_and_rolls_one_node_at_a_time() {
        DaemonSet ds = one(DaemonSet.class, NAME);

        assertThat(pod().getTolerations()).as("every taint").anySatisfy(t -> {
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getKey()).isNull();
            assertThat(t.getEffect()).isNull();
        });
        assertThat(ds.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(Manifests.matches(ds.getSpec().getSelector(), ds.getSpec().getTemplate().getMetadata().getLabels()))
                .isTrue();
    }

    @Test
    void its_metrics_port_is_kept_to_prometheus_by_the_policy_that_covers_every_sidecar() {
        NetworkPolicy policy = one(NetworkPolicy.class, "jwt-sidecar-pod-ports");
        Map<String, String> labels = one(DaemonSet.class, NAME).getSpec().getTemplate().getMetadata().getLabels();

        assertThat(policy.getMetadata().getNamespace()).isEqualTo(one(DaemonSet.class, NAME).getMetadata().getNamespace());
        assertThat(Manifests.matches(policy.getSpec().getPodSelector(), labels)).isTrue();
    }

    // --- lookups ---

    private static SidecarConfig sidecarConfig(String nodeName) throws IOException {
        Map<String, String> fields = Map.of("spec.nodeName", nodeName, "status.podIP", "10.1.2.3");
        Map<String, String> env = KubeletEnv.of(sidecar(), fields, key -> null);
        return new ConfigLoader(env).parse(config().getData().get("sidecar.yaml"),
                Path.of(mount(sidecar(), "config").getMountPath()));
    }

    private static ConfigMap config() {
        return one(ConfigMap.class, volume(pod(), v -> v.getName().equals("config")).getConfigMap().getName());
    }

    private static PodSpec pod() {
        return one(DaemonSet.class, NAME).getSpec().getTemplate().getSpec();
    }

    private static Container sidecar() {
        List<Container> containers = pod().getContainers();
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static Container webhook(List<HasMetadata> render) {
        return one(render, Deployment.class, "jwt-sidecar-webhook").getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static String webhookImage(List<HasMetadata> render) {
        return webhook(render).getArgs().stream().filter(a -> a.startsWith("--image=")).findFirst().orElseThrow()
                .substring("--image=".length());
    }

    private static List<String> concat(List<String> list, String last) {
        List<String> all = new ArrayList<>(list);
        all.add(last);
        return all;
    }

    private static Volume volume(PodSpec pod, Predicate<Volume> which) {
        List<Volume> found = pod.getVolumes().stream().filter(which).collect(Collectors.toList());
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static VolumeMount mount(Container c, String volume) {
        return c.getVolumeMounts().stream().filter(m -> m.getName().equals(volume)).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " does not mount " + volume));
    }

    private static <T extends HasMetadata> T one(Class<T> type, String name) {
        return one(node, type, name);
    }

    private static <T extends HasMetadata> T one(List<HasMetadata> render, Class<T> type, String name) {
        List<T> found = render.stream().filter(type::isInstance).map(type::cast)
                .filter(r -> name.equals(r.getMetadata().getName())).collect(Collectors.toList());
        assertThat(found).as("%s %s", type.getSimpleName(), name).hasSize(1);
        return found.get(0);
    }
}
