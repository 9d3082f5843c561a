package io.jwtsidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.inject.SidecarInjector;
import io.jwtsidecar.testing.KafkaAclExamples;
import io.jwtsidecar.testing.KafkaAclExamples.Grant;
import io.jwtsidecar.testing.Kustomize;
import io.jwtsidecar.testing.StrimziSecrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Strimzi side of the Kubernetes manifests, rendered as they are applied ({@code kubectl
 * kustomize}, offline): every Strimzi resource is {@code kafka.strimzi.io/v1} in v1's shape; the
 * KafkaUsers grant exactly the trust model of docs/ARCHITECTURE.md (sidecars read revocations and
 * write only their status, publishers also write revocations) on exactly the topics of the
 * KafkaTopics and of the shipped sidecar.yaml; and that sidecar.yaml authenticates with what
 * Strimzi writes: its settings load, say SSL (SASL_SSL in the SCRAM overlay), keep every password
 * in the mounted Secrets, and real Kafka clients built from them open the keystore and trust store
 * (or log in) from files laid out as Strimzi lays out its Secrets, at the paths the injected
 * sidecar mounts them (the example Deployment, which K8sManifestsTest holds to the injector's output).
 */
class StrimziManifestsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path BASE = Path.of("deploy/k8s");
    private static final Path MANUAL_TLS = Path.of("deploy/k8s-manual-tls");
    private static final Path SCRAM = Path.of("deploy/k8s-scram");
    private static final String V1 = "kafka.strimzi.io/v1";
    private static final String SIDECAR = "jwt-sidecar";
    private static final String PUBLISHER = "jwt-sidecar-publisher";
    /** The namespace-local copies of Strimzi's Secrets that the sidecar mounts. */
    private static final Set<String> CREDENTIAL_SECRETS = Set.of("jwt-sidecar-kafka-user", "jwt-sidecar-kafka-cluster-ca");

    /** kafka.strimzi.io/v1's fields: an ACL rule, its resource, a KafkaUser's and a KafkaTopic's spec. */
    private static final Set<String> ACL_FIELDS = Set.of("type", "resource", "host", "operations");
    private static final Set<String> ACL_RESOURCE_FIELDS = Set.of("type", "name", "patternType");
    private static final Set<String> ACL_OPERATIONS = Set.of("Read", "Write", "Create", "Delete", "Alter", "Describe",
            "ClusterAction", "AlterConfigs", "DescribeConfigs", "IdempotentWrite", "All");
    private static final Set<String> USER_SPEC_FIELDS = Set.of("authentication", "authorization", "quotas", "template");
    private static final Set<String> AUTHENTICATION_TYPES = Set.of("tls", "tls-external", "scram-sha-512");
    private static final Set<String> TOPIC_SPEC_FIELDS = Set.of("topicName", "partitions", "replicas", "config");

    /** {@code ${provider:directory:key}}: a value a Kafka config provider reads. */
    private static final Pattern PROVIDED = Pattern.compile("^\\$\\{(\\w+):([^:}]+):([^:}]+)}$");

    private static Map<String, List<JsonNode>> renders;

    @BeforeAll
    static void render() {
        renders = new LinkedHashMap<>();
        renders.put("deploy/k8s", Kustomize.render(BASE));
        renders.put("deploy/k8s-manual-tls", Kustomize.render(MANUAL_TLS));
        renders.put("deploy/k8s-scram", Kustomize.render(SCRAM));
    }

    @Test
    void every_strimzi_resource_is_kafka_strimzi_io_v1_in_every_kustomization_and_every_file() throws IOException {
        renders.forEach((name, docs) -> {
            List<JsonNode> strimzi = docs.stream().filter(d -> d.path("apiVersion").asText().startsWith("kafka.strimzi.io/"))
                    .toList();
            assertThat(strimzi).as("%s: its Strimzi resources", name).extracting(d -> d.path("kind").asText())
                    .containsExactlyInAnyOrder("KafkaTopic", "KafkaTopic", "KafkaUser", "KafkaUser");
            assertThat(strimzi).as("%s: apiVersion of every Strimzi resource", name)
                    .allSatisfy(d -> assertThat(d.path("apiVersion").asText()).isEqualTo(V1));
        });
        // Examples and documents too: Strimzi 1.0 serves v1 only, so an older version anywhere is a broken copy-paste.
        try (Stream<Path> files = Stream.of(Path.of("deploy"), Path.of("docs")).flatMap(StrimziManifestsTest::walk)) {
            List<String> old = files.filter(Files::isRegularFile).filter(f -> read(f).matches("(?s).*kafka\\.strimzi\\.io/v1(alpha|beta)\\d.*"))
                    .map(Path::toString).toList();
            assertThat(old).as("files naming a Strimzi API older than v1").isEmpty();
        }
    }

    @Test
    void the_strimzi_resources_have_the_v1_shape() {
        renders.forEach((name, docs) -> {
            for (JsonNode topic : kind(docs, "KafkaTopic")) {
                String what = name + ": KafkaTopic " + name(topic);
                assertThat(topic.path("spec").isObject()).as("%s: v1 requires spec", what).isTrue();
                assertThat(fields(topic.path("spec"))).as("%s: spec", what).isSubsetOf(TOPIC_SPEC_FIELDS);
            }
            for (JsonNode user : kind(docs, "KafkaUser")) {
                String what = name + ": KafkaUser " + name(user);
                JsonNode spec = user.path("spec");
                assertThat(spec.isObject()).as("%s: v1 requires spec", what).isTrue();
                assertThat(fields(spec)).as("%s: spec", what).isSubsetOf(USER_SPEC_FIELDS);
                assertThat(spec.path("authentication").path("type").asText()).as("%s: authentication", what)
                        .isIn(AUTHENTICATION_TYPES);
                assertThat(spec.path("authorization").path("type").asText()).as(what).isEqualTo("simple");
                assertThat(spec.path("authorization").path("acls")).as("%s: acls", what).isNotEmpty();
                for (JsonNode acl : spec.path("authorization").path("acls")) {
                    assertThat(fields(acl)).as("%s: an ACL rule (v1 has no single `operation`)", what)
                            .isSubsetOf(ACL_FIELDS).contains("resource", "operations");
                    assertThat(fields(acl.path("resource"))).as("%s: an ACL rule's resource", what)
                            .isSubsetOf(ACL_RESOURCE_FIELDS);
                    assertThat(acl.path("operations")).as("%s: operations", what).isNotEmpty()
                            .allSatisfy(op -> assertThat(op.asText()).isIn(ACL_OPERATIONS));
                }
            }
        });
    }

    @Test
    void the_kafka_users_grant_exactly_the_trust_model_on_the_configured_topics() {
        renders.forEach((name, docs) -> {
            SidecarConfig config = sidecarConfig(docs);
            String revocations = config.kafka().topic();
            String status = config.kafka().statusTopic();
            Set<Grant> expected = new LinkedHashSet<>();
            // Sidecars: read every partition of the revocations, report to the status topic; both topics' settings
            // are checked at start (DescribeConfigs). No consumer group: they assign themselves the partitions.
            grant(expected, SIDECAR, revocations, AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
            grant(expected, SIDECAR, status, AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
            // Publishers: also write revocations, and read the fleet's reports.
            for (String topic : List.of(revocations, status)) {
                grant(expected, PUBLISHER, topic, AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE,
                        AclOperation.DESCRIBE_CONFIGS);
            }

            Set<Grant> granted = grants(docs);

            assertThat(granted).as("%s: what the KafkaUsers grant", name).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(granted).as("%s: who may write revocations", name)
                    .filteredOn(g -> g.resource().name().equals(revocations) && g.operation() == AclOperation.WRITE)
                    .extracting(Grant::user).containsExactly(PUBLISHER);
        });
        // KafkaAclsIT applies the file to a real broker with an authorizer: it must be what the base renders.
        assertThat(KafkaAclExamples.strimziUsers()).as("the KafkaUsers KafkaAclsIT applies")
                .containsExactlyInAnyOrderElementsOf(grants(renders.get("deploy/k8s")));
    }

    @Test
    void users_topics_and_sidecar_configuration_name_the_same_topics_cluster_and_namespace() {
        renders.forEach((name, docs) -> {
            SidecarConfig config = sidecarConfig(docs);
            List<JsonNode> topics = kind(docs, "KafkaTopic");
            List<JsonNode> users = kind(docs, "KafkaUser");

            Set<String> topicNames = topics.stream().map(t -> t.path("spec").path("topicName").asText(name(t)))
                    .collect(Collectors.toSet());
            assertThat(topicNames).as("%s: the KafkaTopics", name)
                    .containsExactlyInAnyOrder(config.kafka().topic(), config.kafka().statusTopic());
            assertThat(grants(docs).stream().map(g -> g.resource().name()).collect(Collectors.toSet()))
                    .as("%s: the topics the KafkaUsers name", name).isEqualTo(topicNames);
            assertThat(users).extracting(StrimziManifestsTest::name).containsExactlyInAnyOrder(SIDECAR, PUBLISHER);

            // One cluster, one namespace: the User Operator of the topics' cluster makes the users.
            Set<String> clusters = Stream.concat(topics.stream(), users.stream())
                    .map(r -> r.path("metadata").path("labels").path("strimzi.io/cluster").asText()).collect(Collectors.toSet());
            Set<String> namespaces = Stream.concat(topics.stream(), users.stream())
                    .map(r -> r.path("metadata").path("namespace").asText()).collect(Collectors.toSet());
            assertThat(clusters).as("%s: strimzi.io/cluster", name).hasSize(1).doesNotContain("");
            assertThat(namespaces).as("%s: namespaces", name).hasSize(1).doesNotContain("");
            assertThat(config.kafka().bootstrapServers()).as("%s: the bootstrap address", name)
                    .startsWith(clusters.iterator().next() + "-kafka-bootstrap." + namespaces.iterator().next() + ".svc:");
        });
    }

    @Test
    void the_shipped_configuration_connects_with_the_tls_client_certificate_strimzi_writes(@TempDir Path tmp) throws Exception {
        for (String name : List.of("deploy/k8s", "deploy/k8s-manual-tls")) {
            List<JsonNode> docs = renders.get(name);
            SidecarConfig config = sidecarConfig(docs);
            assertThat(kind(docs, "KafkaUser")).as("%s: the KafkaUsers authenticate with certificates", name)
                    .allSatisfy(u -> assertThat(u.path("spec").path("authentication").path("type").asText()).isEqualTo("tls"));
            for (Map<String, String> settings : List.of(config.kafka().consumer(), config.kafka().producer())) {
                assertThat(settings).as(name).containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL")
                        .containsEntry(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12")
                        .containsEntry(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
                assertNoSecretIsWrittenOut(name, settings);
            }
        }
        SidecarConfig config = sidecarConfig(renders.get("deploy/k8s"));
        Map<String, String> consumer = config.kafka().consumer();
        Path userDir = Path.of(consumer.get(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG)).getParent();
        Path caDir = Path.of(consumer.get(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG)).getParent();
        Map<String, Path> mounted = Map.of(userDir.toString(), tmp.resolve("user"), caDir.toString(), tmp.resolve("ca"));
        X509Certificate cert = StrimziSecrets.tlsUser(mounted.get(userDir.toString()), SIDECAR);
        StrimziSecrets.clusterCa(mounted.get(caDir.toString()), cert);

        // Kafka clients load their keystore and trust store when they are made: made, they have read both.
        openClients(relocate(consumer, mounted), relocate(config.kafka().producer(), mounted));

        // The password really comes from the Secret's file: a wrong one there and the keystore does not open.
        Files.writeString(mounted.get(userDir.toString()).resolve("user.password"), "not-the-password");
        assertThatThrownBy(() -> openClients(relocate(consumer, mounted), relocate(config.kafka().producer(), mounted)))
                .isInstanceOf(KafkaException.class);
    }

    @Test
    void the_scram_overlay_logs_in_with_the_password_strimzi_writes_and_changes_nothing_else(@TempDir Path tmp) throws Exception {
        List<JsonNode> docs = renders.get("deploy/k8s-scram");
        SidecarConfig config = sidecarConfig(docs);
        assertThat(kind(docs, "KafkaUser")).allSatisfy(u ->
                assertThat(u.path("spec").path("authentication").path("type").asText()).isEqualTo("scram-sha-512"));
        for (Map<String, String> settings : List.of(config.kafka().consumer(), config.kafka().producer())) {
            assertThat(settings).containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL")
                    .containsEntry(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512")
                    .containsEntry(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
            assertNoSecretIsWrittenOut("deploy/k8s-scram", settings);
        }
        // Only the Kafka clients' settings differ from the base's sidecar.yaml: the overlay repeats the rest.
        assertThat(withoutKafkaClientSettings(sidecarYaml(docs))).as("the SCRAM overlay's sidecar.yaml but its client settings")
                .isEqualTo(withoutKafkaClientSettings(sidecarYaml(renders.get("deploy/k8s"))));

        Map<String, String> consumer = config.kafka().consumer();
        Matcher jaas = PROVIDED.matcher(consumer.get(SaslConfigs.SASL_JAAS_CONFIG));
        assertThat(jaas.matches()).isTrue();
        Path caDir = Path.of(consumer.get(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG)).getParent();
        Map<String, Path> mounted = Map.of(jaas.group(2), tmp.resolve("user"), caDir.toString(), tmp.resolve("ca"));
        StrimziSecrets.scramUser(mounted.get(jaas.group(2)), SIDECAR);
        Path certs = tmp.resolve("certs");
        StrimziSecrets.clusterCa(mounted.get(caDir.toString()), StrimziSecrets.tlsUser(certs, "my-cluster-cluster-ca"));

        openClients(relocate(consumer, mounted), relocate(config.kafka().producer(), mounted));

        // The JAAS line comes from the Secret: without it the clients cannot log in at all.
        Files.delete(mounted.get(jaas.group(2)).resolve("sasl.jaas.config"));
        assertThatThrownBy(() -> openClients(relocate(consumer, mounted), relocate(config.kafka().producer(), mounted)))
                .isInstanceOf(KafkaException.class);
    }

    @Test
    void the_injected_sidecar_mounts_every_file_the_configuration_reads_and_the_service_none() {
        List<JsonNode> docs = renders.get("deploy/k8s");
        Deployment demo = docs.stream().filter(d -> d.path("kind").asText().equals("Deployment") && name(d).equals("orders"))
                .map(d -> JSON.convertValue(d, Deployment.class)).findFirst().orElseThrow();
        PodSpec pod = demo.getSpec().getTemplate().getSpec();
        Container sidecar = pod.getInitContainers().stream().filter(c -> c.getName().equals(SidecarInjector.CONTAINER_NAME))
                .findFirst().orElseThrow();

        Map<String, String> secretMounts = new HashMap<>();
        for (VolumeMount m : sidecar.getVolumeMounts()) {
            Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst().orElseThrow();
            if (v.getSecret() != null && CREDENTIAL_SECRETS.contains(v.getSecret().getSecretName())) {
                assertThat(m.getReadOnly()).as("%s mounted read-only", m.getName()).isTrue();
                assertThat(m.getSubPath()).as("a whole Secret, so renewed files reach the pod").isNull();
                secretMounts.put(m.getMountPath(), v.getSecret().getSecretName());
            }
        }
        assertThat(Set.copyOf(secretMounts.values())).isEqualTo(CREDENTIAL_SECRETS);
        Set<String> credentialVolumes = pod.getVolumes().stream().filter(v -> v.getSecret() != null
                && CREDENTIAL_SECRETS.contains(v.getSecret().getSecretName())).map(Volume::getName).collect(Collectors.toSet());
        assertThat(pod.getContainers()).as("the service's own containers see no Kafka credentials").allSatisfy(c ->
                assertThat(c.getVolumeMounts()).noneMatch(m -> credentialVolumes.contains(m.getName())));

        // The TLS base and the SCRAM overlay read their files from the same two directories, and only from them.
        for (List<JsonNode> render : List.of(docs, renders.get("deploy/k8s-scram"))) {
            SidecarConfig config = sidecarConfig(render);
            for (Map<String, String> settings : List.of(config.kafka().consumer(), config.kafka().producer())) {
                assertThat(directoriesRead(settings)).as("directories the Kafka settings read")
                        .isEqualTo(secretMounts.keySet());
                assertThat(Set.of(settings.get("config.providers.secrets.param.allowed.paths").split(",")))
                        .as("what the config provider may read").isEqualTo(secretMounts.keySet());
            }
        }
    }

    @Test
    void the_admin_plane_reaches_kafka_as_the_publisher_with_the_sidecars_settings_and_mounts() {
        for (String render : List.of("deploy/k8s", "deploy/k8s-scram")) {
            List<JsonNode> docs = renders.get(render);
            SidecarConfig sidecars = sidecarConfig(docs);
            SidecarConfig admin = new ConfigLoader(Map.of("SECURITY_ONCALL_TOKEN", "x".repeat(40),
                    "IDP_SUPPORT_TOKEN", "y".repeat(40), "PARTNERS_SUPPORT_TOKEN", "z".repeat(40)))
                    .parse(configYaml(docs, "jwt-sidecar-admin-config"), Path.of("/config"));
            assertThat(admin.kafka().consumer()).as("%s: the admin plane's consumer settings", render)
                    .isEqualTo(sidecars.kafka().consumer());
            assertThat(admin.kafka().producer()).as("%s: the admin plane's producer settings", render)
                    .isEqualTo(sidecars.kafka().producer());
        }
        List<JsonNode> docs = renders.get("deploy/k8s");
        PodSpec pod = docs.stream().filter(d -> d.path("kind").asText().equals("Deployment")
                        && name(d).equals("jwt-sidecar-admin")).map(d -> JSON.convertValue(d, Deployment.class))
                .findFirst().orElseThrow().getSpec().getTemplate().getSpec();
        Map<String, String> secretMounts = new HashMap<>();
        for (VolumeMount m : pod.getContainers().get(0).getVolumeMounts()) {
            pod.getVolumes().stream().filter(v -> v.getName().equals(m.getName()) && v.getSecret() != null)
                    .forEach(v -> {
                        assertThat(m.getReadOnly()).isTrue();
                        assertThat(m.getSubPath()).isNull();
                        secretMounts.put(m.getMountPath(), v.getSecret().getSecretName());
                    });
        }
        SidecarConfig sidecars = sidecarConfig(docs);
        assertThat(secretMounts.keySet()).as("the directories its Kafka settings read")
                .isEqualTo(directoriesRead(sidecars.kafka().producer()));
        assertThat(Set.copyOf(secretMounts.values())).as("the publisher's credentials, never the sidecars'")
                .containsExactlyInAnyOrder("jwt-sidecar-kafka-publisher", "jwt-sidecar-kafka-cluster-ca");
    }

    // --- Kafka clients ---

    /** The consumer, producer and admin clients the sidecar makes from these settings (without connecting). */
    private static void openClients(Map<String, String> consumer, Map<String, String> producer) {
        Map<String, Object> c = new HashMap<>(consumer);
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9093");
        Map<String, Object> p = new HashMap<>(producer);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9093");
        try (KafkaConsumer<byte[], byte[]> k = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            assertThat(k.assignment()).isEmpty();
        }
        KafkaProducer<byte[], byte[]> k = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        k.close(Duration.ofSeconds(5));
        // The topic settings check and the fleet view make admin clients from the consumer settings.
        Admin.create(c).close(Duration.ofSeconds(5));
    }

    /** The settings with each mounted directory replaced by where this test laid the Secret out. */
    private static Map<String, String> relocate(Map<String, String> settings, Map<String, Path> mounted) {
        Map<String, String> moved = new HashMap<>();
        settings.forEach((k, v) -> {
            String value = v;
            for (Map.Entry<String, Path> m : mounted.entrySet()) {
                value = value.replace(m.getKey(), m.getValue().toString());
            }
            moved.put(k, value);
        });
        return moved;
    }

    /** Every password and JAAS line is read from a mounted Secret by the config provider, never written out. */
    private static void assertNoSecretIsWrittenOut(String name, Map<String, String> settings) {
        settings.forEach((k, v) -> {
            if (k.endsWith(".password") || k.equals(SaslConfigs.SASL_JAAS_CONFIG)) {
                Matcher m = PROVIDED.matcher(v);
                assertThat(m.matches()).as("%s: %s reads a mounted Secret, got %s", name, k, v).isTrue();
                assertThat(m.group(1)).as("%s: %s's provider is declared", name, k).isEqualTo(settings.get("config.providers"));
            }
        });
        String provider = settings.get("config.providers");
        assertThat(settings.get("config.providers." + provider + ".class")).as(name)
                .isEqualTo("org.apache.kafka.common.config.provider.DirectoryConfigProvider");
    }

    /** The directories of the files the settings name: store locations, and what the config provider reads. */
    private static Set<String> directoriesRead(Map<String, String> settings) {
        Set<String> dirs = new LinkedHashSet<>();
        settings.forEach((k, v) -> {
            if (k.endsWith(".location")) {
                dirs.add(Path.of(v).getParent().toString());
            }
            Matcher m = PROVIDED.matcher(v);
            if (m.matches()) {
                dirs.add(m.group(2));
            }
        });
        return dirs;
    }

    // --- reading the rendered documents ---

    private static void grant(Set<Grant> into, String user, String topic, AclOperation... operations) {
        for (AclOperation op : operations) {
            into.add(new Grant(user, new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL), op));
        }
    }

    /** The rendered KafkaUsers' rules as grants; any rule that is not an allow on a literal topic from any host fails. */
    private static Set<Grant> grants(List<JsonNode> docs) {
        Set<Grant> grants = new LinkedHashSet<>();
        for (JsonNode user : kind(docs, "KafkaUser")) {
            for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
                assertThat(acl.path("type").asText("allow")).as("%s: rule type", name(user)).isEqualTo("allow");
                assertThat(acl.path("host").asText("*")).as("%s: rule host", name(user)).isEqualTo("*");
                JsonNode resource = acl.path("resource");
                assertThat(resource.path("type").asText()).as("%s: only topics (no group, cluster or transactionalId)",
                        name(user)).isEqualTo("topic");
                assertThat(resource.path("patternType").asText("literal")).as("%s: literal names only", name(user))
                        .isEqualTo("literal");
                for (JsonNode op : acl.path("operations")) {
                    grant(grants, name(user), resource.path("name").asText(),
                            org.apache.kafka.common.utils.SecurityUtils.operation(op.asText()));
                }
            }
        }
        return grants;
    }

    private static String sidecarYaml(List<JsonNode> docs) {
        return configYaml(docs, "jwt-sidecar-config");
    }

    private static String configYaml(List<JsonNode> docs, String configMap) {
        JsonNode map = docs.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")
                && name(d).equals(configMap)).findFirst().orElseThrow();
        String yaml = map.path("data").path("sidecar.yaml").asText(null);
        assertThat(yaml).as("sidecar.yaml in ConfigMap %s", configMap).isNotNull();
        return yaml;
    }

    /** The shipped sidecar.yaml as the sidecar loads it (its own loader, no environment). */
    private static SidecarConfig sidecarConfig(List<JsonNode> docs) {
        return new ConfigLoader(Map.of()).parse(sidecarYaml(docs), Path.of("/config"));
    }

    private static JsonNode withoutKafkaClientSettings(String yaml) {
        try {
            JsonNode tree = new YAMLMapper().readTree(yaml);
            ((ObjectNode) tree.path("kafka")).remove(List.of("consumer", "producer"));
            return tree;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<JsonNode> kind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    private static String name(JsonNode resource) {
        return resource.path("metadata").path("name").asText();
    }

    private static Set<String> fields(JsonNode node) {
        Set<String> names = new LinkedHashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Stream<Path> walk(Path dir) {
        try {
            return Files.walk(dir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return ""; // a binary file cannot name an API version
        }
    }
}
