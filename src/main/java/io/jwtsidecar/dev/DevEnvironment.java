package io.jwtsidecar.dev;

import io.jwtsidecar.token.TokenMinter;

import io.jsonwebtoken.Jwts;
import io.jwtsidecar.token.keys.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

/**
 * Everything {@code jwt-sidecar dev} needs on one machine: an embedded Kafka cluster with the
 * revocation topic, a generated ES256 dev issuer key, an admin token, a generated Ed25519 event
 * publisher key (dev requires signed events, as production should), and a configuration file
 * that the ordinary loader reads (so dev mode exercises the same path as {@code run}).
 *
 * <p>Owns the Kafka cluster; {@link #close()} stops it.
 */
public final class DevEnvironment implements AutoCloseable {
    public static final String ISSUER = "https://issuer.dev.jwt-sidecar.local";
    public static final String AUDIENCE = "dev-api";
    public static final String KID = "dev-es256";
    public static final String TOPIC = "jwt-revocations";
    public static final String STATUS_TOPIC = "jwt-revocations-status";
    public static final String PUBLISHER_KID = "dev-publisher";
    private static final int PARTITIONS = 3;
    private static final Duration RETENTION = Duration.ofDays(7);

    private final Path directory;
    private final EmbeddedKafkaCluster kafka;
    private final KeyPair issuerKeys;
    private final String adminToken;
    private final Path configFile;
    private final Path privateKeyFile;

    private DevEnvironment(Path directory, EmbeddedKafkaCluster kafka, KeyPair issuerKeys, String adminToken,
                           Path configFile, Path privateKeyFile) {
        this.directory = directory;
        this.kafka = kafka;
        this.issuerKeys = issuerKeys;
        this.adminToken = adminToken;
        this.configFile = configFile;
        this.privateKeyFile = privateKeyFile;
    }

    /**
     * Starts Kafka under {@code directory/kafka}, writes keys and {@code directory/config.yaml}.
     *
     * @param apiPort   sidecar API port for the config (0 for any free port)
     * @param adminPort admin API port for the config (0 for any free port)
     */
    public static DevEnvironment start(Path directory, int apiPort, int adminPort) {
        try {
            Files.createDirectories(directory);
            KeyPair keys = Jwts.SIG.ES256.keyPair().build();
            byte[] tokenBytes = new byte[32];
            new SecureRandom().nextBytes(tokenBytes);
            String adminToken = Base64.getUrlEncoder().withoutPadding().encodeToString(tokenBytes);

            Path publicKey = directory.resolve("dev-issuer.pem");
            Files.writeString(publicKey, Pem.encode("PUBLIC KEY", keys.getPublic().getEncoded()));
            Path privateKey = directory.resolve("dev-issuer-private.pem");
            Files.writeString(privateKey, Pem.encode("PRIVATE KEY", keys.getPrivate().getEncoded()));
            // The JDK's generator: jjwt's EdDSA pairs are Ed448, and event signatures are Ed25519 or P-256.
            KeyPair publisher = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            Files.writeString(directory.resolve("dev-publisher.pem"), Pem.encode("PUBLIC KEY", publisher.getPublic().getEncoded()));
            Files.writeString(directory.resolve("dev-publisher-private.pem"),
                    Pem.encode("PRIVATE KEY", publisher.getPrivate().getEncoded()));

            EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(1, directory.resolve("kafka"));
            try {
                kafka.createRevocationTopic(TOPIC, PARTITIONS, RETENTION.toMillis());
                kafka.createStatusTopic(STATUS_TOPIC);
                Path config = directory.resolve("config.yaml");
                Files.writeString(config, config(kafka.bootstrapServers(), apiPort, adminPort, adminToken,
                        directory.resolve("revocations")), StandardCharsets.UTF_8);
                return new DevEnvironment(directory, kafka, keys, adminToken, config, privateKey);
            } catch (RuntimeException | IOException e) {
                kafka.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Error preparing the dev environment in " + directory, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM cannot generate Ed25519 keys", e);
        }
    }

    private static String config(String bootstrap, int apiPort, int adminPort, String adminToken, Path dataDir) {
        return "# Written by `jwt-sidecar dev`: a complete configuration, read by the ordinary loader.\n"
                + "sidecar:\n  id: dev\n"
                + "api:\n  host: 127.0.0.1\n  port: " + apiPort + "\n"
                + "admin:\n  host: 127.0.0.1\n  port: " + adminPort + "\n  token: " + adminToken + "\n"
                + "  signingKeyFile: dev-publisher-private.pem\n  signingKeyId: " + PUBLISHER_KID + "\n"
                + "kafka:\n  bootstrapServers: " + bootstrap + "\n  topic: " + TOPIC + "\n"
                + "revocation:\n  dataDir: " + dataDir + "\n"
                + "  publisherKeys:            # signed events only (requireSignedEvents defaults to true with keys)\n"
                + "    - kid: " + PUBLISHER_KID + "\n      alg: EdDSA\n      pemFile: dev-publisher.pem\n"
                + "issuers:\n"
                + "  - issuer: " + ISSUER + "\n"
                + "    audiences: [" + AUDIENCE + "]\n"
                + "    type: at+jwt\n"
                + "    clockSkew: 5s\n"
                + "    maxTokenLifetime: 1h\n"
                + "    keys:\n"
                + "      - kid: " + KID + "\n"
                + "        alg: ES256\n"
                + "        pemFile: dev-issuer.pem\n";
    }


    public Path directory() {
        return directory;
    }

    public Path configFile() {
        return configFile;
    }

    public Path privateKeyFile() {
        return privateKeyFile;
    }

    public String adminToken() {
        return adminToken;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public EmbeddedKafkaCluster kafka() {
        return kafka;
    }

    /** Mints dev issuer tokens. */
    public TokenMinter minter(Clock clock) {
        return new TokenMinter(ISSUER, KID, issuerKeys.getPrivate(), clock);
    }

    @Override
    public void close() {
        kafka.close();
    }
}
