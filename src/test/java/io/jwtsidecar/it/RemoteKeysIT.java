package io.jwtsidecar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.dev.EmbeddedKafkaCluster;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.JwksServer;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.testing.TestSidecars;
import io.jwtsidecar.testing.Tokens;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sidecar whose issuer keys come from a JWKS server that is down when the sidecar starts. */
class RemoteKeysIT {
    @TempDir
    Path dir;

    @Test
    void readiness_waits_for_a_first_key_set_and_verification_answers_503_until_then() throws Exception {
        TestKeys keys = TestKeys.generate(JwsAlgorithm.ES256);
        MutableClock clock = MutableClock.atNow();
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(1, dir.resolve("kafka"));
             JwksServer jwks = new JwksServer()) {
            kafka.createRevocationTopic(TestSidecars.TOPIC, 1, Duration.ofDays(1).toMillis());
            jwks.setDown(true);
            String issuer = jwks.url("/realm");
            jwks.serve("/realm/.well-known/openid-configuration",
                    "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + jwks.url("/realm/certs") + "\"}");
            jwks.serveKeys("/realm/certs", "k1", "ES256", keys.verificationKey());
            String yaml = "api:\n  port: 0\n"
                    + "kafka:\n  bootstrapServers: " + kafka.bootstrapServers() + "\n  topic: " + TestSidecars.TOPIC + "\n"
                    + "revocation:\n  dataDir: " + dir.resolve("store") + "\n"
                    + "issuers:\n"
                    + "  - issuer: " + issuer + "\n"
                    + "    audiences: [api]\n"
                    + "    algorithms: [ES256]\n"
                    + "    discovery: true\n"
                    + "    jwksMinRefreshInterval: 200ms\n";
            String token = Tokens.mint(keys, "k1", Tokens.validClaims(issuer, "api", clock.epochSecond()));

            try (Sidecar s = Sidecar.start(new ConfigLoader(Map.of()).parse(yaml, dir), clock)) {
                s.feedCaughtUp().get(); // the feed is caught up; the keys are not there yet
                var ready = Http.get(s.apiPort(), "/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("no keys yet");
                var verify = Http.verify(s.apiPort(), token);
                assertThat(verify.statusCode()).isEqualTo(503);
                assertThat(verify.body()).contains("keys_unavailable");

                jwks.setDown(false);

                await().atMost(Duration.ofSeconds(15)).untilAsserted(
                        () -> assertThat(Http.get(s.apiPort(), "/health/ready").statusCode()).isEqualTo(200));
                assertThat(Http.verify(s.apiPort(), token).statusCode()).isEqualTo(200);
            }
        }
    }
}
