package io.jwtsidecar.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made with the JDK's own keytool (so
 * the tests need no openssl) and written as the PEM files a TLS server reads.
 *
 * @param certFile    the certificate, PEM
 * @param keyFile     its private key, PEM PKCS#8
 * @param certificate the certificate itself, to trust it and to recognise it
 */
public record SelfSignedTls(Path certFile, Path keyFile, X509Certificate certificate) {
    private static final char[] PASSWORD = "test-only".toCharArray();

    /** Generates a fresh EC P-256 pair in {@code dir}, writing {@code <name>.crt} and {@code <name>.key}. */
    public static SelfSignedTls generate(Path dir, String name) throws IOException, InterruptedException {
        Path store = dir.resolve(name + ".p12");
        Files.deleteIfExists(store);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "tls", "-keyalg", "EC",
                "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-dname", "CN=" + name,
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD);
            PrivateKey key = (PrivateKey) ks.getKey("tls", PASSWORD);
            X509Certificate cert = (X509Certificate) ks.getCertificate("tls");
            Path certFile = dir.resolve(name + ".crt");
            Path keyFile = dir.resolve(name + ".key");
            Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
            Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
            return new SelfSignedTls(certFile, keyFile, cert);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Error reading the keystore keytool wrote at " + store, e);
        }
    }

    /** A client context that trusts exactly this certificate. */
    public SSLContext trustingIt() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Error building a trust store for " + certFile, e);
        }
    }

    /** A client context that trusts {@code server} and presents this certificate (mutual TLS). */
    public SSLContext presentingItTrusting(SelfSignedTls server) {
        try {
            Path p12 = certFile.resolveSibling(certFile.getFileName().toString().replace(".crt", ".p12"));
            KeyStore identity = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                identity.load(in, PASSWORD);
            }
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(identity, PASSWORD);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", server.certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Error building a client identity from " + certFile, e);
        }
    }

    /**
     * As {@link #presentingItTrusting}, but offering this certificate whatever CAs the server names
     * as acceptable: the JDK's own key manager would send none that the server's CAs did not sign,
     * so a test could not see the server refuse it. A careless or hostile client does send it.
     */
    public SSLContext presentingItAnywayTrusting(SelfSignedTls server) {
        try {
            Path p12 = certFile.resolveSibling(certFile.getFileName().toString().replace(".crt", ".p12"));
            KeyStore identity = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                identity.load(in, PASSWORD);
            }
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
            kmf.init(identity, PASSWORD);
            javax.net.ssl.X509ExtendedKeyManager keys = (javax.net.ssl.X509ExtendedKeyManager) kmf.getKeyManagers()[0];
            String alias = "tls";
            javax.net.ssl.X509ExtendedKeyManager always = new javax.net.ssl.X509ExtendedKeyManager() {
                @Override
                public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
                    return new String[] {alias};
                }

                @Override
                public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
                    return alias;
                }

                @Override
                public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers,
                                                      javax.net.ssl.SSLEngine engine) {
                    return alias;
                }

                @Override
                public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
                    return new String[0];
                }

                @Override
                public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
                    return null;
                }

                @Override
                public X509Certificate[] getCertificateChain(String a) {
                    return keys.getCertificateChain(a);
                }

                @Override
                public PrivateKey getPrivateKey(String a) {
                    return keys.getPrivateKey(a);
                }
            };
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", server.certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new javax.net.ssl.KeyManager[] {always}, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Error building a client identity from " + certFile, e);
        }
    }

    /** The same certificate as a generic {@link Certificate}, for comparing with a peer's. */
    public Certificate asCertificate() {
        return certificate;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
