package io.jwtsidecar.testing;

import io.jwtsidecar.dev.EmbeddedKafkaCluster;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.metadata.authorizer.StandardAuthorizer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker in this JVM, for one test class, that authenticates every connection and
 * authorizes every request as a production cluster with ACLs does: both listeners speak
 * SASL_PLAINTEXT with the PLAIN mechanism, and Kafka's {@link StandardAuthorizer} allows nothing
 * that no ACL allows ({@code allow.everyone.if.no.acl.found=false}), except to the super user
 * {@value #ADMIN}, who is also the principal of the broker's own connections (to itself and to
 * the controller). No topics, no ACLs: the test makes them.
 *
 * <p>Users are defined in the listeners' JAAS configs, each with the password
 * {@code <name>-secret}. Use as
 * {@code @RegisterExtension static final SaslKafkaBroker kafka = SaslKafkaBroker.withUsers("alice", "bob");}.
 */
public final class SaslKafkaBroker implements BeforeAllCallback, AfterAllCallback {
    /** The super user: the test's admin client and the broker's own connections. */
    public static final String ADMIN = "admin";

    private final Set<String> users;
    private EmbeddedKafkaCluster cluster;

    private SaslKafkaBroker(Set<String> users) {
        this.users = users;
    }

    /** A broker that knows {@value #ADMIN} and {@code users}. */
    public static SaslKafkaBroker withUsers(String... users) {
        Set<String> all = new LinkedHashSet<>();
        all.add(ADMIN);
        all.addAll(List.of(users));
        return new SaslKafkaBroker(all);
    }

    private static String password(String user) {
        return user + "-secret";
    }

    /** The listeners' server-side login: the broker's own user, then every user and password it accepts. */
    private String serverJaas() {
        StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required")
                .append(" username=\"").append(ADMIN).append("\" password=\"").append(password(ADMIN)).append('"');
        users.forEach(u -> jaas.append(" user_").append(u).append("=\"").append(password(u)).append('"'));
        return jaas.append(';').toString();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Map<String, String> server = new HashMap<>();
        server.put("sasl.enabled.mechanisms", "PLAIN");
        server.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        server.put("sasl.mechanism.controller.protocol", "PLAIN");
        for (String listener : List.of(EmbeddedKafkaCluster.CLIENT_LISTENER, EmbeddedKafkaCluster.CONTROLLER_LISTENER)) {
            server.put("listener.name." + listener.toLowerCase(Locale.ROOT) + ".plain.sasl.jaas.config", serverJaas());
        }
        server.put("authorizer.class.name", StandardAuthorizer.class.getName());
        server.put("allow.everyone.if.no.acl.found", "false");
        server.put("super.users", "User:" + ADMIN);
        Map<String, Object> admin = new HashMap<>(clientConfig(ADMIN));
        cluster = EmbeddedKafkaCluster.start(1, Files.createTempDirectory("kafka-sasl-"),
                new EmbeddedKafkaCluster.Security(SecurityProtocol.SASL_PLAINTEXT, server, admin));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * The settings a Kafka client needs to authenticate as {@code user} (security protocol,
     * mechanism, JAAS config): for Kafka clients, or the sidecar's {@code kafka.consumer} and
     * {@code kafka.producer} passthrough sections. Without the bootstrap servers.
     */
    public Map<String, String> clientConfig(String user) {
        if (!users.contains(user)) {
            throw new IllegalArgumentException("no such user on this broker: " + user);
        }
        return Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.SASL_PLAINTEXT.name,
                SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"" + user + "\" password=\"" + password(user) + "\";");
    }

    /** {@link #clientConfig} with the bootstrap servers: ready for a Kafka client of {@code user}. */
    public Map<String, Object> connectAs(String user) {
        Map<String, Object> config = new HashMap<>(clientConfig(user));
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return config;
    }

    /** A new admin client of the super user; the caller closes it. */
    public Admin superUserAdmin() {
        return Admin.create(connectAs(ADMIN));
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The cluster, whose own admin client (topic creation) is the super user's. */
    public EmbeddedKafkaCluster cluster() {
        return cluster;
    }
}
