package io.jwtsidecar.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.jwtsidecar.cli.JwtSidecarCommand;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.http.WebhookServer;
import io.jwtsidecar.testing.KubeletEnv;
import io.jwtsidecar.testing.RawHttp;
import io.jwtsidecar.testing.SelfSignedTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * The injection webhook, from AdmissionReview fixtures (src/test/resources/admission) to the
 * review it answers, and once over real HTTPS.
 */
class InjectWebhookTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final InjectionSettings SETTINGS = new InjectionSettings("registry.example.com/jwt-sidecar:0.1.0",
            "jwt-sidecar-config", Optional.empty(), 8181);
    private static final AdmissionWebhook FAIL_OPEN = new AdmissionWebhook(new SidecarInjector(SETTINGS), false);
    private static final AdmissionWebhook FAIL_CLOSED = new AdmissionWebhook(new SidecarInjector(SETTINGS), true);
    private static final InjectionSettings NODE_SETTINGS = new InjectionSettings(SETTINGS.image(), SETTINGS.configMap(),
            Optional.empty(), SETTINGS.apiPort(), InjectionMode.NODE);
    private static final AdmissionWebhook NODE = new AdmissionWebhook(new SidecarInjector(NODE_SETTINGS), false);
    private static final AdmissionWebhook NODE_FAIL_CLOSED = new AdmissionWebhook(new SidecarInjector(NODE_SETTINGS), true);
    private static final List<String> NODE_ENV = List.of("JWT_SIDECAR_POD_NAME", "JWT_SIDECAR_POD_NAMESPACE",
            "JWT_SIDECAR_CLIENT", "JWT_SIDECAR_SOCKET");

    @Test
    void an_annotated_pod_gets_exactly_the_expected_patch() throws IOException {
        JsonNode response = allowedResponse(FAIL_OPEN, "pod-annotated.json");

        assertThat(response.get("uid").asText()).isEqualTo("0f3c6f0e-2b1a-4d55-9a43-7e1f0c9b7a01");
        assertThat(response.get("patchType").asText()).isEqualTo("JSONPatch");
        assertThat(decodedPatch(response)).isEqualTo(fixture("pod-annotated.patch.json"));
    }

    @Test
    void a_bare_pod_gets_whole_volume_and_label_lists_and_the_image_and_config_its_annotations_name() throws IOException {
        JsonNode response = allowedResponse(FAIL_OPEN, "pod-annotated-overrides.json");

        assertThat(decodedPatch(response)).isEqualTo(fixture("pod-annotated-overrides.patch.json"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"pod-annotated.json", "pod-annotated-overrides.json"})
    void the_patched_pod_has_the_sidecar_its_volumes_the_label_and_the_status_annotation(String review) throws IOException {
        JsonNode pod = fixture(review).get("request").get("object").deepCopy();
        int containers = pod.get("spec").get("containers").size();

        apply(decodedPatch(allowedResponse(FAIL_OPEN, review)), pod);

        Pod patched = JSON.treeToValue(pod, Pod.class);
        assertThat(patched.getSpec().getContainers()).as("the app's containers untouched").hasSize(containers);
        // A native sidecar: the first init container, restartPolicy Always.
        Container sidecar = patched.getSpec().getInitContainers().get(0);
        assertThat(sidecar.getName()).isEqualTo("jwt-sidecar");
        assertThat(sidecar.getRestartPolicy()).isEqualTo("Always");
        assertThat(sidecar.getVolumeMounts()).allSatisfy(m -> assertThat(patched.getSpec().getVolumes())
                .anySatisfy(v -> assertThat(v.getName()).isEqualTo(m.getName())));
        // The escaped pointer made one key with a slash in it, not a nested object.
        assertThat(patched.getMetadata().getAnnotations()).containsEntry("jwt-sidecar.io/status", "injected")
                .containsEntry("jwt-sidecar.io/inject", "true");
        assertThat(patched.getMetadata().getLabels()).containsEntry("jwt-sidecar.io/sidecar", "true");
        // A second pass (reinvocation, or a pod re-submitted) leaves it alone.
        ObjectNode again = fixture(review).deepCopy();
        ((ObjectNode) again.get("request")).set("object", pod);
        assertThat(reply(FAIL_OPEN, again.toString().getBytes()).get("response").has("patch")).isFalse();
    }

    @Test
    void a_pod_with_init_containers_gets_the_sidecar_first_so_it_serves_them_too() throws IOException {
        ObjectNode review = fixture("pod-annotated.json").deepCopy();
        ObjectNode spec = (ObjectNode) review.get("request").get("object").get("spec");
        spec.putArray("initContainers").addObject().put("name", "migrate").put("image", "migrate:1");
        JsonNode pod = review.get("request").get("object").deepCopy();

        apply(decodedPatch(reply(FAIL_OPEN, review.toString().getBytes()).get("response")), pod);

        Pod patched = JSON.treeToValue(pod, Pod.class);
        assertThat(patched.getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly("jwt-sidecar", "migrate");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "pod-annotated.json, orders/orders-7d9f8b6c5d-x1y2z",
            "pod-annotated-overrides.json, billing/billing-debug"})
    void the_injected_sidecar_reports_as_namespace_slash_pod_name_from_entries_declared_before_its_id(String review,
            String expectedId) throws IOException {
        JsonNode pod = fixture(review).get("request").get("object").deepCopy();
        apply(decodedPatch(allowedResponse(FAIL_OPEN, review)), pod);
        Pod patched = JSON.treeToValue(pod, Pod.class);
        Container sidecar = patched.getSpec().getInitContainers().get(0);
        // What the API server fills in: a controller's pod gets its name from generateName.
        String namespace = fixture(review).get("request").get("namespace").asText();
        String name = patched.getMetadata().getName() != null ? patched.getMetadata().getName()
                : patched.getMetadata().getGenerateName() + "x1y2z";

        // The kubelet expands $(VAR) only from entries declared before it; a later one stays as written.
        Map<String, String> env = KubeletEnv.of(sidecar, KubeletEnv.podFields(namespace, name, "10.1.2.3"), key -> null);

        assertThat(env.get("JWT_SIDECAR_SIDECAR_ID")).isEqualTo(expectedId);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"pod-annotated.json", "pod-annotated-overrides.json"})
    void the_injected_sidecar_serves_metrics_on_the_pod_ip_at_a_port_named_metrics_and_keeps_its_api_on_loopback(
            String review) throws IOException {
        JsonNode pod = fixture(review).get("request").get("object").deepCopy();
        apply(decodedPatch(allowedResponse(FAIL_OPEN, review)), pod);
        Container sidecar = JSON.treeToValue(pod, Pod.class).getSpec().getInitContainers().get(0);
        Map<String, String> env = KubeletEnv.of(sidecar, KubeletEnv.podFields("orders", "orders-1", "10.1.2.3"), key -> null);

        // The variables as the sidecar reads them, over a ConfigMap that says nothing of metrics.
        SidecarConfig config = new ConfigLoader(env).parse("kafka:\n  bootstrapServers: broker:9092\n"
                + "issuers:\n  - issuer: https://idp.example\n    audiences: [orders-api]\n    keys:\n"
                + "      - {kid: k1, alg: HS256, secret: 0123456789abcdef0123456789abcdef}\n", Path.of("/config"));

        assertThat(config.metrics()).as("on the pod IP alone").contains(new SidecarConfig.Listener("10.1.2.3", SidecarInjector.METRICS_PORT));
        assertThat(config.api().host()).isEqualTo("127.0.0.1");
        assertThat(sidecar.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("metrics");
            assertThat(p.getContainerPort()).isEqualTo(SidecarInjector.METRICS_PORT);
        });
    }

    @ParameterizedTest(name = "{0} passes untouched: {1}")
    @CsvSource({
            "pod-not-annotated.json, no annotation",
            "pod-annotated-false.json, annotated with another value than \"true\"",
            "pod-already-injected.json, already has a jwt-sidecar container"})
    void pods_that_do_not_ask_or_already_have_the_sidecar_pass_untouched(String review, String why) throws IOException {
        JsonNode response = allowedResponse(FAIL_OPEN, review);

        assertThat(response.get("uid").asText()).isEqualTo(fixture(review).get("request").get("uid").asText());
        assertThat(response.has("patch")).as(why).isFalse();
        assertThat(response.has("patchType")).isFalse();
        assertThat(response.has("warnings")).isFalse();
    }

    @Test
    void a_review_for_anything_but_a_pod_is_allowed_with_a_warning_and_no_patch() throws IOException {
        JsonNode response = allowedResponse(FAIL_OPEN, "deployment.json");

        assertThat(response.has("patch")).isFalse();
        assertThat(response.get("warnings").get(0).asText()).contains("only injects into Pods").contains("Deployment");
    }

    @ParameterizedTest(name = "{0} is refused with 400: {1}")
    @CsvSource({
            "review-truncated.txt, body is not JSON",
            "review-without-request.json, the review has no request",
            "review-without-uid.json, the request has no uid",
            "review-v1beta1.json, expected apiVersion admission.k8s.io/v1"})
    void a_review_that_cannot_be_answered_is_a_clean_400(String review, String message) throws IOException {
        AdmissionWebhook.Reply reply = FAIL_OPEN.review(bytes(review));

        assertThat(reply.status()).isEqualTo(400);
        JsonNode body = JSON.readTree(reply.body());
        assertThat(body.get("error").asText()).isEqualTo("invalid_review");
        assertThat(body.get("message").asText()).contains(message);
    }

    @ParameterizedTest(name = "{0}: fail-open admits without a patch")
    @CsvSource(quoteCharacter = '"', value = {
            "pod-unreadable.json, MismatchedInputException",
            "pod-bad-config-annotation.json, jwt-sidecar.io/config: 'Not_A/Valid name' is not a valid ConfigMap name",
            "pod-volume-name-taken.json, the pod already has a volume named jwt-sidecar-store",
            "pod-host-network.json, the pod uses the node's network (hostNetwork: true)"})
    void a_failure_while_building_the_patch_admits_the_pod_without_the_sidecar(String review, String reason)
            throws IOException {
        JsonNode response = allowedResponse(FAIL_OPEN, review);

        assertThat(response.get("uid").asText()).isEqualTo(fixture(review).get("request").get("uid").asText());
        assertThat(response.has("patch")).isFalse();
        assertThat(response.get("warnings").get(0).asText()).contains("pod admitted without the sidecar").contains(reason);
    }

    @ParameterizedTest(name = "{0}: fail-closed refuses with {1}")
    @CsvSource(quoteCharacter = '"', value = {
            "pod-unreadable.json, 500, MismatchedInputException",
            "pod-bad-config-annotation.json, 400, jwt-sidecar.io/config: 'Not_A/Valid name' is not a valid ConfigMap name",
            "pod-volume-name-taken.json, 400, the pod already has a volume named jwt-sidecar-store",
            "pod-host-network.json, 400, the pod uses the node's network (hostNetwork: true)"})
    void with_fail_closed_a_failure_refuses_the_pod_with_the_reason(String review, int code, String reason)
            throws IOException {
        JsonNode reply = reply(FAIL_CLOSED, bytes(review));
        JsonNode response = reply.get("response");

        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.has("patch")).isFalse();
        assertThat(response.get("status").get("code").asInt()).isEqualTo(code);
        assertThat(response.get("status").get("message").asText()).startsWith("jwt-sidecar injection failed: ")
                .contains(reason);
    }

    @Test
    void fail_closed_changes_nothing_for_pods_that_inject_cleanly() throws IOException {
        assertThat(decodedPatch(allowedResponse(FAIL_CLOSED, "pod-annotated.json")))
                .isEqualTo(fixture("pod-annotated.patch.json"));
        assertThat(allowedResponse(FAIL_CLOSED, "pod-not-annotated.json").has("patch")).isFalse();
    }

    @Test
    void an_injected_sidecar_declares_no_port_and_switches_the_admin_api_off_by_default() throws IOException {
        JsonNode pod = fixture("pod-annotated.json").get("request").get("object").deepCopy();
        apply(decodedPatch(allowedResponse(FAIL_OPEN, "pod-annotated.json")), pod);
        Container sidecar = JSON.treeToValue(pod, Pod.class).getSpec().getInitContainers().get(0);

        assertThat(sidecar.getPorts()).as("no admin port: the metrics port alone, the API is on loopback")
                .extracting(ContainerPort::getName, ContainerPort::getContainerPort)
                .containsExactly(tuple(SidecarInjector.METRICS_PORT_NAME, SidecarInjector.METRICS_PORT));
        assertThat(sidecar.getEnv()).extracting(EnvVar::getName).doesNotContain("JWT_SIDECAR_ADMIN_TOKEN")
                .filteredOn(name -> name.startsWith("JWT_SIDECAR_ADMIN_")).containsExactly("JWT_SIDECAR_ADMIN_ENABLED");
        assertThat(sidecar.getEnv()).filteredOn(e -> e.getName().equals("JWT_SIDECAR_ADMIN_ENABLED"))
                .singleElement().satisfies(e -> assertThat(e.getValue()).isEqualTo("false"));
    }

    @Test
    void a_shared_config_map_with_admin_settings_gives_an_injected_sidecar_no_admin_api() {
        Map<String, String> env = KubeletEnv.of(new SidecarInjector(SETTINGS).container(SETTINGS.image()),
                KubeletEnv.podFields("orders", "orders-1", "10.1.2.3"), key -> null);
        // What an admin plane's ConfigMap says: none of its secrets, files or variables exist in a service pod.
        String sharedConfig = "admin:\n"
                + "  host: 0.0.0.0\n"
                + "  token: admin-token-0123456789abcdef0123456789\n"
                + "  credentials:\n"
                + "    - name: ops\n"
                + "      token: ${OPS_ADMIN_TOKEN}\n"
                + "      scopes: [revocations:write]\n"
                + "  tlsCertFile: /tls/tls.crt\n"
                + "  tlsKeyFile: /tls/tls.key\n"
                + "kafka:\n  bootstrapServers: kafka:9092\n"
                + "issuers:\n"
                + "  - issuer: https://idp.example.com\n"
                + "    audiences: [orders-api]\n"
                + "    keys:\n"
                + "      - {kid: k1, alg: HS256, secret: 0123456789abcdef0123456789abcdef}\n";

        SidecarConfig config = new ConfigLoader(env).parse(sharedConfig, Path.of("config"));

        assertThat(config.adminAccess().enabled()).isFalse();
        assertThat(config.adminAccess().switchedOff()).isTrue();
        assertThat(config.adminTls()).isEmpty();
        assertThat(config.admin().host()).as("the shared host is not read").isEqualTo("127.0.0.1");
    }

    @Test
    void only_the_explicit_opt_in_puts_an_admin_api_into_injected_sidecars() {
        InjectionSettings optedIn = new InjectionSettings(SETTINGS.image(), SETTINGS.configMap(),
                Optional.of("jwt-sidecar-admin"), SETTINGS.apiPort());

        Container sidecar = new SidecarInjector(optedIn).container(optedIn.image());

        assertThat(sidecar.getEnv()).extracting(EnvVar::getName).doesNotContain("JWT_SIDECAR_ADMIN_ENABLED");
        assertThat(sidecar.getEnv()).filteredOn(e -> e.getName().equals("JWT_SIDECAR_ADMIN_TOKEN")).singleElement()
                .satisfies(e -> {
                    assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("jwt-sidecar-admin");
                    assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
                });
        assertThat(sidecar.getPorts()).extracting(ContainerPort::getName).containsExactly(SidecarInjector.METRICS_PORT_NAME);
    }

    @Test
    void the_old_name_of_the_opt_in_is_ignored_with_a_warning_naming_the_new_one() {
        CommandLine cli = new CommandLine(new JwtSidecarCommand());
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        int code;
        System.setErr(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            code = cli.execute("inject-webhook", "--tls-cert=tls.crt", "--tls-key=tls.key", "--image=jwt-sidecar:0.1.0",
                    "--admin-token-secret=jwt-sidecar-admin");
        } finally {
            System.setErr(stderr);
        }

        // It goes on without the admin API: here as far as the missing certificate, which ends it.
        assertThat(code).isEqualTo(1);
        assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("--admin-token-secret is ignored", "--sidecar-admin-token-secret=jwt-sidecar-admin", "tls.crt");
    }

    // --- node mode: the node's sidecar over its socket, no container in the pod ---

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "pod-annotated.json, orders/orders-7d9f8b6c5d-x1y2z",
            "pod-annotated-overrides.json, billing/billing-debug"})
    void in_node_mode_the_app_containers_get_the_socket_directory_and_their_client_name_and_no_sidecar(String review,
            String client) throws IOException {
        JsonNode original = fixture(review).get("request").get("object");
        Pod before = JSON.treeToValue(original, Pod.class);
        JsonNode pod = original.deepCopy();

        apply(decodedPatch(allowedResponse(NODE, review)), pod);

        Pod patched = JSON.treeToValue(pod, Pod.class);
        assertThat(patched.getSpec().getInitContainers()).as("no sidecar").isNullOrEmpty();
        assertThat(patched.getSpec().getContainers()).extracting(Container::getName)
                .containsExactlyElementsOf(before.getSpec().getContainers().stream().map(Container::getName).toList());
        Volume socket = patched.getSpec().getVolumes().stream().filter(v -> v.getName().equals("jwt-sidecar-socket"))
                .findFirst().orElseThrow();
        assertThat(socket.getHostPath().getPath()).isEqualTo("/run/jwt-sidecar");
        assertThat(socket.getHostPath().getType()).isEqualTo("Directory");
        assertThat(patched.getSpec().getVolumes()).as("the pod's own volumes kept")
                .containsAll(before.getSpec().getVolumes() == null ? List.of() : before.getSpec().getVolumes());
        Container app = patched.getSpec().getContainers().get(0);
        assertThat(app.getVolumeMounts()).filteredOn(m -> m.getName().equals("jwt-sidecar-socket")).singleElement()
                .satisfies(m -> {
                    assertThat(m.getMountPath()).isEqualTo("/run/jwt-sidecar");
                    assertThat(m.getReadOnly()).isTrue();
                });
        String namespace = fixture(review).get("request").get("namespace").asText();
        String name = patched.getMetadata().getName() != null ? patched.getMetadata().getName()
                : patched.getMetadata().getGenerateName() + "x1y2z";
        Map<String, String> env = KubeletEnv.of(app, KubeletEnv.podFields(namespace, name, "10.1.2.3"), key -> null);
        assertThat(env).containsEntry("JWT_SIDECAR_CLIENT", client)
                .containsEntry("JWT_SIDECAR_SOCKET", "/run/jwt-sidecar/api.sock");
        // The escaped pointer made one key with a slash in it; no label: there are no sidecar ports to select.
        assertThat(patched.getMetadata().getAnnotations()).containsEntry("jwt-sidecar.io/status", "injected-node");
        assertThat(patched.getMetadata().getLabels() == null ? Map.<String, String>of() : patched.getMetadata().getLabels())
                .doesNotContainKey(SidecarInjector.SIDECAR_LABEL);
        assertThat(decodedPatch(allowedResponse(NODE, review)).toString()).as("nothing of the injector's image or config")
                .doesNotContain("registry.example.com/jwt-sidecar", "jwt-sidecar-config");
    }

    @Test
    void in_node_mode_every_app_container_gets_it_after_its_own_entries_and_init_containers_do_not() throws IOException {
        ObjectNode review = fixture("pod-annotated.json").deepCopy();
        ObjectNode spec = (ObjectNode) review.get("request").get("object").get("spec");
        ((ObjectNode) spec.get("containers").get(0)).putArray("env").addObject().put("name", "LOG_LEVEL").put("value", "info");
        ((ArrayNode) spec.get("containers")).addObject().put("name", "metrics-exporter").put("image", "exporter:1");
        spec.putArray("initContainers").addObject().put("name", "migrate").put("image", "migrate:1");
        JsonNode pod = review.get("request").get("object").deepCopy();

        apply(decodedPatch(reply(NODE, review.toString().getBytes()).get("response")), pod);

        Pod patched = JSON.treeToValue(pod, Pod.class);
        Container orders = patched.getSpec().getContainers().get(0);
        Container exporter = patched.getSpec().getContainers().get(1);
        List<String> ordersEnv = orders.getEnv().stream().map(EnvVar::getName).toList();
        assertThat(ordersEnv.get(0)).as("the container's own entry kept, first").isEqualTo("LOG_LEVEL");
        assertThat(ordersEnv.subList(1, ordersEnv.size())).containsExactlyElementsOf(NODE_ENV);
        assertThat(orders.getVolumeMounts()).extracting(VolumeMount::getName)
                .containsExactly("kube-api-access-x7k2p", "jwt-sidecar-socket");
        assertThat(exporter.getEnv()).extracting(EnvVar::getName).containsExactlyElementsOf(NODE_ENV);
        assertThat(exporter.getVolumeMounts()).extracting(VolumeMount::getName).containsExactly("jwt-sidecar-socket");
        assertThat(KubeletEnv.of(exporter, KubeletEnv.podFields("orders", "orders-1", "10.1.2.3"), key -> null))
                .containsEntry("JWT_SIDECAR_CLIENT", "orders/orders-1");
        Container migrate = patched.getSpec().getInitContainers().get(0);
        assertThat(patched.getSpec().getInitContainers()).extracting(Container::getName).containsExactly("migrate");
        assertThat(migrate.getEnv()).isNullOrEmpty();
        assertThat(migrate.getVolumeMounts()).isNullOrEmpty();
    }

    @ParameterizedTest(name = "a {0} injector, annotated {1}, injects in {1} mode")
    @CsvSource({"pod, node", "node, pod", "node, node", "pod, pod"})
    void the_pods_mode_annotation_outranks_the_injectors_mode(String injectorMode, String podMode) throws IOException {
        AdmissionWebhook webhook = injectorMode.equals("node") ? NODE : FAIL_OPEN;
        ObjectNode review = withAnnotation(fixture("pod-annotated.json"), "jwt-sidecar.io/mode", podMode);
        JsonNode pod = review.get("request").get("object").deepCopy();

        JsonNode patch = decodedPatch(reply(webhook, review.toString().getBytes()).get("response"));
        apply(patch, pod);

        Pod patched = JSON.treeToValue(pod, Pod.class);
        if (podMode.equals("pod")) {
            assertThat(patch).isEqualTo(fixture("pod-annotated.patch.json"));
            assertThat(patched.getSpec().getInitContainers()).extracting(Container::getName).containsExactly("jwt-sidecar");
        } else {
            assertThat(patched.getSpec().getInitContainers()).isNullOrEmpty();
            assertThat(patched.getMetadata().getAnnotations()).containsEntry("jwt-sidecar.io/status", "injected-node");
        }
    }

    @ParameterizedTest(name = "mode annotation ''{0}''")
    @CsvSource({"Node", "daemonset", "''"})
    void a_mode_annotation_that_is_neither_pod_nor_node_is_refused_with_fail_closed_and_warned_of_without(String value)
            throws IOException {
        ObjectNode review = withAnnotation(fixture("pod-annotated.json"), "jwt-sidecar.io/mode", value);
        String expected = "jwt-sidecar.io/mode: '" + value + "' is not a mode: 'pod' or 'node'";

        JsonNode open = reply(NODE, review.toString().getBytes()).get("response");
        JsonNode closed = reply(NODE_FAIL_CLOSED, review.toString().getBytes()).get("response");

        assertThat(open.get("allowed").asBoolean()).isTrue();
        assertThat(open.has("patch")).isFalse();
        assertThat(open.get("warnings").get(0).asText()).contains(expected);
        assertThat(closed.get("allowed").asBoolean()).isFalse();
        assertThat(closed.get("status").get("code").asInt()).isEqualTo(400);
        assertThat(closed.get("status").get("message").asText()).contains(expected);
    }

    @Test
    void a_pod_injected_in_node_mode_is_left_alone_by_either_mode() throws IOException {
        JsonNode pod = fixture("pod-annotated.json").get("request").get("object").deepCopy();
        apply(decodedPatch(allowedResponse(NODE, "pod-annotated.json")), pod);
        ObjectNode again = fixture("pod-annotated.json").deepCopy();
        ((ObjectNode) again.get("request")).set("object", pod);

        for (AdmissionWebhook webhook : List.of(NODE, NODE_FAIL_CLOSED, FAIL_OPEN, FAIL_CLOSED)) {
            JsonNode response = reply(webhook, again.toString().getBytes()).get("response");
            assertThat(response.get("allowed").asBoolean()).isTrue();
            assertThat(response.has("patch")).isFalse();
            assertThat(response.has("warnings")).as("not a failure: already done").isFalse();
        }
        // And a pod that already has its own sidecar gets no socket besides.
        assertThat(allowedResponse(NODE, "pod-already-injected.json").has("patch")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"JWT_SIDECAR_SOCKET", "JWT_SIDECAR_CLIENT", "JWT_SIDECAR_POD_NAME", "JWT_SIDECAR_POD_NAMESPACE"})
    void a_container_that_already_sets_a_variable_of_node_mode_is_refused_not_overwritten(String name) throws IOException {
        ObjectNode review = fixture("pod-annotated.json").deepCopy();
        ObjectNode orders = (ObjectNode) review.get("request").get("object").get("spec").get("containers").get(0);
        orders.putArray("env").addObject().put("name", name).put("value", "/somewhere/else.sock");

        JsonNode open = reply(NODE, review.toString().getBytes()).get("response");
        JsonNode closed = reply(NODE_FAIL_CLOSED, review.toString().getBytes()).get("response");

        assertThat(open.has("patch")).isFalse();
        assertThat(open.get("warnings").get(0).asText()).contains("the container orders already sets " + name);
        assertThat(closed.get("allowed").asBoolean()).isFalse();
        assertThat(closed.get("status").get("message").asText()).contains("the container orders already sets " + name);
    }

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({"jwt-sidecar-socket, /mnt/socket", "run, /run/jwt-sidecar/"})
    void a_container_that_already_mounts_the_socket_volume_or_directory_is_refused(String volume, String path)
            throws IOException {
        ObjectNode review = fixture("pod-annotated.json").deepCopy();
        ObjectNode orders = (ObjectNode) review.get("request").get("object").get("spec").get("containers").get(0);
        ((ArrayNode) orders.get("volumeMounts")).addObject().put("name", volume).put("mountPath", path);

        JsonNode closed = reply(NODE_FAIL_CLOSED, review.toString().getBytes()).get("response");

        assertThat(closed.get("allowed").asBoolean()).isFalse();
        assertThat(closed.get("status").get("message").asText()).contains("the container orders already mounts " + volume);
    }

    @Test
    void a_pod_with_a_volume_of_the_socket_volumes_name_is_refused_in_node_mode() throws IOException {
        ObjectNode review = fixture("pod-annotated.json").deepCopy();
        ((ArrayNode) review.get("request").get("object").get("spec").get("volumes")).addObject()
                .put("name", "jwt-sidecar-socket").putObject("emptyDir");

        JsonNode closed = reply(NODE_FAIL_CLOSED, review.toString().getBytes()).get("response");

        assertThat(closed.get("status").get("message").asText()).contains("the pod already has a volume named jwt-sidecar-socket");
    }

    @Test
    void a_pod_in_the_nodes_network_is_served_in_node_mode_since_it_gets_no_ports() throws IOException {
        JsonNode pod = fixture("pod-host-network.json").get("request").get("object").deepCopy();

        apply(decodedPatch(allowedResponse(NODE_FAIL_CLOSED, "pod-host-network.json")), pod);

        assertThat(JSON.treeToValue(pod, Pod.class).getMetadata().getAnnotations())
                .containsEntry("jwt-sidecar.io/status", "injected-node");
        assertThat(reply(FAIL_CLOSED, bytes("pod-host-network.json")).get("response").get("status").get("message").asText())
                .as("pod mode still refuses it, and names the way out").contains("jwt-sidecar.io/mode: node");
    }

    @Test
    void the_command_refuses_a_mode_that_is_neither_pod_nor_node() {
        CommandLine cli = JwtSidecarCommand.commandLine();
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        int code;
        System.setErr(new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            code = cli.execute("inject-webhook", "--tls-cert=tls.crt", "--tls-key=tls.key", "--image=jwt-sidecar:0.1.0",
                    "--mode=daemonset");
        } finally {
            System.setErr(stderr);
        }

        assertThat(code).isEqualTo(2);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("--mode: 'daemonset' is not a mode: 'pod' or 'node'");
    }

    @Test
    void json_pointer_tokens_are_escaped_tilde_first() {
        assertThat(JsonPatch.escape("a~1b/c")).isEqualTo("a~01b~1c");
        assertThat(JsonPatch.pointer("metadata", "annotations", "jwt-sidecar.io/status"))
                .isEqualTo("/metadata/annotations/jwt-sidecar.io~1status");
        assertThat(JsonPatch.pointer("spec", "containers", "-")).isEqualTo("/spec/containers/-");
    }

    @Test
    void settings_that_are_not_valid_are_refused_naming_each() {
        assertThatThrownBy(() -> new InjectionSettings("has space", "Bad_Name", Optional.of("ok-secret"), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image: 'has space'")
                .hasMessageContaining("config map: 'Bad_Name'")
                .hasMessageContaining("api port: '0'")
                .hasMessageNotContaining("ok-secret");
    }

    @Test
    void the_command_is_registered_and_requires_its_certificate_and_image() {
        CommandLine cli = JwtSidecarCommand.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));

        assertThat(cli.getSubcommands()).containsKey("inject-webhook");
        assertThat(cli.execute("inject-webhook")).isEqualTo(2);
        assertThat(err.toString()).contains("--tls-cert").contains("--tls-key").contains("--image");
    }

    @Test
    void the_https_endpoint_answers_reviews_health_and_malformed_bodies(@TempDir Path dir) throws Exception {
        SelfSignedTls tls = SelfSignedTls.generate(dir, "webhook");
        try (WebhookServer server = WebhookServer.start(new WebhookServer.Options("127.0.0.1", 0, tls.certFile(),
                tls.keyFile(), Duration.ofMinutes(1)), FAIL_OPEN)) {
            HttpClient client = HttpClient.newBuilder().sslContext(tls.trustingIt()).build();
            URI base = URI.create("https://127.0.0.1:" + server.port());

            HttpResponse<String> review = client.send(HttpRequest.newBuilder(base.resolve("/mutate?timeout=10s"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes("pod-annotated.json"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(review.statusCode()).isEqualTo(200);
            assertThat(review.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode answer = JSON.readTree(review.body());
            assertThat(answer.get("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
            assertThat(answer.get("kind").asText()).isEqualTo("AdmissionReview");
            assertThat(decodedPatch(answer.get("response"))).isEqualTo(fixture("pod-annotated.patch.json"));
            assertThat(review.sslSession().orElseThrow().getPeerCertificates()[0]).isEqualTo(tls.asCertificate());

            HttpResponse<String> garbage = client.send(HttpRequest.newBuilder(base.resolve("/mutate"))
                    .POST(HttpRequest.BodyPublishers.ofString("not a review")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(garbage.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(garbage.body()).get("error").asText()).isEqualTo("invalid_review");

            HttpResponse<String> health = client.send(HttpRequest.newBuilder(base.resolve("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);

            // Refused from its Content-Length, before any of the body is sent; the same code as every listener's 413.
            try (SSLSocket socket = (SSLSocket) tls.trustingIt().getSocketFactory().createSocket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("POST /mutate HTTP/1.1\r\nHost: webhook\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + ((8 << 20) + 1) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                RawHttp.Response tooLarge = RawHttp.readResponse(socket.getInputStream());
                assertThat(tooLarge.status()).isEqualTo(413);
                JsonNode refusal = JSON.readTree(tooLarge.body());
                assertThat(refusal.get("error").asText()).isEqualTo("request_too_large");
                assertThat(refusal.get("limit").asLong()).isEqualTo(8 << 20);
            }
        }
    }

    @Test
    void a_renewed_certificate_is_served_to_new_connections_without_a_restart(@TempDir Path dir) throws Exception {
        SelfSignedTls first = SelfSignedTls.generate(dir, "first");
        Path cert = Files.copy(first.certFile(), dir.resolve("tls.crt"));
        Path key = Files.copy(first.keyFile(), dir.resolve("tls.key"));
        try (WebhookServer server = WebhookServer.start(new WebhookServer.Options("127.0.0.1", 0, cert, key,
                Duration.ofMillis(100)), FAIL_OPEN)) {
            URI health = URI.create("https://127.0.0.1:" + server.port() + "/healthz");
            assertThat(peerCertificate(first, health)).isEqualTo(first.asCertificate());

            SelfSignedTls second = SelfSignedTls.generate(dir, "second");
            Files.copy(second.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(second.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);

            // Until the reload, a client trusting only the new certificate fails its handshake: retry on that too.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                    assertThat(peerCertificate(second, health)).isEqualTo(second.asCertificate()));
        }
    }

    private static java.security.cert.Certificate peerCertificate(SelfSignedTls trusted, URI uri) throws Exception {
        // A new client each time: a new connection, a new handshake.
        HttpResponse<String> r = HttpClient.newBuilder().sslContext(trusted.trustingIt()).build()
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.sslSession().orElseThrow().getPeerCertificates()[0];
    }

    /** The review with one more annotation on its pod. */
    private static ObjectNode withAnnotation(JsonNode review, String key, String value) {
        ObjectNode copy = review.deepCopy();
        ((ObjectNode) copy.get("request").get("object").get("metadata").get("annotations")).put(key, value);
        return copy;
    }

    /** The review's response, which must allow the pod. */
    private static JsonNode allowedResponse(AdmissionWebhook webhook, String review) throws IOException {
        JsonNode reply = reply(webhook, bytes(review));
        assertThat(reply.get("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(reply.get("kind").asText()).isEqualTo("AdmissionReview");
        JsonNode response = reply.get("response");
        assertThat(response.get("allowed").asBoolean()).as("allowed in %s", response).isTrue();
        return response;
    }

    private static JsonNode reply(AdmissionWebhook webhook, byte[] review) throws IOException {
        AdmissionWebhook.Reply reply = webhook.review(review);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return JSON.readTree(reply.body());
    }

    private static JsonNode decodedPatch(JsonNode response) throws IOException {
        assertThat(response.has("patch")).as("a patch in %s", response).isTrue();
        return JSON.readTree(Base64.getDecoder().decode(response.get("patch").asText()));
    }

    private static JsonNode fixture(String name) throws IOException {
        return JSON.readTree(bytes(name));
    }

    private static byte[] bytes(String name) throws IOException {
        try (InputStream in = InjectWebhookTest.class.getResourceAsStream("/admission/" + name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** RFC 6902 {@code add} as the API server applies it: enough to check the patch's pointers mean what they say. */
    private static void apply(JsonNode patch, JsonNode document) {
        for (JsonNode op : patch) {
            assertThat(op.get("op").asText()).isEqualTo("add");
            String[] tokens = op.get("path").asText().substring(1).split("/", -1);
            JsonNode parent = document;
            for (int i = 0; i < tokens.length - 1; i++) {
                // An array index (node mode patches each container): get(String) finds only object members.
                parent = parent.isArray() ? parent.get(Integer.parseInt(tokens[i])) : parent.get(unescape(tokens[i]));
                assertThat(parent).as("parent of %s exists", op.get("path")).isNotNull();
            }
            String last = unescape(tokens[tokens.length - 1]);
            if (parent.isArray()) {
                if (last.equals("-")) {
                    ((ArrayNode) parent).add(op.get("value"));
                } else { // an index: the value goes before what stands there (RFC 6902 §4.1)
                    int index = Integer.parseInt(last);
                    assertThat(index).as("index in %s", op.get("path")).isBetween(0, parent.size());
                    ((ArrayNode) parent).insert(index, op.get("value"));
                }
            } else {
                ((ObjectNode) parent).set(last, op.get("value"));
            }
        }
    }

    private static String unescape(String token) {
        return token.replace("~1", "/").replace("~0", "~");
    }
}
