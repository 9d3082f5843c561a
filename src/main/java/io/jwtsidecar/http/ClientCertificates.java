package io.jwtsidecar.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jspecify.annotations.Nullable;

/**
 * The client certificate of a request, as the SHA-256 of its DER encoding, for certificate-bound
 * tokens (RFC 8705 §3). Who the TCP peer is decides where it comes from:
 * <ul>
 *   <li>one of {@code authz.trustedProxies} (the peer address, never a forwarded one), with
 *       {@code authz.clientCertHeader} set: the header, which the TLS-terminating proxy set for
 *       the client it forwards. A certificate on the proxy's own connection to the sidecar is
 *       the proxy's, never the client's: taking it would make a token bound to the proxy's
 *       certificate good for every client behind it. No header (or an unusable one): none.</li>
 *   <li>any other peer: the certificate it presented on its own TLS connection (the sidecar API
 *       with {@code api.tlsCertFile} and {@code api.tlsClientAuth} request or require; the
 *       handshake proved it holds the private key). A header from it is ignored, TLS or not, so a
 *       client cannot name a certificate it does not hold; without a certificate, a bound token
 *       is refused ({@code certificate_missing}).</li>
 * </ul>
 *
 * <p>The header is either Envoy's {@code X-Forwarded-Client-Cert} (XFCC: exactly one element;
 * its {@code Hash=} hex SHA-256, else its {@code Cert=} URL-encoded PEM) or a URL-encoded PEM
 * certificate (nginx {@code $ssl_client_escaped_cert}, Caddy, Traefik). A header with several
 * XFCC elements (certificates of several hops), or one that does not parse, gives no
 * certificate: fail closed.
 *
 * <p>Only asked for a bound token: the bearer path never parses the header. Immutable and
 * thread-safe; called on event loops (no blocking: no DNS, addresses are literals).
 */
public final class ClientCertificates {
    private static final ClientCertificates NONE = new ClientCertificates(null, Set.of());

    private final @Nullable String header;
    private final Set<InetAddress> trustedProxies;

    /**
     * @param header         the request header a trusted proxy puts the certificate in, or null
     * @param trustedProxies the peer addresses whose header is believed
     */
    public ClientCertificates(@Nullable String header, Set<InetAddress> trustedProxies) {
        this.header = header;
        this.trustedProxies = Set.copyOf(trustedProxies);
    }

    /** No header: only a certificate on the request's own TLS connection. */
    public static ClientCertificates withoutHeader() {
        return NONE;
    }

    /** The SHA-256 of the DER of the request's client certificate, or null when it has none. */
    byte @Nullable [] sha256(HttpServerRequest request) {
        if (header != null && fromTrustedProxy(request.remoteAddress())) {
            // The proxy speaks for its client; a certificate on its own connection is the proxy's,
            // and taking it would bind every client it forwards to the proxy's identity.
            List<String> values = request.headers().getAll(header);
            return values.size() == 1 ? fromHeader(values.get(0)) : null;
        }
        if (request.isSSL()) {
            try {
                List<Certificate> peer = request.connection().peerCertificates();
                if (peer != null && !peer.isEmpty()) {
                    return sha256Of(peer.get(0).getEncoded());
                }
            } catch (SSLPeerUnverifiedException e) {
                return null; // no client certificate on this connection
            } catch (GeneralSecurityException e) {
                return null;
            }
        }
        return null;
    }

    private boolean fromTrustedProxy(@Nullable SocketAddress peer) {
        if (peer == null || trustedProxies.isEmpty()) {
            return false;
        }
        String host = peer.hostAddress();
        if (host == null || host.isEmpty()) {
            return false;
        }
        try {
            // A literal address from the socket: no name lookup happens.
            return trustedProxies.contains(InetAddress.getByName(host));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * The certificate's SHA-256 from a header value (XFCC or URL-encoded PEM), or null when it
     * names none, names several, or does not parse.
     */
    static byte @Nullable [] fromHeader(String value) {
        String v = value.trim();
        if (v.isEmpty()) {
            return null;
        }
        if (v.startsWith("-----BEGIN") || v.regionMatches(true, 0, "%2D%2D%2D%2D%2DBEGIN", 0, 20)) {
            return fromPem(urlDecode(v));
        }
        List<String> elements = split(v, ',');
        if (elements == null || elements.size() != 1) {
            return null;
        }
        String hash = null;
        String cert = null;
        List<String> pairs = split(elements.get(0), ';');
        if (pairs == null) {
            return null;
        }
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                return null;
            }
            String key = pair.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String val = unquote(pair.substring(eq + 1).trim());
            if (key.equals("hash")) {
                if (hash != null) {
                    return null;
                }
                hash = val;
            } else if (key.equals("cert")) {
                if (cert != null) {
                    return null;
                }
                cert = val;
            }
        }
        if (hash != null) {
            return fromHex(hash);
        }
        return cert == null ? null : fromPem(urlDecode(cert));
    }

    /** Splits on {@code sep} outside double quotes; null when a quote is left open. */
    private static @Nullable List<String> split(String s, char sep) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == sep && !quoted) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        if (quoted) {
            return null;
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    private static @Nullable String urlDecode(String v) {
        try {
            return URLDecoder.decode(v.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte @Nullable [] fromPem(@Nullable String pem) {
        if (pem == null) {
            return null;
        }
        try {
            Certificate c = CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            return sha256Of(c.getEncoded());
        } catch (GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }

    private static byte @Nullable [] fromHex(String hex) {
        if (hex.length() != 64) {
            return null;
        }
        byte[] out = new byte[32];
        for (int i = 0; i < 32; i++) {
            int hi = Character.digit(hex.charAt(2 * i), 16);
            int lo = Character.digit(hex.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    static byte[] sha256Of(byte[] der) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(der);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
