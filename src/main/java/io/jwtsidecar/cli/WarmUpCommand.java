package io.jwtsidecar.cli;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.token.TokenMinter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jwt-sidecar warm-up}: the production jar's own training run for the JDK's AOT cache
 * (the image build runs it under {@code -XX:AOTCacheOutput}). It starts the sidecar as
 * {@code run} would, with a throw-away key and store and no reachable Kafka
 * ({@code revocation.onStale: fail-open}, so tokens are verified while the feed is down), asks
 * it what a service and a proxy ask over loopback HTTP, and stops. Every start of the image then
 * maps the classes this loaded. Each answer is checked, so it is also the image's smoke test:
 * exit 0 when every one was as expected, 1 otherwise.
 */
@Command(name = "warm-up", hidden = true,
        description = "Start the sidecar without Kafka, verify tokens over loopback HTTP, stop (AOT cache training).")
final class WarmUpCommand implements Callable<Integer> {
    private static final String ISSUER = "https://warm-up.jwt-sidecar.invalid";
    private static final String AUDIENCE = "warm-up";

    @Option(names = "--rounds", defaultValue = "200", description = "Requests of each kind (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("jwt-sidecar-warm-up-");
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            Path publicKey = Files.writeString(dir.resolve("es256.pem"), "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n");
            // An empty environment: the image's JWT_SIDECAR_* variables must not point it at the real store.
            SidecarConfig config = new ConfigLoader(Map.of()).parse(yaml(dir, publicKey, closedPort()), dir);
            try (Sidecar sidecar = Sidecar.start(config, Clock.systemUTC())) {
                return exercise(sidecar.apiPort(), new TokenMinter(ISSUER, "es1", keys.getPrivate(), Clock.systemUTC()));
            }
        } finally {
            deleteTree(dir);
        }
    }

    private int exercise(int port, TokenMinter minter) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String good = minter.mint("warm-up", AUDIENCE, Duration.ofMinutes(5), Map.of("scope", "read"));
        String expired = minter.mint("warm-up", AUDIENCE, Duration.ofSeconds(-600), Map.of());
        int unexpected = 0;
        for (int i = 0; i < rounds; i++) {
            String fresh = minter.mint("user-" + i, AUDIENCE, Duration.ofMinutes(5), Map.of());
            unexpected += expect(http, port, "/v1/verify", fresh, 200);
            unexpected += expect(http, port, "/v1/verify", good, 200);
            unexpected += expect(http, port, "/v1/verify", expired, 401);
            unexpected += expect(http, port, "/v1/verify", "not.a.token", 401);
            unexpected += expect(http, port, "/v1/authz", good, 200);
        }
        unexpected += expect(http, port, "/health/live", null, 200);
        unexpected += expect(http, port, "/metrics", null, 200);
        System.out.println("jwt-sidecar warm-up: " + (5 * rounds + 2) + " requests, " + unexpected + " unexpected answers");
        return unexpected == 0 ? 0 : 1;
    }

    private static int expect(HttpClient http, int port, String path, @Nullable String bearer, int status)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (path.equals("/v1/authz")) {
            request.header("X-Forwarded-Method", "GET").header("X-Forwarded-Uri", "/orders/42")
                    .header("X-Forwarded-Host", "orders.example").header("X-Forwarded-Proto", "https");
        }
        HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == status) {
            return 0;
        }
        System.out.println("jwt-sidecar warm-up: " + path + " answered " + answer.statusCode() + ", expected " + status
                + ": " + answer.body());
        return 1;
    }

    private static String yaml(Path dir, Path publicKey, int kafkaPort) {
        return String.join("\n", List.of(
                "sidecar:", "  id: warm-up",
                "api:", "  host: 127.0.0.1", "  port: 0",
                "kafka:", "  bootstrapServers: 127.0.0.1:" + kafkaPort,
                "revocation:", "  dataDir: " + dir.resolve("store"), "  onStale: fail-open",
                "authz:", "  defaultAction: allow",
                "issuers:",
                "  - issuer: " + ISSUER,
                "    audiences: [" + AUDIENCE + "]",
                "    keys:",
                "      - kid: es1",
                "        alg: ES256",
                "        pemFile: " + publicKey, ""));
    }

    /** A loopback port nothing listens on, so the Kafka clients fail fast instead of waiting on a route. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
