package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawHttp;
import io.jwtsidecar.testing.SelfSignedTls;
import io.jwtsidecar.testing.TestSidecars;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar API over its own TLS (api.tlsCertFile), with client certificates for tokens bound
 * to one (RFC 8705): real handshakes from the JDK's clients, certificates made by keytool. The
 * certificate of the connection decides for a bound token; a bearer token does not need one;
 * {@code require} and a client CA are enforced by the handshake itself; from a trusted proxy the
 * header names the client and the proxy's own certificate names nobody, and from any other peer
 * the connection's certificate decides and the header counts for nothing.
 */
class ApiTlsIT {
    private static final String XFCC = "X-Forwarded-Client-Cert";
    private static final List<String> PATHS = List.of("/v1/verify", "/v1/authz");

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.atNow();
    private SelfSignedTls server;
    private SelfSignedTls client;
    private SelfSignedTls other;
    private String bound;
    private String bearer;

    @BeforeEach
    void certificatesAndTokens() throws Exception {
        server = SelfSignedTls.generate(dir, "server");
        client = SelfSignedTls.generate(dir, "client");
        other = SelfSignedTls.generate(dir, "other");
        String thumbprint = Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(client));
        bound = token("alice", clock.epochSecond() - 10, Map.of("cnf", Map.of("x5t#S256", thumbprint)));
        bearer = token("bob", clock.epochSecond() - 10);
    }

    @Test
    void self_signed_binding_with_request_takes_any_certificate_and_the_token_decides() throws Exception {
        String api = "  tlsClientAuth: request\n";
        try (Sidecar s = start("request", api)) {
            HttpClient mine = clientWith(client.presentingItTrusting(server));
            HttpClient theirs = clientWith(other.presentingItTrusting(server));
            HttpClient none = clientWith(server.trustingIt());
            for (String path : PATHS) {
                assertThat(get(mine, s, path, bound).statusCode()).as(path + " bound, its certificate").isEqualTo(200);
                assertRefused(get(theirs, s, path, bound), path + " bound, another certificate", "certificate_mismatch");
                assertRefused(get(none, s, path, bound), path + " bound, no certificate", "certificate_missing");
                assertThat(get(none, s, path, bearer).statusCode()).as(path + " bearer, no certificate").isEqualTo(200);
                assertThat(get(theirs, s, path, bearer).statusCode()).as(path + " bearer, a certificate").isEqualTo(200);
            }
        }
    }

    @Test
    void require_refuses_a_client_without_a_certificate_in_the_handshake() throws Exception {
        try (Sidecar s = start("require", "  tlsClientAuth: require\n")) {
            assertThat(get(clientWith(client.presentingItTrusting(server)), s, "/v1/verify", bound).statusCode())
                    .as("self-signed certificate, bound to it").isEqualTo(200);

            assertThrows(IOException.class, () -> get(clientWith(server.trustingIt()), s, "/v1/verify", bearer),
                    "no client certificate, even for a bearer token");
        }
    }

    @Test
    void with_a_client_ca_only_its_certificates_pass_the_handshake() throws Exception {
        // client.crt is its own CA: a certificate it signed is itself.
        String api = "  tlsClientAuth: require\n  tlsClientCaFile: " + client.certFile() + "\n";
        try (Sidecar s = start("pki", api)) {
            for (String path : PATHS) {
                assertThat(get(clientWith(client.presentingItTrusting(server)), s, path, bound).statusCode())
                        .as(path + " a certificate from the CA").isEqualTo(200);
                assertThrows(IOException.class, () -> get(clientWith(other.presentingItAnywayTrusting(server)), s, path,
                        bearer), path + " a certificate the CA did not sign");
            }
        }
    }

    @Test
    void a_trusted_proxy_speaks_for_its_client_and_its_own_certificate_names_nobody() throws Exception {
        String api = "  tlsClientAuth: request\n";
        String authz = "authz:\n  clientCertHeader: " + XFCC + "\n  trustedProxies: [127.0.0.1]\n";
        String naming = XFCC + ": Hash=" + HexFormat.of().formatHex(sha256(client));
        String namingOther = XFCC + ": Hash=" + HexFormat.of().formatHex(sha256(other));
        String noHeader = "X-Nothing: here";
        InetAddress trusted = InetAddress.getByName("127.0.0.1");
        InetAddress untrusted = InetAddress.getByName("127.0.0.2");
        try (Sidecar s = start("proxied", api, authz)) {
            int port = s.apiPort();
            for (String path : PATHS) {
                assertThat(overTls(other.presentingItTrusting(server), trusted, port, path, bound, naming).status())
                        .as(path + " the proxy's own certificate on the connection, the client's in its header").isEqualTo(200);
                // A mesh proxy whose own certificate is the one a token is bound to must not make that
                // token good for every client it forwards.
                assertRefused(overTls(client.presentingItTrusting(server), trusted, port, path, bound, namingOther),
                        path + " the proxy holds the bound certificate, its header names another client",
                        "certificate_mismatch");
                assertRefused(overTls(client.presentingItTrusting(server), trusted, port, path, bound, noHeader),
                        path + " the proxy holds the bound certificate and names no client", "certificate_missing");
                assertRefused(overTls(server.trustingIt(), untrusted, port, path, bound, naming),
                        path + " no certificate, the header from an untrusted peer", "certificate_missing");
                assertThat(overTls(client.presentingItTrusting(server), untrusted, port, path, bound, namingOther).status())
                        .as(path + " a client's own connection decides; its header counts for nothing").isEqualTo(200);
                assertThat(overTls(server.trustingIt(), trusted, port, path, bound, naming).status())
                        .as(path + " no certificate, the header from a trusted proxy").isEqualTo(200);
            }
        }
    }

    private Sidecar start(String id, String apiLines) throws Exception {
        return start(id, apiLines, "");
    }

    private Sidecar start(String id, String apiLines, String more) throws Exception {
        String yaml = TestSidecars.yaml(id, kafka.bootstrapServers(), dir.resolve(id), false)
                .replace("api:\n  port: 0\n", "api:\n  port: 0\n  tlsCertFile: " + server.certFile() + "\n  tlsKeyFile: "
                        + server.keyFile() + "\n" + apiLines) + more;
        return TestSidecars.startReady(TestSidecars.parse(yaml, dir.resolve(id)), clock);
    }

    private static HttpClient clientWith(SSLContext context) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(context).build();
    }

    private static HttpResponse<String> get(HttpClient http, Sidecar s, String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + s.apiPort() + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefused(HttpResponse<String> r, String row, String code) {
        assertThat(r.statusCode()).as(row + ": " + r.body()).isEqualTo(401);
        assertThat(r.headers().allValues("WWW-Authenticate")).as(row)
                .anySatisfy(h -> assertThat(h).contains("error=\"invalid_token\"").contains(code));
    }

    private static void assertRefused(RawHttp.Response r, String row, String code) {
        assertThat(r.status()).as(row + ": " + r).isEqualTo(401);
        assertThat(r.all("WWW-Authenticate")).as(row)
                .anySatisfy(h -> assertThat(h).contains("error=\"invalid_token\"").contains(code));
    }

    /** One request over TLS from the local address {@code from}: the HTTP client cannot choose it. */
    private static RawHttp.Response overTls(SSLContext context, InetAddress from, int port, String path, String token,
                                            String header) throws IOException {
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + token
                + "\r\n" + header + "\r\nConnection: close\r\n\r\n";
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getByName("127.0.0.1"), port,
                from, 0)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return RawHttp.readResponse(socket.getInputStream());
        }
    }

    private static byte[] sha256(SelfSignedTls tls) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(tls.certificate().getEncoded());
    }
}
