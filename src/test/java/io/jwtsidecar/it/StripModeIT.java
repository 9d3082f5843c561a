package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.EdgeProxies;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawHttp;
import io.jwtsidecar.testing.TestSidecars;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * authz.clientIdentityHeaders: strip behind the shipped Caddy recipe: the sidecar judges a request
 * that carries client copies of its headers, and the recipe must remove every one of them. (nginx
 * cannot remove headers by prefix, so its recipe needs the default, refuse; docs/PROXIES.md.)
 */
class StripModeIT {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    Path dir;

    private static Sidecar stripping(String id, Path dir, MutableClock clock) throws Exception {
        String yaml = EdgeSidecars.sidecarYaml(id, kafka.bootstrapServers(), dir.resolve(id), false)
                + "authz:\n  clientIdentityHeaders: strip\n";
        return TestSidecars.startReady(TestSidecars.parse(yaml, dir), clock);
    }

    private static void assertNoForgedCopy(EdgeProxies.Upstream upstream, String row) {
        List<String[]> seen = upstream.lastRequest();
        assertThat(seen).as(row + " reached the upstream").isNotNull();
        for (String[] h : seen) {
            String name = h[0].toLowerCase(Locale.ROOT).replace('_', '-');
            if (name.startsWith("x-auth-") || name.equals("x-user-email") || name.equals("x-revocation-stale")) {
                assertThat(h[1]).as(row + ": upstream got " + h[0]).doesNotContain(HostileRequests.FORGED);
            }
        }
    }

    @Test
    void behind_caddy_no_client_copy_survives_strip_mode() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar s = stripping("sc", dir, clock); EdgeProxies.Upstream upstream = new EdgeProxies.Upstream();
             EdgeProxies.Proxy caddy = CaddyIT.caddy(dir.resolve("caddy"), CaddyIT.caddyfile(), s.apiPort(), upstream.port())) {
            String alice = "Authorization: Bearer " + token("alice", clock.epochSecond() - 10, Map.of("email", "a@example.com"));
            for (String forged : List.of("X-Auth-Role", "X_Auth_Role", "X_Auth_Subject", "x_auth_subject", "X_User_Email",
                    "X_Revocation_Stale")) {
                upstream.clear();
                RawHttp.Response r = RawHttp.send(caddy.port(), "GET", "/orders/1", alice,
                        forged + ": " + HostileRequests.FORGED);
                assertThat(r.status()).as(forged).isEqualTo(200);
                assertNoForgedCopy(upstream, forged);
            }
        }
    }
}
