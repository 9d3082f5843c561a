package io.jwtsidecar.testing;

import io.jsonwebtoken.Jwts;
import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.revocation.PublisherKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;

/**
 * Starts real sidecars (RocksDB, Kafka consumer, HTTP listeners on free ports) for integration
 * tests, configured through the ordinary YAML loader, with one HS256 test issuer.
 */
public final class TestSidecars {
    public static final String ISSUER = "https://issuer.test";
    public static final String AUDIENCE = "orders-api";
    public static final String TOPIC = "jwt-revocations";
    public static final String STATUS_TOPIC = "jwt-revocations-status";
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef0123456789";
    public static final Duration SKEW = Duration.ofSeconds(5);
    private static final String SECRET = "test-secret-for-hs256-0123456789abcdef";

    private TestSidecars() {
    }

    /** The configuration text of a test sidecar; {@code admin} decides whether it has an admin API. */
    public static String yaml(String id, String bootstrap, Path dataDir, boolean admin) {
        return yaml(id, bootstrap, dataDir, admin ? "  token: " + ADMIN_TOKEN + "\n" : "");
    }

    /**
     * The configuration text of a test sidecar whose {@code admin} section, beside its port, has
     * {@code adminLines} (indented by two spaces, each ending in a newline).
     */
    public static String yaml(String id, String bootstrap, Path dataDir, String adminLines) {
        return yaml(id, bootstrap, dataDir, adminLines, "");
    }

    /**
     * The same, with {@code revocationLines} added to the {@code revocation} section (indented by
     * two spaces, each ending in a newline).
     */
    public static String yaml(String id, String bootstrap, Path dataDir, String adminLines, String revocationLines) {
        return yaml(id, bootstrap, dataDir, adminLines, revocationLines, Map.of());
    }

    /**
     * The configuration text of a test sidecar ({@code admin} decides whether it has an admin API)
     * whose Kafka consumer and producer both get {@code kafkaClient} (e.g. SASL settings) through
     * {@code kafka.consumer} and {@code kafka.producer}.
     */
    public static String yaml(String id, String bootstrap, Path dataDir, boolean admin, Map<String, String> kafkaClient) {
        return yaml(id, bootstrap, dataDir, admin ? "  token: " + ADMIN_TOKEN + "\n" : "", "", kafkaClient);
    }

    private static String yaml(String id, String bootstrap, Path dataDir, String adminLines, String revocationLines,
                               Map<String, String> kafkaClient) {
        StringBuilder passthrough = new StringBuilder();
        if (!kafkaClient.isEmpty()) {
            for (String section : List.of("consumer", "producer")) {
                passthrough.append("  ").append(section).append(":\n");
                // Single-quoted: JAAS configs hold double quotes, semicolons and equals signs.
                new TreeMap<>(kafkaClient).forEach((k, v) -> passthrough.append("    ").append(k).append(": '")
                        .append(v.replace("'", "''")).append("'\n"));
            }
        }
        return "sidecar:\n  id: " + id + "\n"
                + "api:\n  port: 0\n"
                + "admin:\n  port: 0\n" + adminLines
                + "kafka:\n  bootstrapServers: " + bootstrap + "\n  topic: " + TOPIC + "\n  statusTopic: " + STATUS_TOPIC + "\n"
                + passthrough
                + "fleet:\n  statusInterval: 200ms\n  goneAfter: 3s\n"
                + "revocation:\n  dataDir: " + dataDir + "\n  bloomExpectedRules: 10000\n" + revocationLines
                + "issuers:\n"
                + "  - issuer: " + ISSUER + "\n"
                + "    audiences: [" + AUDIENCE + "]\n"
                + "    clockSkew: " + SKEW.toSeconds() + "s\n"
                + "    maxTokenLifetime: 1h\n"
                + "    keys:\n"
                + "      - kid: hs1\n"
                + "        alg: HS256\n"
                + "        secret: " + SECRET + "\n";
    }

    /**
     * The configuration of a test sidecar that trusts {@code trusted} publisher keys ({@code retired}
     * ones marked so) and requires signed events; with {@code signer}, it has an admin API that
     * signs with that key (its private PEM written into {@code keyDir}).
     */
    public static String signedYaml(String id, String bootstrap, Path dataDir, PublisherKeys signer, Path keyDir,
                                    java.util.List<PublisherKeys> trusted, java.util.Set<String> retired) {
        java.util.Map<String, PublisherKey.Trust> trust = new java.util.HashMap<>();
        retired.forEach(kid -> trust.put(kid, PublisherKey.Trust.RETIRED));
        return signedYaml(id, bootstrap, dataDir, signer, keyDir, trusted, trust);
    }

