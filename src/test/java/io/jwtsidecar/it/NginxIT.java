package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real nginx (the Debian package; .ci/run installs it) in front of a tiny upstream, running
 * the shipped deploy/proxies/nginx configuration with auth_request to a real sidecar.
 */
class NginxIT {
    private static final Path NGINX = Path.of("/usr/sbin/nginx");

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** An upstream that answers with the identity headers it received. */
    private static HttpServer upstream() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String body = "subject=" + ex.getRequestHeaders().getFirst("X-Auth-Subject")
                    + " issuer=" + ex.getRequestHeaders().getFirst("X-Auth-Issuer")
                    + " claims=" + ex.getRequestHeaders().getFirst("X-Auth-Claims");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server;
    }

    private Process nginx(int listen, int sidecar, int upstream) throws Exception {
        assertThat(NGINX).as("nginx is needed for this test: apt-get install nginx-light (as .ci/run does)").exists();
        String site = Files.readString(Path.of("deploy/proxies/nginx/default.conf.template"))
                .replace("${LISTEN_PORT}", "127.0.0.1:" + listen)
                .replace("${JWT_SIDECAR_ADDR}", "127.0.0.1:" + sidecar)
                .replace("${UPSTREAM_ADDR}", "127.0.0.1:" + upstream);
        Files.writeString(dir.resolve("site.conf"), site);
        for (String temp : List.of("body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            Files.createDirectories(dir.resolve(temp));
        }
        Files.writeString(dir.resolve("nginx.conf"), "daemon off;\nworker_processes 1;\npid " + dir.resolve("nginx.pid")
                + ";\nerror_log " + dir.resolve("error.log") + " warn;\nevents { worker_connections 64; }\nhttp {\n"
                + "  access_log off;\n  client_body_temp_path " + dir.resolve("body") + ";\n  proxy_temp_path "
                + dir.resolve("proxy") + ";\n  fastcgi_temp_path " + dir.resolve("fastcgi") + ";\n  uwsgi_temp_path "
                + dir.resolve("uwsgi") + ";\n  scgi_temp_path " + dir.resolve("scgi") + ";\n  include "
                + dir.resolve("site.conf") + ";\n}\n");
        return new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
    }

    @Test
    void nginx_passes_good_tokens_with_identity_headers_and_refuses_revoked_and_missing_ones() throws Exception {
        MutableClock clock = MutableClock.atNow();
        HttpServer upstream = upstream();
        int listen = freePort();
        try (Sidecar s = TestSidecars.startReady("n", kafka.bootstrapServers(), dir.resolve("store"), true, clock)) {
            Process nginx = nginx(listen, s.apiPort(), upstream.getAddress().getPort());
            try {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                URI uri = URI.create("http://127.0.0.1:" + listen + "/orders/42");
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                        client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()) != null);
                String alice = token("alice", clock.epochSecond() - 60);

                HttpResponse<String> good = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + alice)
                        .header("X-Auth-Subject", "spoofed-admin").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(good.statusCode()).isEqualTo(200);
                assertThat(good.body()).contains("subject=alice").contains("issuer=" + ISSUER)
                        .doesNotContain("spoofed-admin").doesNotContain("claims=null");

                HttpResponse<String> none = client.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(none.statusCode()).isEqualTo(401);
                assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"jwt-sidecar\"");

                assertThat(Http.postJson(s.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                        "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"alice\"}").statusCode()).isEqualTo(202);
                HttpResponse<String> revoked = client.send(HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + alice).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(revoked.statusCode()).isEqualTo(401);
                assertThat(revoked.headers().firstValue("WWW-Authenticate").orElseThrow())
                        .contains("error_description=\"revoked\"");
                assertThat(revoked.body()).doesNotContain("subject=");
            } finally {
                nginx.destroy();
                nginx.waitFor(10, TimeUnit.SECONDS);
                upstream.stop(0);
            }
        }
    }
}
