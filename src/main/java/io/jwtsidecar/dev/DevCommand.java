package io.jwtsidecar.dev;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.app.StartRefused;
import io.jwtsidecar.cli.ExitStatus;
import io.jwtsidecar.config.ConfigKeys;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.cli.ShutdownWait;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jwt-sidecar dev}: a real Kafka broker inside the JVM, the revocation topic, a dev
 * issuer with a fresh key, the sidecar and its admin API; prints a token and the commands of
 * the five-minute tour.
 */
@Command(name = "dev", description = "Run everything on this machine: embedded Kafka, a dev issuer, the sidecar and its admin API.")
public final class DevCommand implements Callable<Integer> {
    @Option(names = "--api-port", defaultValue = "8181", description = "Sidecar API port (default: ${DEFAULT-VALUE}).")
    int apiPort;

    @Option(names = "--admin-port", defaultValue = "8182", description = "Admin API port (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--dir", description = "Keep Kafka data, keys and the store here (default: a temporary directory removed at exit).")
    @Nullable Path dir;

    @Option(names = "--self-test", description = "Run the tour (accept, revoke, refuse) over HTTP, then stop: exit 0 when every step answered as expected, 1 otherwise.")
    boolean selfTest;

    @Override
    public Integer call() throws Exception {
        boolean temporary = dir == null;
        Path directory = dir != null ? dir : Files.createTempDirectory("jwt-sidecar-dev-");
        DevEnvironment env = DevEnvironment.start(directory, apiPort, adminPort);
        Sidecar sidecar;
        try {
            // An empty environment: dev mode is self-contained and ignores JWT_SIDECAR_* overrides.
            SidecarConfig config = new ConfigLoader(Map.of()).load(env.configFile());
            sidecar = Sidecar.start(config, Clock.systemUTC());
            sidecar.feedCaughtUp().get(60, TimeUnit.SECONDS);
        } catch (StartRefused e) {
            env.close();
            if (temporary) {
                deleteTree(directory);
            }
            // dev sets the ports from its own flags and ignores the environment: name those.
            boolean port = e.key().equals(ConfigKeys.API_PORT) || e.key().equals(ConfigKeys.ADMIN_PORT);
            System.err.println("jwt-sidecar dev: " + (port ? e.problem() + "; stop it, or choose other ports with "
                    + "--api-port and --admin-port" : e.getMessage()));
            return ExitStatus.REFUSED;
        } catch (Exception e) {
            env.close();
            throw e;
        }
        if (selfTest) {
            boolean passed;
            // Closed in reverse: the sidecar's Kafka clients before the broker, or each of them
            // logs a burst of "could not connect" warnings as it stops.
            try (env; sidecar) {
                passed = new DevSelfTest(System.out).run(env, sidecar);
            } finally {
                if (temporary) {
                    deleteTree(directory);
                }
            }
            System.out.println(passed ? "jwt-sidecar dev self-test passed." : "jwt-sidecar dev self-test FAILED.");
            return passed ? 0 : 1;
        }
        printTour(System.out, env, sidecar);
        ShutdownWait.awaitShutdown(sidecar, env, () -> {
            if (temporary) {
                deleteTree(directory);
            }
        });
        return 0;
    }

    static void printTour(PrintStream out, DevEnvironment env, Sidecar sidecar) {
        String token = env.minter(Clock.systemUTC()).mint("alice", DevEnvironment.AUDIENCE, Duration.ofHours(1), Map.of());
        String api = "http://127.0.0.1:" + sidecar.apiPort();
        String admin = "http://127.0.0.1:" + sidecar.adminPort().orElseThrow();
        out.println();
        out.println("jwt-sidecar dev is ready.");
        out.println("  sidecar API : " + api);
        out.println("  admin API   : " + admin);
        out.println("  Kafka       : " + env.bootstrapServers() + " (topic " + DevEnvironment.TOPIC + ")");
        out.println("  config      : " + env.configFile());
        out.println();
        out.println("In another terminal:");
        out.println();
        out.println("TOKEN=" + token);
        out.println("ADMIN_TOKEN=" + env.adminToken());
        out.println();
        out.println("# 1. The token is good: 200 with the identity");
        out.println("curl -i -H \"Authorization: Bearer $TOKEN\" " + api + "/v1/verify");
        out.println();
        out.println("# 2. Log alice out everywhere (every token of hers issued until now)");
        out.println("curl -i -X POST -H \"Authorization: Bearer $ADMIN_TOKEN\" -H 'Content-Type: application/json' \\");
        out.println("  -d '{\"scope\":\"sub\",\"issuer\":\"" + DevEnvironment.ISSUER
                + "\",\"value\":\"alice\",\"reason\":\"logout_all\"}' " + admin + "/v1/revocations");
        out.println();
        out.println("# 3. The same token is now refused: 401 revoked");
        out.println("curl -i -H \"Authorization: Bearer $TOKEN\" " + api + "/v1/verify");
        out.println();
        out.println("# Mint more tokens (a token issued over 5s after the revocation is accepted again):");
        out.println("java -jar target/jwt-sidecar.jar token --private-key " + env.privateKeyFile()
                + " --issuer " + DevEnvironment.ISSUER + " --audience " + DevEnvironment.AUDIENCE
                + " --kid " + DevEnvironment.KID + " --subject alice");
        out.println();
        out.println("Press Ctrl-C to stop.");
        out.flush();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
