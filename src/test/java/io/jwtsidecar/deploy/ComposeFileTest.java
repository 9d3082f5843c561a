package io.jwtsidecar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jwtsidecar.config.ConfigKey;
import io.jwtsidecar.config.ConfigKeys;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.SidecarConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml is checked without Docker: it parses, has the promised services, and what
 * it says about the sidecars (environment, mounted configuration, ports) agrees with the
 * sidecar's own configuration keys and with the nginx template.
 */
class ComposeFileTest {
    private static JsonNode services;

    @BeforeAll
    static void parse() throws Exception {
        // SnakeYAML resolves anchors and compose's merge keys (<<: *sidecar); Jackson's YAML reader does not.
        Object root = new org.yaml.snakeyaml.Yaml().load(Files.readString(Path.of("docker-compose.yml")));
        services = new ObjectMapper().valueToTree(root).get("services");
    }

    private static JsonNode service(String name) {
        JsonNode s = services.get(name);
        assertThat(s).as("service %s", name).isNotNull();
        return s;
    }

    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new HashMap<>();
        JsonNode e = service.get("environment");
        if (e != null) {
            e.fields().forEachRemaining(f -> env.put(f.getKey(), f.getValue().asText()));
        }
        return env;
    }

    @Test
    void the_stack_has_a_broker_topic_init_two_services_with_sidecars_and_nginx() {
        Set<String> names = new java.util.TreeSet<>();
        services.fieldNames().forEachRemaining(names::add);

        assertThat(names).containsExactlyInAnyOrder("kafka", "topics", "orders", "orders-sidecar", "billing",
                "billing-sidecar", "nginx");
        assertThat(service("topics").get("command").get(0).asText()).isEqualTo("topic");
        assertThat(service("nginx").get("image").asText()).startsWith("nginx:");
    }

    @Test
    void sidecar_environment_variables_are_configuration_keys_the_sidecar_knows() {
        Set<String> known = ConfigKeys.ALL.stream().map(ConfigKey::envName).collect(Collectors.toSet());
        for (String name : List.of("orders-sidecar", "billing-sidecar", "topics")) {
            for (String var : environment(service(name)).keySet()) {
                if (var.startsWith("JWT_SIDECAR_")) {
                    assertThat(known).as("%s sets %s", name, var).contains(var);
                }
            }
        }
    }

    @Test
    void the_mounted_sidecar_configuration_loads_and_matches_the_stack() throws Exception {
        JsonNode sidecar = service("orders-sidecar");
        Map<String, String> env = new HashMap<>();
        environment(sidecar).forEach((k, v) -> env.put(k, v.replaceAll("\\$\\{ADMIN_TOKEN:-(.*)}", "$1")));

        SidecarConfig config = new ConfigLoader(env).load(Path.of("deploy/compose/sidecar.yaml"));

        assertThat(config.sidecarId()).isEqualTo("orders-sidecar");
        assertThat(config.kafka().bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(environment(service("kafka")).get("KAFKA_ADVERTISED_LISTENERS")).contains("kafka:9092");
        assertThat(config.adminToken()).isPresent();
        String nginx = Files.readString(Path.of("deploy/compose/nginx.conf.template"));
        assertThat(nginx).contains("orders-sidecar:" + config.api().port() + "/v1/authz")
                .contains("billing-sidecar:" + config.api().port() + "/v1/authz");
        assertThat(sidecar.get("volumes").toString()).contains("deploy/compose/sidecar.yaml:/config/sidecar.yaml");
    }

    @Test
    void only_nginx_is_published_to_the_world_and_the_admin_api_only_on_loopback() {
        services.fieldNames().forEachRemaining(name -> {
            JsonNode ports = service(name).get("ports");
            if (ports == null) {
                return;
            }
            for (JsonNode p : ports) {
                if (!name.equals("nginx")) {
                    assertThat(p.asText()).as("%s publishes %s", name, p.asText()).startsWith("127.0.0.1:");
                }
            }
        });
        assertThat(service("nginx").get("ports").get(0).asText())
                .isEqualTo("8080:" + environment(service("nginx")).get("LISTEN_PORT"));
    }
}
