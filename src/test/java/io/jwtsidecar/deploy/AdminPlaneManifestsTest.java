package io.jwtsidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.IssuerSettings;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.admin.IssuerLimit;
import io.jwtsidecar.inject.SidecarInjector;
import io.jwtsidecar.testing.KubeletEnv;
import io.jwtsidecar.testing.Manifests;
import io.jwtsidecar.testing.Kustomize;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admin plane of deploy/k8s, rendered as it is applied: the {@code jwt-sidecar-admin}
 * Deployment is locked down and probed, its Service reaches the port its configuration listens
 * on, that configuration loads with the container's environment and limits credentials to
 * issuers, it trusts what the sidecars trust, only admin clients reach it, and the sidecars
 * beside the services run no admin API.
 */
class AdminPlaneManifestsTest {
    private static final String NAME = "jwt-sidecar-admin";
    private static final String ADMIN_CLIENT_LABEL = "jwt-sidecar.io/admin-client";
    private static final String CREDENTIALS_SECRET = "jwt-sidecar-admin-credentials";
    private static List<HasMetadata> base;

    @BeforeAll
    static void render() {
        base = Kustomize.typed("deploy/k8s");
    }

    @Test
    void the_admin_deployment_runs_one_or_two_non_root_replicas_on_a_read_only_root_without_capabilities() {
        Deployment admin = one(Deployment.class, NAME);
        PodSpec pod = admin.getSpec().getTemplate().getSpec();
        Container c = adminContainer();

        assertThat(admin.getSpec().getReplicas()).isBetween(1, 2);
        assertThat(pod.getContainers()).hasSize(1);
        assertThat(pod.getAutomountServiceAccountToken()).as("it needs no Kubernetes API").isFalse();
        assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(c.getSecurityContext().getRunAsUser()).isNotZero();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(c.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory");
        SidecarConfig config = adminConfig();
        assertThat(config.revocation().dataDir().startsWith(Path.of(mountOf(c, "store").getMountPath())))
                .as("the store %s on the emptyDir", config.revocation().dataDir()).isTrue();
        assertThat(volume(pod, "store").getEmptyDir()).isNotNull();
        assertThat(volume(pod, mountAt(c, "/tmp").getName()).getEmptyDir()).as("a writable /tmp").isNotNull();
        // Service links would set JWT_SIDECAR_ADMIN_PORT=tcp://… (from the Service jwt-sidecar-admin), admin.port's override.
        assertThat(one(Deployment.class, NAME).getSpec().getTemplate().getSpec().getEnableServiceLinks()).isFalse();
    }

    @Test
    void the_probes_ask_the_api_on_loopback_for_readiness_and_liveness() {
        Container c = adminContainer();
        SidecarConfig config = adminConfig();

        assertThat(config.api().host()).isEqualTo("127.0.0.1");
        assertThat(Manifests.probeUrl(c.getReadinessProbe())).isEqualTo("http://127.0.0.1:" + config.api().port() + "/health/ready");
        assertThat(Manifests.probeUrl(c.getLivenessProbe())).isEqualTo("http://127.0.0.1:" + config.api().port() + "/health/live");
        assertThat(c.getLivenessProbe().getInitialDelaySeconds()).as("time to open the store").isPositive();
    }

    @Test
    void the_cluster_ip_service_reaches_the_port_the_admin_api_listens_on_and_no_other() {
        Service service = one(Service.class, NAME);
        Deployment admin = one(Deployment.class, NAME);
        SidecarConfig config = adminConfig();

        assertThat(service.getSpec().getType()).isIn(null, "ClusterIP");
        assertThat(service.getSpec().getSelector()).isEqualTo(admin.getSpec().getSelector().getMatchLabels());
        assertThat(Manifests.matches(admin.getSpec().getSelector(), admin.getSpec().getTemplate().getMetadata().getLabels())).isTrue();
        ServicePort port = service.getSpec().getPorts().stream().collect(onlyElement());
        ContainerPort target = adminContainer().getPorts().stream()
                .filter(p -> p.getName().equals(port.getTargetPort().getStrVal())).collect(onlyElement());
        assertThat(target.getContainerPort()).isEqualTo(config.admin().port());
        assertThat(config.admin().host()).as("the documented exception: the Service must reach it").isEqualTo("0.0.0.0");
        assertThat(adminContainer().getPorts()).as("the API stays on loopback, undeclared").hasSize(1);
    }

    @Test
    void the_configuration_loads_with_the_containers_environment_and_limits_credentials_to_issuers() {
        SidecarConfig config = adminConfig();
        Set<String> issuers = config.issuers().stream().map(IssuerSettings::issuer).collect(Collectors.toSet());

        assertThat(config.adminAccess().enabled()).isTrue();
        assertThat(config.adminAccess().token()).as("no all-powerful admin.token").isEmpty();
        assertThat(config.adminAccess().credentials()).isNotEmpty();
        assertThat(config.adminAccess().credentials()).as("a credential limited to each issuer").allSatisfy(c ->
                assertThat(c.issuers().issuers().orElse(issuers)).isSubsetOf(issuers));
        for (String issuer : issuers) {
            assertThat(config.adminAccess().credentials()).as("a credential for %s alone", issuer)
                    .anySatisfy(c -> assertThat(c.issuers()).isEqualTo(IssuerLimit.only(List.of(issuer))));
        }
        assertThat(config.sidecarId()).isEqualTo("jwt-sidecar/" + NAME + "-5f7c9d-abcde");
    }

    @Test
    void every_credential_token_comes_from_the_secret_and_the_secret_is_not_shipped() {
        String yaml = adminConfigMap().getData().get("sidecar.yaml");
        List<String> tokenLines = yaml.lines().map(String::strip).filter(l -> l.startsWith("token:")).toList();
        Map<String, String> fromSecrets = new TreeMap<>();
        for (EnvVar e : adminContainer().getEnv()) {
            if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(CREDENTIALS_SECRET);
                assertThat(e.getValueFrom().getSecretKeyRef().getOptional()).as("%s: no credentials, no start", e.getName())
                        .isNotEqualTo(Boolean.TRUE);
                fromSecrets.put(e.getName(), e.getValueFrom().getSecretKeyRef().getKey());
            }
        }

        assertThat(tokenLines).hasSize(adminConfig().adminAccess().credentials().size());
        assertThat(tokenLines).allSatisfy(l -> assertThat(l).matches("token: \\$\\{[A-Z_]+}"));
        assertThat(tokenLines.stream().map(l -> l.substring(l.indexOf("${") + 2, l.length() - 1)))
                .containsExactlyInAnyOrderElementsOf(fromSecrets.keySet());
        assertThat(base).noneSatisfy(r -> assertThat(r.getKind()).isEqualTo("Secret"));
    }