    /** The same, with the trust of each key named in {@code trust} (current otherwise). */
    public static String signedYaml(String id, String bootstrap, Path dataDir, PublisherKeys signer, Path keyDir,
                                    java.util.List<PublisherKeys> trusted, java.util.Map<String, PublisherKey.Trust> trust) {
        StringBuilder revocation = new StringBuilder("  publisherKeys:\n");
        trusted.forEach(k -> revocation.append(k.publisherKeyEntry(trust.getOrDefault(k.kid(), PublisherKey.Trust.CURRENT))));
        String admin = "";
        if (signer != null) {
            signer.writeTo(keyDir);
            admin = "  token: " + ADMIN_TOKEN + "\n  signingKeyFile: " + keyDir.resolve(signer.kid() + "-private.pem")
                    + "\n  signingKeyId: " + signer.kid() + "\n";
        }
        return yaml(id, bootstrap, dataDir, admin, revocation.toString());
    }

    /**
     * A sidecar that trusts {@code trusted}, requires signed events and sweeps (and so re-asserts
     * rules, when it has an admin API) every second; with {@code signer} it is an admin sidecar
     * signing with that key. Its store is {@code dir/id}, the signer's key file in {@code dir/keys}.
     */
    public static SidecarConfig signedSweepingEverySecond(String id, String bootstrap, Path dir, PublisherKeys signer,
                                                          PublisherKeys trusted) {
        String yaml = signedYaml(id, bootstrap, dir.resolve(id), signer, dir.resolve("keys"), List.of(trusted),
                java.util.Set.of()).replace("revocation:\n", "revocation:\n  sweepInterval: 1s\n");
        return parse(yaml, dir.resolve(id));
    }

    public static SidecarConfig config(String id, String bootstrap, Path dataDir, boolean admin) {
        return new ConfigLoader(Map.of()).parse(yaml(id, bootstrap, dataDir, admin), dataDir.getParent());
    }

    /** Starts a sidecar and waits until its feed has caught up. */
    public static Sidecar startReady(String id, String bootstrap, Path dataDir, boolean admin, Clock clock)
            throws Exception {
        return startReady(config(id, bootstrap, dataDir, admin), clock);
    }

    /** Parses configuration text (relative paths against {@code dataDir}'s parent). */
    public static SidecarConfig parse(String yaml, Path dataDir) {
        return new ConfigLoader(Map.of()).parse(yaml, dataDir.getParent());
    }

    /** Starts a sidecar of any configuration and waits until its feed has caught up. */
    public static Sidecar startReady(SidecarConfig config, Clock clock) throws Exception {
        Sidecar s = Sidecar.start(config, clock);
        s.feedCaughtUp().get(60, TimeUnit.SECONDS);
        return s;
    }

    /** A token of the test issuer for {@code subject}, issued at {@code iat}, valid for ten minutes from then. */
    public static String token(String subject, long iat) {
        return token(subject, iat, Map.of());
    }

    /** The same, with more claims (e.g. {@code scope}). */
    public static String token(String subject, long iat, Map<String, ?> claims) {
        return Jwts.builder()
                .header().keyId("hs1").and()
                .issuer(ISSUER)
                .subject(subject)
                .audience().add(AUDIENCE).and()
                .claim("iat", iat)
                .claim("exp", iat + 600)
                .claims(claims)
                .signWith(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"), Jwts.SIG.HS256)
                .compact();
    }

    /**
     * A token of the test issuer for {@code subject} without {@code iat}: every time-based rule of
     * its subject catches it, whatever the rule's time.
     */
    public static String tokenWithoutIat(String subject, long exp) {
        return tokenWithPayload("{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + subject + "\",\"aud\":\"" + AUDIENCE
                + "\",\"exp\":" + exp + "}");
    }

    /**
     * A token signed with the test issuer's key (kid hs1) over exactly {@code payloadJson}, so its
     * numbers are as written: jjwt's claim setters turn {@code iat}, {@code nbf} and {@code exp}
     * into dates and back, which cannot express e.g. an {@code iat} of -1e300 (it becomes 0).
     */
    public static String tokenWithPayload(String payloadJson) {
        return Jwts.builder()
                .header().keyId("hs1").and()
                .content(payloadJson.getBytes(StandardCharsets.UTF_8))
                .signWith(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"), Jwts.SIG.HS256)
                .compact();
    }
}
