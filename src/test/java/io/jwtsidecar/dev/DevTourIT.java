package io.jwtsidecar.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.dev.DevEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The five-minute tour that {@code jwt-sidecar dev} prints, run as printed: the shell lines go
 * through bash and curl against the real dev environment, and must give 200, then 202, then
 * 401 revoked.
 */
class DevTourIT {
    @TempDir
    Path dir;

    @Test
    void the_printed_tour_gives_the_promised_answers() throws Exception {
        try (DevEnvironment env = DevEnvironment.start(dir, 0, 0);
             Sidecar sidecar = Sidecar.start(new ConfigLoader(Map.of()).load(env.configFile()), Clock.systemUTC())) {
            sidecar.feedCaughtUp().get(60, TimeUnit.SECONDS);
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            DevCommand.printTour(new PrintStream(printed, true, StandardCharsets.UTF_8), env, sidecar);
            String tour = printed.toString(StandardCharsets.UTF_8);

            String shell = tour.substring(tour.indexOf("TOKEN="), tour.indexOf("# Mint more tokens"));
            String output = bash(shell);

            int ok = output.indexOf("HTTP/1.1 200");
            int accepted = output.indexOf("HTTP/1.1 202");
            int refused = output.indexOf("HTTP/1.1 401");
            assertThat(ok).as(output).isGreaterThanOrEqualTo(0);
            assertThat(accepted).as(output).isGreaterThan(ok);
            assertThat(refused).as(output).isGreaterThan(accepted);
            assertThat(output.substring(refused)).contains("error_description=\"revoked\"");

            // The printed mint command works with the built jar and the dev key.
            String mintLine = tour.lines().filter(l -> l.startsWith("java -jar")).findFirst().orElseThrow();
            String minted = bash(mintLine).strip();
            assertThat(minted.split("\\.")).hasSize(3);
            String verdict = bash("curl -s -H \"Authorization: Bearer " + minted + "\" http://127.0.0.1:"
                    + sidecar.apiPort() + "/v1/verify");
            // Minted within the 5 s skew of the revocation, the token verifies but is still caught.
            assertThat(verdict).contains("\"error\":\"revoked\"");
        }
    }

    private String bash(String script) throws Exception {
        Path file = Files.writeString(dir.resolve("tour.sh"), "set -e\n" + script);
        Process p = new ProcessBuilder(List.of("bash", file.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
