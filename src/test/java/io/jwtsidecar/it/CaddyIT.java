package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.EdgeProxies;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Caddy (the Debian package; .ci/run installs it) with forward_auth to a real sidecar,
 * running the shipped deploy/proxies/caddy/Caddyfile in front of a recording upstream.
 */
class CaddyIT {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    Path dir;

    /** The shipped Caddyfile with X-User-Email added to both lists, as its comments say to. */
    static String caddyfile() throws Exception {
        return Files.readString(Path.of("deploy/proxies/caddy/Caddyfile"))
                .replace("# request_header -X-User-Email", "request_header -X-User-Email")
                .replace("# request_header -X_user_email", "request_header -X_user_email")
                .replace("copy_headers X-Auth-Subject X-Auth-Issuer X-Auth-Claims X-Revocation-Stale",
                        "copy_headers X-Auth-Subject X-Auth-Issuer X-Auth-Claims X-Revocation-Stale X-User-Email");
    }

    static EdgeProxies.Proxy caddy(Path dir, String caddyfile, int sidecar, int upstream) throws Exception {
        int listen = EdgeProxies.freePort();
        Files.createDirectories(dir);
        return EdgeProxies.caddy(dir, caddyfile, Map.of("LISTEN_ADDR", "http://127.0.0.1:" + listen,
                "JWT_SIDECAR_ADDR", "127.0.0.1:" + sidecar, "UPSTREAM_ADDR", "127.0.0.1:" + upstream), listen);
    }

    @Test
    void caddy_passes_good_tokens_with_every_identity_header_and_refuses_others_with_one_challenge() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar s = EdgeSidecars.sidecar(kafka, "c1", dir, clock); EdgeProxies.Upstream upstream = new EdgeProxies.Upstream();
             EdgeProxies.Proxy caddy = caddy(dir.resolve("caddy"), caddyfile(), s.apiPort(), upstream.port())) {
            String alice = "Authorization: Bearer " + token("alice", clock.epochSecond() - 10,
                    Map.of("email", "alice@example.com"));

            assertThat(RawHttp.send(caddy.port(), "POST", "/orders/1?x=1", alice, "Content-Length: 0").status())
                    .isEqualTo(200);
            assertThat(upstream.lastValues("X-Auth-Subject")).containsExactly("alice");
            assertThat(upstream.lastValues("X-Auth-Issuer")).containsExactly(ISSUER);
            assertThat(upstream.lastValues("X-User-Email")).containsExactly("alice@example.com");

            upstream.clear();
            RawHttp.Response none = RawHttp.send(caddy.port(), "GET", "/orders/1");
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.all("WWW-Authenticate")).containsExactly("Bearer realm=\"jwt-sidecar\"");
            RawHttp.Response bad = RawHttp.send(caddy.port(), "GET", "/orders/1", "Authorization: Bearer a.b.c");
            assertThat(bad.all("WWW-Authenticate")).hasSize(1);
            assertThat(upstream.lastRequest()).isNull();
        }
    }

    /**
     * Defect 2 behind Caddy: a token without sub or email made the sidecar omit those headers,
     * and Caddy 2.6 then sent the upstream its unexpanded placeholder text (a client copy survives
     * in later Caddy versions). Every copied header now arrives, empty where the claim is absent.
     */
    @Test
    void absent_claims_arrive_as_empty_headers_never_as_a_client_copy_or_placeholder() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar s = EdgeSidecars.sidecar(kafka, "c2", dir, clock); EdgeProxies.Upstream upstream = new EdgeProxies.Upstream();
             EdgeProxies.Proxy caddy = caddy(dir.resolve("caddy"), caddyfile(), s.apiPort(), upstream.port())) {
            String anonymous = "Authorization: Bearer " + EdgeSidecars.noSubject(clock.epochSecond() - 10, "");

            RawHttp.Response r = RawHttp.send(caddy.port(), "GET", "/orders/1", anonymous,
                    "X-Auth-Subject: admin", "X-User-Email: boss@example.com", "X-Revocation-Stale: false");

            assertThat(r.status()).isEqualTo(200);
            assertThat(upstream.lastValues("X-Auth-Subject")).containsExactly("");
            assertThat(upstream.lastValues("X-User-Email")).containsExactly("");
            assertThat(upstream.lastValues("X-Revocation-Stale")).containsExactly("");
            assertThat(upstream.lastValues("X-Auth-Issuer")).containsExactly(ISSUER);
        }
    }

    /** Defect 3 behind Caddy: the stale answer and its Retry-After reach the client; fail-open is passed on. */
    @Test
    void stale_data_is_a_503_with_retry_after_or_under_fail_open_a_header_the_upstream_sees() throws Exception {
        MutableClock clock = MutableClock.atNow();
        String alice = "Authorization: Bearer " + token("alice", clock.epochSecond() - 10);
        try (Sidecar closed = EdgeSidecars.staleSidecar("cc", dir, "fail-closed", clock);
             Sidecar open = EdgeSidecars.staleSidecar("co", dir, "fail-open", clock);
             EdgeProxies.Upstream upstream = new EdgeProxies.Upstream();
             EdgeProxies.Proxy a = caddy(dir.resolve("caddy-closed"), caddyfile(), closed.apiPort(), upstream.port());
             EdgeProxies.Proxy b = caddy(dir.resolve("caddy-open"), caddyfile(), open.apiPort(), upstream.port())) {
            RawHttp.Response stale = RawHttp.send(a.port(), "GET", "/orders/1", alice);
            assertThat(stale.status()).isEqualTo(503);
            assertThat(stale.all("Retry-After")).containsExactly("1");
            assertThat(upstream.lastRequest()).isNull();

            assertThat(RawHttp.send(b.port(), "GET", "/orders/1", alice).status()).isEqualTo(200);
            assertThat(upstream.lastValues("X-Revocation-Stale")).containsExactly("true");
        }
    }

    /** Defect 1 behind Caddy: a forward_auth that appends the client's URI to /v1/authz, as Envoy does. */
    @Test
    void a_caddy_that_appends_the_uri_cannot_steer_the_sidecar_onto_another_route() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar s = EdgeSidecars.sidecar(kafka, "c4", dir, clock); EdgeProxies.Upstream upstream = new EdgeProxies.Upstream();
             EdgeProxies.Proxy caddy = caddy(dir.resolve("caddy"), caddyfile().replace("uri /v1/authz", "uri /v1/authz{uri}"),
                     s.apiPort(), upstream.port())) {
            for (String target : List.of("/api/%2e%2e/%2e%2e/%2e%2e/health/live", "/api/%2e%2e/%2e%2e/%2e%2e/metrics")) {
                RawHttp.Response r = RawHttp.send(caddy.port(), "GET", target);
                assertThat(r.status()).as(target).isIn(400, 401);
                assertThat(upstream.lastRequest()).as(target).isNull();
            }
        }
    }

    @Test
    void hostile_requests_never_reach_the_upstream_with_a_forged_identity() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar s = EdgeSidecars.sidecar(kafka, "c5", dir, clock); EdgeProxies.Upstream upstream = new EdgeProxies.Upstream();
             EdgeProxies.Proxy caddy = caddy(dir.resolve("caddy"), caddyfile(), s.apiPort(), upstream.port())) {
            HostileRequests.assertNoneForgesAnIdentity(caddy.port(), upstream, clock);
        }
    }
}