    @Test
    void the_admin_plane_trusts_the_topics_and_issuers_the_sidecars_do() {
        SidecarConfig admin = adminConfig();
        SidecarConfig sidecars = sidecarConfig();

        assertThat(admin.kafka().bootstrapServers()).isEqualTo(sidecars.kafka().bootstrapServers());
        assertThat(admin.kafka().topic()).isEqualTo(sidecars.kafka().topic());
        assertThat(admin.kafka().statusTopic()).isEqualTo(sidecars.kafka().statusTopic());
        // A rule's default expiry is the issuer's lifetime and twice its skew: both sides must agree on them.
        assertThat(policies(admin)).isEqualTo(policies(sidecars));
    }

    @Test
    void only_admin_clients_reach_the_admin_pods_and_only_on_the_admin_port() {
        NetworkPolicy policy = one(NetworkPolicy.class, NAME);
        Deployment admin = one(Deployment.class, NAME);
        int adminPort = adminConfig().admin().port();

        assertThat(policy.getMetadata().getNamespace()).isEqualTo(admin.getMetadata().getNamespace());
        assertThat(Manifests.matches(policy.getSpec().getPodSelector(), admin.getSpec().getTemplate().getMetadata().getLabels()))
                .isTrue();
        assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress");
        assertThat(policy.getSpec().getIngress()).isNotEmpty();
        for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
            assertThat(rule.getFrom()).as("every rule names its peers").isNotEmpty();
            for (NetworkPolicyPeer peer : rule.getFrom()) {
                assertThat(peer.getIpBlock()).isNull();
                assertThat(peer.getPodSelector()).isNotNull();
                assertThat(Manifests.matches(peer.getPodSelector(), Map.of())).as("not every pod").isFalse();
                assertThat(Manifests.matches(peer.getPodSelector(), Map.of(ADMIN_CLIENT_LABEL, "true"))).isTrue();
                // A pod label is any tenant's to set; a namespace label takes a cluster administrator.
                assertThat(peer.getNamespaceSelector()).as("admin clients' namespaces, not any").isNotNull();
                assertThat(Manifests.matches(peer.getNamespaceSelector(), Map.of("kubernetes.io/metadata.name", "shop")))
                        .as("an unlabelled namespace").isFalse();
                assertThat(Manifests.matches(peer.getNamespaceSelector(), Map.of("jwt-sidecar.io/admin-clients", "true"))).isTrue();
            }
            assertThat(rule.getPorts()).as("the admin port only").isNotEmpty().allSatisfy((NetworkPolicyPort p) -> {
                assertThat(p.getProtocol()).isIn(null, "TCP");
                assertThat(p.getPort().getIntVal()).isEqualTo(adminPort);
                assertThat(p.getEndPort()).isNull();
            });
        }
    }

    @Test
    void the_sidecars_beside_the_services_run_no_admin_api_and_the_webhook_does_not_opt_in() {
        Container webhook = one(Deployment.class, "jwt-sidecar-webhook").getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        Container demoSidecar = one(Deployment.class, "orders").getSpec().getTemplate().getSpec().getInitContainers().stream()
                .filter(c -> c.getName().equals(SidecarInjector.CONTAINER_NAME)).collect(onlyElement());

        assertThat(webhook.getArgs()).noneSatisfy(a -> assertThat(a).contains("admin-token-secret"));
        assertThat(demoSidecar.getPorts()).as("the metrics port alone, no admin port").extracting(ContainerPort::getName)
                .containsExactly(SidecarInjector.METRICS_PORT_NAME);
        assertThat(demoSidecar.getEnv()).extracting(EnvVar::getName).doesNotContain("JWT_SIDECAR_ADMIN_TOKEN");
        assertThat(sidecarConfig().adminAccess().enabled()).isFalse();
    }

    // --- lookups ---

    private static <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> found = base.stream().filter(type::isInstance).map(type::cast)
                .filter(r -> name.equals(r.getMetadata().getName())).toList();
        assertThat(found).as("%s %s", type.getSimpleName(), name).hasSize(1);
        return found.get(0);
    }

    private static <T> java.util.stream.Collector<T, ?, T> onlyElement() {
        return Collectors.collectingAndThen(Collectors.toList(), l -> {
            assertThat(l).hasSize(1);
            return l.get(0);
        });
    }

    private static Container adminContainer() {
        return one(Deployment.class, NAME).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static ConfigMap adminConfigMap() {
        PodSpec pod = one(Deployment.class, NAME).getSpec().getTemplate().getSpec();
        return one(ConfigMap.class, volume(pod, mountAt(adminContainer(), "/config").getName()).getConfigMap().getName());
    }

    /** The admin configuration as it loads in an admin pod: the container's environment, fake tokens for the Secret. */
    private static SidecarConfig adminConfig() {
        Container c = adminContainer();
        return new ConfigLoader(podEnv(c, "jwt-sidecar", NAME + "-5f7c9d-abcde"))
                .parse(adminConfigMap().getData().get("sidecar.yaml"), Path.of(mountAt(c, "/config").getMountPath()));
    }

    /** The sidecars' configuration as it loads beside the example service. */
    private static SidecarConfig sidecarConfig() {
        Deployment demo = one(Deployment.class, "orders");
        Container sidecar = demo.getSpec().getTemplate().getSpec().getInitContainers().stream()
                .filter(c -> c.getName().equals(SidecarInjector.CONTAINER_NAME)).collect(onlyElement());
        Volume config = volume(demo.getSpec().getTemplate().getSpec(), "jwt-sidecar-config");
        return new ConfigLoader(podEnv(sidecar, "jwt-sidecar", "orders-0"))
                .parse(one(ConfigMap.class, config.getConfigMap().getName()).getData().get("sidecar.yaml"), Path.of("/config"));
    }

    /** Per issuer what rule expiries are computed from, and what its tokens must say. */
    private static Map<String, String> policies(SidecarConfig config) {
        return config.issuers().stream().collect(Collectors.toMap(IssuerSettings::issuer,
                p -> p.maxTokenLifetime() + " " + p.clockSkew() + " " + new java.util.TreeSet<>(p.audiences()),
                (a, b) -> a, TreeMap::new));
    }

    /**
     * The environment as the kubelet sets it in pod {@code podName} of {@code namespace}: the
     * downward API's fields, a distinct stand-in of 40 characters for each Secret key, and
     * {@code $(VAR)} expanded from the entries declared before.
     */
    private static Map<String, String> podEnv(Container c, String namespace, String podName) {
        return KubeletEnv.of(c, KubeletEnv.podFields(namespace, podName, "10.1.2.4"),
                key -> (key + "-" + "s".repeat(40)).substring(0, 40));
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).collect(onlyElement());
    }

    private static VolumeMount mountOf(Container c, String volume) {
        return c.getVolumeMounts().stream().filter(m -> m.getName().equals(volume)).collect(onlyElement());
    }

    private static VolumeMount mountAt(Container c, String path) {
        return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).collect(onlyElement());
    }

}
