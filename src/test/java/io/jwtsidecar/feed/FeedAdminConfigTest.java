package io.jwtsidecar.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.provider.DirectoryConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feed's admin client (partition counts, log end offsets) is made from the consumer's
 * settings, keeping only the admin's own: the Kafka config providers that the shipped Kubernetes
 * configuration reads its keystore passwords through must survive that filter.
 */
class FeedAdminConfigTest {

    @Test
    void a_password_read_through_a_config_provider_resolves_in_the_feeds_admin_client(@TempDir Path secret) throws Exception {
        Files.writeString(secret.resolve("ca.password"), "from-the-mounted-secret");
        Map<String, Object> consumer = Map.of(
                "bootstrap.servers", "broker:9093",
                "security.protocol", "SSL",
                "config.providers", "secrets",
                "config.providers.secrets.class", DirectoryConfigProvider.class.getName(),
                "config.providers.secrets.param.allowed.paths", secret.toString(),
                SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, "${secrets:" + secret + ":ca.password}",
                "max.poll.records", "10");

        Map<String, Object> admin = RevocationFeed.adminConfig(consumer, "feed-admin");

        assertThat(new AdminClientConfig(admin).getPassword(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG).value())
                .isEqualTo("from-the-mounted-secret");
        assertThat(admin).as("consumer-only settings stay out").doesNotContainKey("max.poll.records")
                .containsEntry("security.protocol", "SSL");
    }
}
