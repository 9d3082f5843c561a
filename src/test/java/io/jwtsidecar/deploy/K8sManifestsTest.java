package io.jwtsidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.IssuerSettings;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.inject.InjectionSettings;
import io.jwtsidecar.inject.SidecarInjector;
import io.jwtsidecar.testing.KubeletEnv;
import io.jwtsidecar.testing.Manifests;
import io.jwtsidecar.testing.Kustomize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s, rendered the way it is applied ({@code kubectl kustomize}, offline) and read back
 * with the fabric8 model: every document is a known kind in its typed class, and what the
 * resources say about each other agrees (ports, names, the webhook's settings and the example
 * Deployment, the configuration and the topics).
 */
class K8sManifestsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_CLIENT_LABEL = "jwt-sidecar.io/admin-client";
    /** Every kind the base may contain, and the class it must read back as. */
    private static final Map<String, Class<?>> KINDS = Map.of(
            "Namespace", Namespace.class,
            "ServiceAccount", ServiceAccount.class,
            "ConfigMap", ConfigMap.class,
            "Service", Service.class,
            "Deployment", Deployment.class,
            "PodDisruptionBudget", PodDisruptionBudget.class,
            "NetworkPolicy", NetworkPolicy.class,
            "MutatingWebhookConfiguration", MutatingWebhookConfiguration.class,
            // Custom resources (Strimzi, cert-manager): no model classes, read generically.
            "KafkaTopic", GenericKubernetesResource.class,
            "Issuer", GenericKubernetesResource.class);
    private static final Map<String, Class<?>> MORE_KINDS = Map.of("Certificate", GenericKubernetesResource.class,
            "KafkaUser", GenericKubernetesResource.class);

    private static List<HasMetadata> base;

    @BeforeAll
    static void render() {
        base = Kustomize.typed("deploy/k8s");
    }

    @Test
    void every_rendered_document_reads_back_as_the_typed_class_of_its_kind() {
        Map<String, Class<?>> known = new HashMap<>(KINDS);
        known.putAll(MORE_KINDS);
        for (HasMetadata r : base) {
            assertThat(known).as("kind %s of %s is one the base is meant to have", r.getKind(), name(r))
                    .containsKey(r.getKind());
            assertThat(r).as("%s %s", r.getKind(), name(r)).isExactlyInstanceOf(known.get(r.getKind()));
            boolean clusterScoped = r instanceof Namespace || r instanceof MutatingWebhookConfiguration;
            assertThat(r.getMetadata().getNamespace()).as("namespace of %s %s", r.getKind(), name(r))
                    .satisfies(ns -> assertThat(ns == null).isEqualTo(clusterScoped));
        }
        assertThat(base.stream().map(HasMetadata::getKind).collect(Collectors.toSet())).containsAll(known.keySet());
    }

    @Test
    void no_field_of_a_typed_resource_is_unknown_to_the_model() {
        // The model keeps fields it does not know in additionalProperties instead of failing:
        // a misspelt field (readinesProbe, failurPolicy) would otherwise pass unnoticed here.
        for (HasMetadata r : base) {
            if (!(r instanceof GenericKubernetesResource)) {
                Manifests.assertKnownFields(r, r.getKind() + " " + name(r));
            }
        }
    }

    @Test
    void the_sidecar_configuration_loads_with_the_containers_environment() {
        SidecarConfig config = sidecarConfig();
        Container sidecar = demoSidecar();

        assertThat(config.api().host()).as("API on loopback: the service is in the same pod").isEqualTo("127.0.0.1");
        assertThat(config.adminAccess().enabled()).as("no admin API in a service pod").isFalse();
        assertThat(config.adminAccess().switchedOff()).as("switched off by the container's environment").isTrue();
        assertThat(config.sidecarId()).as("namespace/pod: unique in the cluster").isEqualTo("jwt-sidecar/orders-5f7c9d-abcde");
        Path store = Path.of(mount(sidecar, SidecarInjector.CONTAINER_NAME + "-store").getMountPath());
        assertThat(config.revocation().dataDir().startsWith(store)).as("store %s on the emptyDir at %s",
                config.revocation().dataDir(), store).isTrue();
        assertThat(volume(demoDeployment().getSpec().getTemplate().getSpec(), "jwt-sidecar-store").getEmptyDir()).isNotNull();
    }

    @Test
    void pods_of_the_same_name_in_two_namespaces_report_under_two_ids() {
        Container sidecar = demoSidecar();

        String shop = podEnv(sidecar, "shop", "orders-0").get("JWT_SIDECAR_SIDECAR_ID");
        String billing = podEnv(sidecar, "billing", "orders-0").get("JWT_SIDECAR_SIDECAR_ID");

        assertThat(shop).isEqualTo("shop/orders-0");
        assertThat(billing).isEqualTo("billing/orders-0");
    }

    @Test
    void the_sidecar_is_a_native_sidecar_with_a_locked_down_security_context() {
        Container sidecar = demoSidecar();

        assertThat(sidecar.getRestartPolicy()).as("an init container that keeps running (Kubernetes 1.29+)")
                .isEqualTo("Always");
        assertThat(demoDeployment().getSpec().getTemplate().getSpec().getContainers())
                .noneMatch(c -> c.getName().equals(SidecarInjector.CONTAINER_NAME));
        assertThat(sidecar.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(sidecar.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(sidecar.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(sidecar.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    }

    @Test
    void the_injected_sidecar_exposes_the_metrics_port_alone_and_no_admin_api() {
        Container sidecar = demoSidecar();
        SidecarConfig config = sidecarConfig();

        assertThat(sidecar.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
                .containsExactly(SidecarInjector.METRICS_PORT_NAME + ":" + SidecarInjector.METRICS_PORT);
        assertThat(config.metrics()).map(SidecarConfig.Listener::port).contains(SidecarInjector.METRICS_PORT);
        assertThat(config.adminAccess().enabled()).as("no admin API in a service pod").isFalse();
        assertThat(sidecar.getEnv()).extracting(e -> e.getName()).doesNotContain("JWT_SIDECAR_ADMIN_TOKEN");
    }

    @Test
    void the_sidecar_probes_ask_the_api_for_readiness_and_liveness() {
        Container sidecar = demoSidecar();
        int apiPort = sidecarConfig().api().port();

        assertThat(Manifests.probeUrl(sidecar.getReadinessProbe())).isEqualTo("http://127.0.0.1:" + apiPort + "/health/ready");
        assertThat(Manifests.probeUrl(sidecar.getLivenessProbe())).isEqualTo("http://127.0.0.1:" + apiPort + "/health/live");
        assertThat(sidecar.getArgs()).containsExactly("run", "--config",
                mount(sidecar, "jwt-sidecar-config").getMountPath() + "/sidecar.yaml");
    }

    @Test
    void the_example_sidecar_is_exactly_what_the_webhook_as_deployed_would_inject() {
        InjectionSettings settings = webhookSettings();
        SidecarInjector injector = new SidecarInjector(settings);
        PodSpec demo = demoDeployment().getSpec().getTemplate().getSpec();

        assertThat(tree(demoSidecar())).isEqualTo(tree(injector.container(settings.image())));
        for (Volume v : injector.volumes(settings.configMap())) {
            assertThat(tree(volume(demo, v.getName()))).isEqualTo(tree(v));
        }
        assertThat(demoDeployment().getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry(SidecarInjector.SIDECAR_LABEL, "true");
        assertThat(settings.apiPort()).isEqualTo(sidecarConfig().api().port());
        assertThat(settings.configMap()).isEqualTo(one(ConfigMap.class, "jwt-sidecar-config").getMetadata().getName());
    }

    @Test
    void the_admin_port_is_reachable_only_from_admin_clients_and_the_service_port_from_anywhere() {
        NetworkPolicy policy = one(NetworkPolicy.class, "jwt-sidecar-pod-ports");
        int adminPort = sidecarConfig().admin().port();
        Deployment demo = demoDeployment();

        assertThat(policy.getMetadata().getNamespace()).isEqualTo(demo.getMetadata().getNamespace());
        assertThat(Manifests.matches(policy.getSpec().getPodSelector(), demo.getSpec().getTemplate().getMetadata().getLabels())).isTrue();
        assertThat(Manifests.matches(policy.getSpec().getPodSelector(), Map.of(SidecarInjector.SIDECAR_LABEL, "true")))
                .as("selects injected pods by the label the injector sets").isTrue();
        assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress");

        List<NetworkPolicyIngressRule> admitting = policy.getSpec().getIngress().stream()
                .filter(rule -> covers(rule, adminPort)).collect(Collectors.toList());
        assertThat(admitting).as("some rule admits the admin port %s", adminPort).isNotEmpty();
        for (NetworkPolicyIngressRule rule : admitting) {
            assertThat(rule.getFrom()).as("a rule admitting the admin port names its peers").isNotEmpty();
            for (NetworkPolicyPeer peer : rule.getFrom()) {
                assertThat(peer.getIpBlock()).isNull();
                assertThat(peer.getPodSelector()).as("every peer must be an admin client").isNotNull();
                assertThat(Manifests.matches(peer.getPodSelector(), Map.of())).isFalse();
                assertThat(Manifests.matches(peer.getPodSelector(), Map.of(ADMIN_CLIENT_LABEL, "true"))).isTrue();
            }
        }
        for (Container c : demo.getSpec().getTemplate().getSpec().getContainers()) {
            for (ContainerPort p : c.getPorts()) {
                assertThat(policy.getSpec().getIngress()).as("%s port %s open to all", c.getName(), p.getContainerPort())
                        .anySatisfy(rule -> {
                            assertThat(rule.getFrom()).isNullOrEmpty();
                            assertThat(covers(rule, p.getContainerPort())).isTrue();
                        });
            }
        }
    }

    @Test
    void the_metrics_port_is_reachable_only_from_prometheus_in_the_monitoring_namespace() {
        NetworkPolicy policy = one(NetworkPolicy.class, "jwt-sidecar-pod-ports");
        SidecarConfig.Listener metrics = sidecarConfig().metrics().orElseThrow();
        Map<String, String> monitoring = Map.of("kubernetes.io/metadata.name", "monitoring");
        Map<String, String> prometheus = Map.of("app.kubernetes.io/name", "prometheus");

        assertThat(metrics.host()).as("on the pod IP (status.podIP), where Prometheus connects").isEqualTo("10.1.2.3");
        List<NetworkPolicyIngressRule> admitting = policy.getSpec().getIngress().stream()
                .filter(rule -> covers(rule, metrics.port())).collect(Collectors.toList());
        assertThat(admitting).as("some rule admits the metrics port %s", metrics.port()).isNotEmpty();
        for (NetworkPolicyIngressRule rule : admitting) {
            assertThat(rule.getFrom()).as("a rule admitting the metrics port names its peers").isNotEmpty();
            for (NetworkPolicyPeer peer : rule.getFrom()) {
                assertThat(peer.getIpBlock()).isNull();
                assertThat(peer.getNamespaceSelector()).as("the monitoring namespace, not the peer's own").isNotNull();
                assertThat(Manifests.matches(peer.getNamespaceSelector(), monitoring)).isTrue();
                assertThat(Manifests.matches(peer.getNamespaceSelector(), Map.of("kubernetes.io/metadata.name", "shop"))).isFalse();
                assertThat(peer.getPodSelector()).as("Prometheus' pods, not the whole namespace").isNotNull();
                assertThat(Manifests.matches(peer.getPodSelector(), prometheus)).isTrue();
                assertThat(Manifests.matches(peer.getPodSelector(), Map.of())).isFalse();
            }
        }
        int adminPort = sidecarConfig().admin().port();
        assertThat(policy.getSpec().getIngress()).as("Prometheus gets no way to the admin port")
                .filteredOn(rule -> covers(rule, adminPort))
                .allSatisfy(rule -> assertThat(rule.getFrom()).noneMatch(peer -> peer.getPodSelector() != null
                        && Manifests.matches(peer.getPodSelector(), prometheus)));
    }

    @Test
    void the_pod_monitor_scrapes_the_port_the_injector_declares_on_the_pods_it_labels() {
        List<HasMetadata> monitoring = Kustomize.typed("deploy/monitoring");
        List<GenericKubernetesResource> podMonitors = monitoring.stream().filter(r -> r.getKind().equals("PodMonitor"))
                .map(GenericKubernetesResource.class::cast).collect(Collectors.toList());
        assertThat(podMonitors).hasSize(1);
        GenericKubernetesResource podMonitor = podMonitors.get(0);
        JsonNode spec = tree(podMonitor.get("spec"));
        LabelSelector selector = JSON.convertValue(spec.get("selector"), LabelSelector.class);
        Container injected = new SidecarInjector(webhookSettings()).container(webhookSettings().image());

        assertThat(podMonitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(podMonitor.getMetadata().getNamespace()).as("beside Prometheus, as the network policy expects")
                .isEqualTo("monitoring");
        assertThat(Manifests.matches(selector, Map.of(SidecarInjector.SIDECAR_LABEL, "true"))).as("injected pods").isTrue();
        assertThat(Manifests.matches(selector, demoDeployment().getSpec().getTemplate().getMetadata().getLabels())).isTrue();
        assertThat(Manifests.matches(selector, Map.of("app.kubernetes.io/name", "orders"))).as("pods without the sidecar")
                .isFalse();
        assertThat(spec.get("namespaceSelector").get("any").asBoolean()).as("injected pods in every namespace").isTrue();
        assertThat(spec.get("podMetricsEndpoints")).singleElement().satisfies(endpoint -> {
            assertThat(endpoint.get("port").asText()).isEqualTo(SidecarInjector.METRICS_PORT_NAME);
            assertThat(endpoint.get("path").asText()).isEqualTo("/metrics");
        });
        ContainerPort declared = injected.getPorts().stream()
                .filter(p -> p.getName().equals(spec.get("podMetricsEndpoints").get(0).get("port").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("the injected sidecar declares no port the PodMonitor names"));
        assertThat(declared.getContainerPort()).as("where the sidecar as configured in the pod listens")
                .isEqualTo(sidecarConfig().metrics().orElseThrow().port());
        assertThat(base).as("the base applies without the Prometheus Operator's CRDs")
                .noneSatisfy(r -> assertThat(r.getApiVersion()).startsWith("monitoring.coreos.com/"));
    }

    @Test
    void the_webhook_ignores_its_own_failures_and_reaches_the_injector_over_its_service() {
        MutatingWebhookConfiguration config = one(MutatingWebhookConfiguration.class, "jwt-sidecar-injector");
        assertThat(config.getWebhooks()).hasSize(1);
        MutatingWebhook hook = config.getWebhooks().get(0);
        Deployment webhook = one(Deployment.class, "jwt-sidecar-webhook");
        Container server = webhook.getSpec().getTemplate().getSpec().getContainers().get(0);

        assertThat(hook.getFailurePolicy()).isEqualTo("Ignore");
        assertThat(hook.getSideEffects()).isEqualTo("None");
        assertThat(hook.getAdmissionReviewVersions()).containsExactly("v1");
        assertThat(hook.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getOperations()).containsExactly("CREATE");
            assertThat(rule.getResources()).containsExactly("pods");
        });
        assertThat(hook.getMatchConditions()).singleElement()
                .satisfies(c -> assertThat(c.getExpression()).contains("'" + SidecarInjector.INJECT_ANNOTATION + "'"));
        assertThat(hook.getNamespaceSelector().getMatchLabels()).containsEntry("jwt-sidecar.io/injection", "enabled");
        assertThat(Manifests.matches(hook.getObjectSelector(), webhook.getSpec().getTemplate().getMetadata().getLabels()))
                .as("the injector's own pods are never sent to it").isFalse();
        assertThat(Manifests.matches(hook.getObjectSelector(), demoDeployment().getSpec().getTemplate().getMetadata().getLabels()))
                .isTrue();

        var ref = hook.getClientConfig().getService();
        assertThat(ref.getPath()).isEqualTo("/mutate");
        Service service = one(Service.class, ref.getName());
        assertThat(service.getMetadata().getNamespace()).isEqualTo(ref.getNamespace());
        assertThat(service.getSpec().getSelector()).isEqualTo(webhook.getSpec().getSelector().getMatchLabels());
        ServicePort port = service.getSpec().getPorts().stream().filter(p -> p.getPort().equals(ref.getPort()))
                .findFirst().orElseThrow();
        ContainerPort target = server.getPorts().stream().filter(p -> p.getName().equals(port.getTargetPort().getStrVal()))
                .findFirst().orElseThrow();
        assertThat(String.valueOf(target.getContainerPort())).isEqualTo(webhookArgs().get("--port"));
        assertThat(server.getArgs().get(0)).isEqualTo("inject-webhook");
        assertThat(server.getArgs()).doesNotContain("--fail-closed");
    }

    @Test
    void cert_manager_issues_the_certificate_the_webhook_serves_and_injects_its_ca() {
        MutatingWebhookConfiguration config = one(MutatingWebhookConfiguration.class, "jwt-sidecar-injector");
        var ref = config.getWebhooks().get(0).getClientConfig().getService();
        String injectFrom = config.getMetadata().getAnnotations().get("cert-manager.io/inject-ca-from");
        assertThat(injectFrom).isNotNull();
        String[] nsName = injectFrom.split("/");
        GenericKubernetesResource cert = base.stream().filter(r -> r.getKind().equals("Certificate"))
                .filter(r -> r.getMetadata().getNamespace().equals(nsName[0]) && name(r).equals(nsName[1]))
                .map(GenericKubernetesResource.class::cast).findFirst().orElseThrow();
        Map<String, Object> spec = cert.get("spec");

        assertThat(cert.getApiVersion()).isEqualTo("cert-manager.io/v1");
        assertThat(tree(spec.get("dnsNames")).toString())
                .contains("\"" + ref.getName() + "." + ref.getNamespace() + ".svc\"");
        JsonNode issuerRef = tree(spec.get("issuerRef"));
        assertThat(base).anySatisfy(r -> {
            assertThat(r.getKind()).isEqualTo(issuerRef.get("kind").asText());
            assertThat(name(r)).isEqualTo(issuerRef.get("name").asText());
        });
        PodSpec pod = one(Deployment.class, "jwt-sidecar-webhook").getSpec().getTemplate().getSpec();
        Volume tls = pod.getVolumes().stream().filter(v -> v.getSecret() != null).findFirst().orElseThrow();
        assertThat(tls.getSecret().getSecretName()).isEqualTo(spec.get("secretName"));
        String tlsDir = mount(pod.getContainers().get(0), tls.getName()).getMountPath();
        assertThat(webhookArgs().get("--tls-cert")).isEqualTo(tlsDir + "/tls.crt");
        assertThat(webhookArgs().get("--tls-key")).isEqualTo(tlsDir + "/tls.key");
    }

    @Test
    void the_webhook_has_an_identity_with_no_api_access_at_all() {
        ServiceAccount account = one(ServiceAccount.class, "jwt-sidecar-webhook");
        PodSpec pod = one(Deployment.class, "jwt-sidecar-webhook").getSpec().getTemplate().getSpec();

        assertThat(pod.getServiceAccountName()).isEqualTo(account.getMetadata().getName());
        assertThat(account.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(base).noneSatisfy(r -> assertThat(r.getKind()).endsWith("Binding"));
    }

    @Test
    void the_topics_are_durable_compacted_and_kept_longer_than_any_token_lives() {
        SidecarConfig config = sidecarConfig();
        GenericKubernetesResource revocations = topic(config.kafka().topic());
        GenericKubernetesResource status = topic(config.kafka().statusTopic());
        Duration longest = config.issuers().stream().map(IssuerSettings::maxTokenLifetime).max(Duration::compareTo)
                .orElseThrow();

        JsonNode rev = tree(revocations.get("spec"));
        assertThat(revocations.getApiVersion()).isEqualTo("kafka.strimzi.io/v1");
        assertThat(rev.get("config").get("cleanup.policy").asText()).isEqualTo("compact,delete");
        long retention = rev.get("config").get("retention.ms").asLong();
        assertThat(retention).isGreaterThanOrEqualTo(Duration.ofDays(2).toMillis())
                .isGreaterThanOrEqualTo(2 * longest.toMillis());
        assertThat(rev.get("config").get("min.compaction.lag.ms").asLong()).as("the admin plane's time to say a rule again")
                .isGreaterThanOrEqualTo(Duration.ofHours(1).toMillis());
        assertThat(rev.get("config").get("message.timestamp.type").asText()).isEqualTo("LogAppendTime");
        assertThat(rev.get("config").get("min.insync.replicas").asInt()).isEqualTo(2);
        assertThat(rev.get("replicas").asInt()).isEqualTo(3);

        JsonNode st = tree(status.get("spec"));
        assertThat(st.get("config").get("cleanup.policy").asText()).isEqualTo("compact");
        assertThat(st.get("partitions").asInt()).isEqualTo(1);
        assertThat(st.get("config").path("message.timestamp.type").asText())
                .as("the status topic is stamped by the broker's clock, which no sidecar can set").isEqualTo("LogAppendTime");

        // The bootstrap address is the Strimzi cluster the topics belong to.
        String cluster = revocations.getMetadata().getLabels().get("strimzi.io/cluster");
        assertThat(status.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", cluster);
        assertThat(config.kafka().bootstrapServers())
                .startsWith(cluster + "-kafka-bootstrap." + revocations.getMetadata().getNamespace() + ".svc:");
    }

    @Test
    void every_container_is_non_root_read_only_and_bounded_except_the_stand_in_service() {
        for (Deployment d : all(Deployment.class)) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            for (Container c : pod.getContainers()) {
                if (c.getName().equals("orders")) {
                    continue; // the demo's echo server stands in for the user's own service
                }
                String what = d.getMetadata().getName() + "/" + c.getName();
                assertThat(c.getResources().getRequests()).as("%s requests", what).containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).as("%s limits", what).containsKey("memory");
                assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(what).isTrue();
                assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(what).isFalse();
                Boolean nonRoot = c.getSecurityContext().getRunAsNonRoot() != null ? c.getSecurityContext().getRunAsNonRoot()
                        : pod.getSecurityContext() == null ? null : pod.getSecurityContext().getRunAsNonRoot();
                assertThat(nonRoot).as("%s runs as non-root", what).isTrue();
                assertThat(tmpVolume(pod, c)).as("%s has a writable /tmp", what).isNotEmpty();
            }
        }
    }

    @Test
    void the_manual_tls_overlay_is_the_base_without_cert_manager() {
        List<HasMetadata> manual = Kustomize.typed("deploy/k8s-manual-tls");

        assertThat(manual).noneSatisfy(r -> assertThat(r.getApiVersion()).startsWith("cert-manager.io/"));
        assertThat(manual).hasSize((int) base.stream().filter(r -> !r.getApiVersion().startsWith("cert-manager.io/")).count());
        MutatingWebhookConfiguration config = manual.stream().filter(MutatingWebhookConfiguration.class::isInstance)
                .map(MutatingWebhookConfiguration.class::cast).findFirst().orElseThrow();
        assertThat(config.getMetadata().getAnnotations()).doesNotContainKey("cert-manager.io/inject-ca-from");
        assertThat(config.getWebhooks().get(0).getFailurePolicy()).isEqualTo("Ignore");
    }

    // --- lookups ---

    private static <T extends HasMetadata> List<T> all(Class<T> type) {
        return base.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    private static <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> found = all(type).stream().filter(r -> name.equals(name(r))).collect(Collectors.toList());
        assertThat(found).as("%s %s", type.getSimpleName(), name).hasSize(1);
        return found.get(0);
    }

    private static String name(HasMetadata r) {
        return r.getMetadata().getName();
    }

    private static GenericKubernetesResource topic(String topicName) {
        return base.stream().filter(r -> r.getKind().equals("KafkaTopic")).map(GenericKubernetesResource.class::cast)
                .filter(t -> topicName.equals(Optional.ofNullable((String) t.get("spec", "topicName")).orElse(name(t))))
                .findFirst().orElseThrow(() -> new AssertionError("no KafkaTopic for " + topicName));
    }

    private static Deployment demoDeployment() {
        return one(Deployment.class, "orders");
    }

    private static Container demoSidecar() {
        return demoDeployment().getSpec().getTemplate().getSpec().getInitContainers().stream()
                .filter(c -> c.getName().equals(SidecarInjector.CONTAINER_NAME)).findFirst().orElseThrow();
    }

    /** The container's environment as the kubelet would set it in pod {@code podName} of {@code namespace}. */
    private static Map<String, String> podEnv(Container container, String namespace, String podName) {
        return KubeletEnv.of(container, KubeletEnv.podFields(namespace, podName, "10.1.2.3"),
                key -> "a-secret-admin-token-of-forty-characters");
    }

    /** The sidecar's configuration as it would load in a demo pod: env from the container, the Secret's token. */
    private static SidecarConfig sidecarConfig() {
        Container sidecar = demoSidecar();
        Map<String, String> env = podEnv(sidecar, demoDeployment().getMetadata().getNamespace(), "orders-5f7c9d-abcde");
        Volume configVolume = volume(demoDeployment().getSpec().getTemplate().getSpec(), "jwt-sidecar-config");
        ConfigMap map = one(ConfigMap.class, configVolume.getConfigMap().getName());
        String yaml = map.getData().get("sidecar.yaml");
        assertThat(yaml).as("sidecar.yaml in ConfigMap %s", name(map)).isNotNull();
        return new ConfigLoader(env).parse(yaml, Path.of(mount(sidecar, configVolume.getName()).getMountPath()));
    }

    /** What the webhook as deployed injects: its arguments, read as its command reads them. */
    private static InjectionSettings webhookSettings() {
        Map<String, String> args = webhookArgs();
        return new InjectionSettings(args.get("--image"), args.get("--config-map"),
                Optional.ofNullable(args.get("--sidecar-admin-token-secret")), Integer.parseInt(args.get("--api-port")));
    }

    private static Map<String, String> webhookArgs() {
        Container server = one(Deployment.class, "jwt-sidecar-webhook").getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> args = new HashMap<>();
        for (String a : server.getArgs()) {
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                args.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        return args;
    }

    private static JsonNode tree(Object value) {
        return JSON.valueToTree(value);
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static VolumeMount mount(Container c, String volume) {
        return c.getVolumeMounts().stream().filter(m -> m.getName().equals(volume)).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " does not mount " + volume));
    }

    /** The name of the volume a container mounts at /tmp (a writable /tmp on a read-only root). */
    private static String tmpVolume(PodSpec pod, Container c) {
        String name = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).map(VolumeMount::getName)
                .findFirst().orElseThrow(() -> new AssertionError(c.getName() + " has no writable /tmp"));
        assertThat(volume(pod, name).getEmptyDir()).isNotNull();
        return name;
    }

    /** Whether a rule admits TCP traffic to the port (no ports listed means every port). */
    private static boolean covers(NetworkPolicyIngressRule rule, int port) {
        if (rule.getPorts() == null || rule.getPorts().isEmpty()) {
            return true;
        }
        for (NetworkPolicyPort p : rule.getPorts()) {
            String protocol = p.getProtocol() == null ? "TCP" : p.getProtocol();
            if (!protocol.equals("TCP")) {
                continue;
            }
            if (p.getPort() == null) {
                return true;
            }
            assertThat(p.getPort().getIntVal()).as("numeric ports only").isNotNull();
            int from = p.getPort().getIntVal();
            int to = p.getEndPort() == null ? from : p.getEndPort();
            if (port >= from && port <= to) {
                return true;
            }
        }
        return false;
    }
}
