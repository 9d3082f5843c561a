package io.jwtsidecar.cli;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.jwtsidecar.testing.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line against a real sidecar: revoke, restore, and configuration errors as exit codes. */
class CliIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    private static int run(String... args) {
        return JwtSidecarCommand.commandLine().execute(args);
    }

    @Test
    void revoke_publishes_through_the_admin_api_and_the_token_is_refused() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar s = TestSidecars.startReady("cli", kafka.bootstrapServers(), dir.resolve("cli"), true, clock)) {
            String adminUrl = "http://127.0.0.1:" + s.adminPort().orElseThrow();
            String carol = token("carol", clock.epochSecond() - 60);

            int code = run("revoke", "--scope", "sub", "--issuer", ISSUER, "--value", "carol", "--reason", "logout_all",
                    "--admin-url", adminUrl, "--admin-token", ADMIN_TOKEN);

            assertThat(code).isZero();
            await().atMost(Duration.ofSeconds(15)).untilAsserted(
                    () -> assertThat(Http.verify(s.apiPort(), carol).body()).contains("revoked"));
            assertThat(run("revoke", "--scope", "sub", "--issuer", ISSUER, "--value", "dan",
                    "--admin-url", adminUrl, "--admin-token", "wrong-token")).as("refused by the admin API").isEqualTo(1);
            assertThat(run("revoke", "--scope", "nope", "--issuer", ISSUER, "--value", "dan",
                    "--admin-url", adminUrl, "--admin-token", ADMIN_TOKEN)).as("400 from the admin API").isEqualTo(1);
        }
    }

    @Test
    void restore_lifts_a_revocation_through_the_admin_api_and_the_token_is_accepted_again() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar s = TestSidecars.startReady("cli-restore", kafka.bootstrapServers(), dir.resolve("cli-restore"), true,
                clock)) {
            String adminUrl = "http://127.0.0.1:" + s.adminPort().orElseThrow();
            String dora = token("dora", clock.epochSecond() - 60);
            assertThat(run("revoke", "--scope", "sub", "--issuer", ISSUER, "--value", "dora",
                    "--admin-url", adminUrl, "--admin-token", ADMIN_TOKEN)).isZero();
            assertThat(Http.verify(s.apiPort(), dora).body()).contains("revoked");

            int code = run("restore", "--scope", "sub", "--issuer", ISSUER, "--value", "dora", "--reason", "mistake",
                    "--admin-url", adminUrl, "--admin-token", ADMIN_TOKEN);

            assertThat(code).isZero();
            assertThat(Http.verify(s.apiPort(), dora).statusCode()).as("applied here before the answer").isEqualTo(200);
            assertThat(run("restore", "--scope", "issuer", "--issuer", ISSUER,
                    "--admin-url", adminUrl, "--admin-token", ADMIN_TOKEN)).as("scope issuer needs no value").isZero();
            assertThat(run("restore", "--scope", "sub", "--issuer", ISSUER,
                    "--admin-url", adminUrl, "--admin-token", ADMIN_TOKEN)).as("--value missing").isEqualTo(2);
            assertThat(run("restore", "--scope", "sub", "--issuer", ISSUER, "--value", "dora",
                    "--admin-url", adminUrl, "--admin-token", "wrong-token")).as("refused by the admin API").isEqualTo(1);
        }
    }

    @Test
    void configuration_errors_exit_with_2() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "api:\n  port: 70000\n");
        Path good = Files.writeString(dir.resolve("good.yaml"),
                TestSidecars.yaml("x", kafka.bootstrapServers(), dir.resolve("x"), false));

        assertThat(run("check-config", bad.toString())).isEqualTo(2);
        assertThat(run("run", "--config", bad.toString())).isEqualTo(2);
        assertThat(run("check-config", good.toString())).isZero();
    }

    @Test
    void topic_create_makes_safe_topics_and_check_finds_unsafe_settings() throws Exception {
        Path dir2 = Files.createDirectories(dir.resolve("topics"));
        Path fresh = Files.writeString(dir2.resolve("fresh.yaml"), TestSidecars.yaml("t", kafka.bootstrapServers(),
                dir2.resolve("t"), false).replace("topic: " + TestSidecars.TOPIC, "topic: fresh-revocations")
                .replace("statusTopic: " + TestSidecars.STATUS_TOPIC, "statusTopic: fresh-status"));

        assertThat(run("topic", "check", "--config", fresh.toString())).as("missing topics").isEqualTo(1);
        assertThat(run("topic", "create", "--config", fresh.toString(), "--replication-factor", "1",
                "--min-insync-replicas", "1", "--partitions", "2")).isZero();
        assertThat(run("topic", "check", "--config", fresh.toString())).isZero();
        assertThat(run("topic", "create", "--config", fresh.toString(), "--replication-factor", "1",
                "--min-insync-replicas", "1")).as("existing topics are left alone").isZero();

        kafka.cluster().createTopic("short-retention", 1, java.util.Map.of("cleanup.policy", "compact,delete",
                "retention.ms", "1000"));
        Path shortRetention = Files.writeString(dir2.resolve("short.yaml"), TestSidecars.yaml("s",
                kafka.bootstrapServers(), dir2.resolve("s"), false).replace("topic: " + TestSidecars.TOPIC,
                "topic: short-retention"));
        assertThat(run("topic", "check", "--config", shortRetention.toString())).isEqualTo(1);
    }
}
