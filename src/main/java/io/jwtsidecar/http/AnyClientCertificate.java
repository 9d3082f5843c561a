package io.jwtsidecar.http;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * Server-side trust for RFC 8705 §2.2 (self-signed certificate binding): any client certificate
 * chain is taken, whoever signed it. The handshake still proves that the client holds the private
 * key of the certificate it presents (its CertificateVerify signature), and that is all such a
 * certificate proves: it names nobody. A token bound to it ({@code cnf} {@code x5t#S256}) is what
 * gives it meaning, so only bound tokens gain from it; a bearer token is judged as without one.
 *
 * <p>It names no acceptable issuers, so a client may offer any certificate it has. Never used to
 * trust a server. Stateless and thread-safe.
 */
final class AnyClientCertificate extends X509ExtendedTrustManager {
    private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

    @Override
    public void checkClientTrusted(X509Certificate @Nullable [] chain, @Nullable String authType)
            throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("no client certificate");
        }
        // No validity or chain check: the thumbprint in the token binds exactly this certificate,
        // and the token's own lifetime bounds how long the binding counts (RFC 8705 §3).
    }

    @Override
    public void checkClientTrusted(X509Certificate @Nullable [] chain, @Nullable String authType, @Nullable Socket socket)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate @Nullable [] chain, @Nullable String authType,
                                   @Nullable SSLEngine engine) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate @Nullable [] chain, @Nullable String authType)
            throws CertificateException {
        throw new CertificateException("trusts client certificates only");
    }

    @Override
    public void checkServerTrusted(X509Certificate @Nullable [] chain, @Nullable String authType, @Nullable Socket socket)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate @Nullable [] chain, @Nullable String authType,
                                   @Nullable SSLEngine engine) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NO_ISSUERS.clone();
    }
}
