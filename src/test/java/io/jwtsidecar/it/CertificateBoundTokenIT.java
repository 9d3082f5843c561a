package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawHttp;
import io.jwtsidecar.testing.SelfSignedTls;
import io.jwtsidecar.testing.TestSidecars;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 8705 §3 through a real sidecar: a token bound to a client certificate passes
 * {@code /v1/verify} and {@code /v1/authz} only with that certificate in
 * {@code authz.clientCertHeader} from a trusted proxy address; otherwise 401
 * {@code invalid_token} with its own verdict. A request from another address carrying the
 * header is judged as if it had none.
 */
class CertificateBoundTokenIT {
    private static final String XFCC = "X-Forwarded-Client-Cert";

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    Path dir;

    @Test
    void a_bound_token_needs_its_certificate_from_a_trusted_proxy() throws Exception {
        MutableClock clock = MutableClock.atNow();
        SelfSignedTls client = SelfSignedTls.generate(dir, "client");
        SelfSignedTls other = SelfSignedTls.generate(dir, "other");
        byte[] mine = MessageDigest.getInstance("SHA-256").digest(client.certificate().getEncoded());
        String theirs = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(other.certificate().getEncoded()));
        String thumbprint = Base64.getUrlEncoder().withoutPadding().encodeToString(mine);
        String bound = "Authorization: Bearer " + token("alice", clock.epochSecond() - 10,
                Map.of("cnf", Map.of("x5t#S256", thumbprint)));
        String bearer = "Authorization: Bearer " + token("bob", clock.epochSecond() - 10);
        String hash = XFCC + ": By=spiffe://rs;Hash=" + HexFormat.of().formatHex(mine) + ";Subject=\"CN=client\"";
        String pem = XFCC + ": " + URLEncoder.encode(Files.readString(client.certFile()), StandardCharsets.UTF_8)
                .replace("+", "%20");

        String yaml = TestSidecars.yaml("mtls", kafka.bootstrapServers(), dir.resolve("data"), false)
                + "authz:\n  clientCertHeader: " + XFCC + "\n  trustedProxies: [127.0.0.1, \"::1\"]\n";
        try (Sidecar s = TestSidecars.startReady(TestSidecars.parse(yaml, dir.resolve("data")), clock)) {
            int port = s.apiPort();
            for (String path : new String[] {"/v1/verify", "/v1/authz"}) {
                assertThat(RawHttp.send(port, "GET", path, bound, hash).status()).as(path + " XFCC Hash").isEqualTo(200);
                assertThat(RawHttp.send(port, "GET", path, bound, pem).status()).as(path + " escaped PEM").isEqualTo(200);
                assertThat(RawHttp.send(port, "GET", path, bearer).status()).as(path + " bearer").isEqualTo(200);
                assertRefused(RawHttp.send(port, "GET", path, bound), path + " no certificate", "certificate_missing");
                assertRefused(RawHttp.send(port, "GET", path, bound, XFCC + ": Hash=" + theirs), path + " another certificate",
                        "certificate_mismatch");
                assertRefused(fromUntrustedAddress(port, path, bound, hash), path + " header from an untrusted address",
                        "certificate_missing");
            }
        }
    }

    private static void assertRefused(RawHttp.Response r, String row, String code) {
        assertThat(r.status()).as(row).isEqualTo(401);
        assertThat(r.all("WWW-Authenticate")).as(row)
                .anySatisfy(h -> assertThat(h).contains("error=\"invalid_token\"").contains(code));
    }

    /** The same request from 127.0.0.2, an address the sidecar does not trust. */
    private static RawHttp.Response fromUntrustedAddress(int port, String path, String... headers) throws IOException {
        StringBuilder request = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String h : headers) {
            request.append(h).append("\r\n");
        }
        request.append("Connection: close\r\n\r\n");
        try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName("127.0.0.2"), 0)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return RawHttp.readResponse(socket.getInputStream());
        }
    }
}
