package io.jwtsidecar.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * Directories holding what a pod sees when Strimzi's Secrets are mounted as volumes: one file per
 * key, named as Strimzi names the keys (its User Operator and its cluster CA), each holding the
 * decoded value. Certificates are made with the JDK's keytool; passwords are random, as Strimzi's
 * are, so nothing can pass by guessing one.
 */
public final class StrimziSecrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private StrimziSecrets() {
    }

    /**
     * The Secret of a KafkaUser with {@code authentication: {type: tls}}: user.p12 (the key and
     * certificate, CN=<user>) and user.password (its password), user.crt and user.key (the same as
     * PEM) and ca.crt (the clients CA; here the user's own certificate stands in for it).
     *
     * @return the user's certificate
     */
    public static X509Certificate tlsUser(Path dir, String user) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String password = password();
        Path p12 = dir.resolve("user.p12");
        Files.deleteIfExists(p12);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", user, "-keyalg", "EC",
                "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-dname", "CN=" + user, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", password, "-keypass", password)
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        try (InputStream in = Files.newInputStream(p12)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            X509Certificate cert = (X509Certificate) ks.getCertificate(user);
            PrivateKey key = (PrivateKey) ks.getKey(user, password.toCharArray());
            Files.writeString(dir.resolve("user.password"), password);
            Files.writeString(dir.resolve("user.crt"), pem("CERTIFICATE", cert.getEncoded()));
            Files.writeString(dir.resolve("user.key"), pem("PRIVATE KEY", key.getEncoded()));
            Files.writeString(dir.resolve("ca.crt"), pem("CERTIFICATE", cert.getEncoded()));
            return cert;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Error reading the keystore keytool wrote at " + p12, e);
        }
    }

    /** The Secret of a KafkaUser with {@code authentication: {type: scram-sha-512}}: password and sasl.jaas.config. */
    public static void scramUser(Path dir, String user) throws IOException {
        Files.createDirectories(dir);
        String password = password();
        Files.writeString(dir.resolve("password"), password);
        Files.writeString(dir.resolve("sasl.jaas.config"), "org.apache.kafka.common.security.scram.ScramLoginModule "
                + "required username=\"" + user + "\" password=\"" + password + "\";");
    }

    /** The cluster CA certificate Secret ({@code <cluster>-cluster-ca-cert}): ca.p12, a trust store holding {@code ca}, ca.password and ca.crt. */
    public static void clusterCa(Path dir, X509Certificate ca) throws IOException {
        Files.createDirectories(dir);
        String password = password();
        try (OutputStream out = Files.newOutputStream(dir.resolve("ca.p12"))) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca.crt", ca);
            ks.store(out, password.toCharArray());
            Files.writeString(dir.resolve("ca.password"), password);
            Files.writeString(dir.resolve("ca.crt"), pem("CERTIFICATE", ca.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Error writing a trust store in " + dir, e);
        }
    }

    private static String password() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
