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
import io.jwtsidecar.token.keys.RemoteJwksSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sidecar whose issuer keys come from a JWKS server: down when the sidecar starts, or, for one
 * of two issuers, hung after its headers.
 */
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

    @Test
    void an_issuer_whose_jwks_server_hangs_holds_back_no_other_issuer() throws Exception {
        TestKeys keysA = TestKeys.generate(JwsAlgorithm.ES256);
        TestKeys keysB = TestKeys.generate(JwsAlgorithm.ES256);
        MutableClock clock = MutableClock.atNow();
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(1, dir.resolve("kafka"));
             JwksServer jwks = new JwksServer()) {
            kafka.createRevocationTopic(TestSidecars.TOPIC, 1, Duration.ofDays(1).toMillis());
            String hung = jwks.url("/hung");
            String healthy = jwks.url("/healthy");
            jwks.serveKeys("/hung/jwks", "a1", "ES256", keysA.verificationKey());
            jwks.stallAfterHeaders("/hung/jwks");
            jwks.serve("/healthy/.well-known/openid-configuration",
                    "{\"issuer\":\"" + healthy + "\",\"jwks_uri\":\"" + jwks.url("/healthy/certs") + "\"}");
            jwks.serveKeys("/healthy/certs", "b1", "ES256", keysB.verificationKey());
            // The hung issuer comes first: one shared fetching thread would be stuck on it before it reached the other.
            String yaml = "api:\n  port: 0\n"
                    + "kafka:\n  bootstrapServers: " + kafka.bootstrapServers() + "\n  topic: " + TestSidecars.TOPIC + "\n"
                    + "revocation:\n  dataDir: " + dir.resolve("store") + "\n"
                    + "issuers:\n"
                    + "  - issuer: " + hung + "\n"
                    + "    audiences: [api]\n"
                    + "    algorithms: [ES256]\n"
                    + "    jwksUri: " + jwks.url("/hung/jwks") + "\n"
                    + "    jwksMinRefreshInterval: 200ms\n"
                    + "    jwksFetchTimeout: 9s\n"
                    + "  - issuer: " + healthy + "\n"
                    + "    audiences: [api]\n"
                    + "    algorithms: [ES256]\n"
                    + "    discovery: true\n";
            String tokenA = Tokens.mint(keysA, "a1", Tokens.validClaims(hung, "api", clock.epochSecond()));
            String tokenB = Tokens.mint(keysB, "b1", Tokens.validClaims(healthy, "api", clock.epochSecond()));

            try (Sidecar s = Sidecar.start(new ConfigLoader(Map.of()).parse(yaml, dir), clock)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> jwks.hits("/hung/jwks") >= 1);

                // One look at readiness: the healthy issuer has its keys while the hung issuer's first request
                // is still under way (its deadline is 9 s away).
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Http.get(s.apiPort(), "/health/ready")
                        .body()).contains(RemoteJwksSource.discoveryUri(healthy) + ": ok (1 keys)",
                                jwks.url("/hung/jwks") + ": fetching"));
                s.feedCaughtUp().get();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(
                        () -> assertThat(Http.verify(s.apiPort(), tokenB).statusCode()).isEqualTo(200));
                var verifyA = Http.verify(s.apiPort(), tokenA);
                assertThat(verifyA.statusCode()).isEqualTo(503);
                assertThat(verifyA.body()).contains("keys_unavailable");

                // At its deadline the hung request is given up, and readiness says why.
                await().atMost(Duration.ofSeconds(30)).untilAsserted(
                        () -> assertThat(Http.get(s.apiPort(), "/health/ready").body()).contains("deadline of 9s exceeded"));
                var ready = Http.get(s.apiPort(), "/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains(jwks.url("/hung/jwks"), "no keys yet");

                jwks.answerNormally("/hung/jwks");
                await().atMost(Duration.ofSeconds(15)).untilAsserted(
                        () -> assertThat(Http.get(s.apiPort(), "/health/ready").statusCode()).isEqualTo(200));
                assertThat(Http.verify(s.apiPort(), tokenA).statusCode()).isEqualTo(200);
            }
        }
    }
}
