package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jwtsidecar.testing.SelfSignedTls;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Self-signed binding's trust: any client chain, but a chain there must be, and never a server's. */
class AnyClientCertificateTest {
    private final AnyClientCertificate trust = new AnyClientCertificate();

    @TempDir
    Path dir;

    @Test
    void a_self_signed_client_certificate_is_taken() throws Exception {
        X509Certificate mine = SelfSignedTls.generate(dir, "client").certificate();

        trust.checkClientTrusted(new X509Certificate[] {mine}, "ECDHE_ECDSA");
    }

    @Test
    void an_empty_chain_is_not_a_certificate() {
        assertThrows(CertificateException.class, () -> trust.checkClientTrusted(new X509Certificate[0], "ECDHE_ECDSA"));
        assertThrows(CertificateException.class, () -> trust.checkClientTrusted(null, "ECDHE_ECDSA"));
    }

    @Test
    void it_never_trusts_a_server() throws Exception {
        X509Certificate server = SelfSignedTls.generate(dir, "server").certificate();

        assertThrows(CertificateException.class, () -> trust.checkServerTrusted(new X509Certificate[] {server}, "ECDHE_ECDSA"));
    }

    @Test
    void it_names_no_acceptable_issuer_so_a_client_may_offer_any_certificate() {
        assertThat(trust.getAcceptedIssuers()).isEmpty();
    }
}
