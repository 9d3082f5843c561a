package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.SelfSignedTls;
import io.jwtsidecar.testing.TestSidecars;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The admin API over HTTPS with mutual TLS: a certificate from the client CA and a bearer credential, both. */
class AdminTlsIT {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    Path dir;

    private static HttpResponse<String> revoke(HttpClient client, int port) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/v1/revocations"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"scope\":\"sub\",\"issuer\":\"" + ISSUER
                        + "\",\"value\":\"alice\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void only_clients_with_a_certificate_from_the_client_ca_reach_the_admin_api() throws Exception {
        SelfSignedTls server = SelfSignedTls.generate(dir, "server");
        SelfSignedTls client = SelfSignedTls.generate(dir, "client");
        SelfSignedTls stranger = SelfSignedTls.generate(dir, "stranger");
        String yaml = TestSidecars.yaml("tls", kafka.bootstrapServers(), dir.resolve("store"), true)
                .replace("admin:\n  port: 0\n", "admin:\n  port: 0\n  tlsCertFile: " + server.certFile()
                        + "\n  tlsKeyFile: " + server.keyFile() + "\n  tlsClientCaFile: " + client.certFile() + "\n");
        try (Sidecar s = Sidecar.start(new ConfigLoader(Map.of()).parse(yaml, dir), MutableClock.atNow())) {
            s.feedCaughtUp().get();
            int port = s.adminPort().orElseThrow();

            HttpResponse<String> ok = revoke(HttpClient.newBuilder().sslContext(client.presentingItTrusting(server)).build(),
                    port);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);

            assertThrows(IOException.class, () -> revoke(HttpClient.newBuilder().sslContext(server.trustingIt()).build(),
                    port), "no client certificate");
            assertThrows(IOException.class, () -> revoke(HttpClient.newBuilder()
                    .sslContext(stranger.presentingItTrusting(server)).build(), port), "a certificate from another CA");
            assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/v1/dead-letters")).build(),
                    HttpResponse.BodyHandlers.ofString()), "plain HTTP");
        }
    }

    @Test
    void a_client_ca_without_a_server_certificate_is_a_configuration_error() {
        String yaml = TestSidecars.yaml("bad", kafka.bootstrapServers(), dir.resolve("bad"), true)
                .replace("admin:\n  port: 0\n", "admin:\n  port: 0\n  tlsClientCaFile: ca.pem\n");

        var e = assertThrows(io.jwtsidecar.config.ConfigException.class, () -> new ConfigLoader(Map.of()).parse(yaml, dir));

        assertThat(e.errors()).anySatisfy(m -> assertThat(m).startsWith("admin.tlsClientCaFile: 'ca.pem' needs"));
    }
}
