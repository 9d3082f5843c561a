package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.EdgeProxies;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawHttp;
import io.jwtsidecar.testing.TestSidecars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real nginx (the Debian package; .ci/run installs it) in front of a recording upstream,
 * running the shipped deploy/proxies/nginx and deploy/compose configurations with auth_request
 * to a real sidecar. Each defect of the edge has a request here that failed before it was fixed.
 */
class NginxIT {
    static final String TEMPLATE = "deploy/proxies/nginx/default.conf.template";

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    Path dir;

    /** The shipped template, with the commented X-User-Email lines switched on as its comments say to. */
    static String site(String template, int listen, int sidecar, int upstream) throws Exception {
        return Files.readString(Path.of(template))
                .replace("${LISTEN_PORT}", "127.0.0.1:" + listen)
                .replace("${JWT_SIDECAR_ADDR}", "127.0.0.1:" + sidecar)
                .replace("${UPSTREAM_ADDR}", "127.0.0.1:" + upstream)
                .replace("# auth_request_set $auth_user_email", "auth_request_set $auth_user_email")
                .replace("# proxy_set_header X-User-Email", "proxy_set_header X-User-Email");
    }

    /** The topic is shared by this class's tests: only this one revokes, and only bob. */
    @Test
    void nginx_passes_good_tokens_with_identity_headers_and_refuses_revoked_and_missing_ones() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar s = EdgeSidecars.sidecar(kafka, "n", dir, clock); EdgeProxies.Upstream upstream = new EdgeProxies.Upstream()) {
            int listen = EdgeProxies.freePort();
            try (EdgeProxies.Proxy nginx = EdgeProxies.nginx(dir, site(TEMPLATE, listen, s.apiPort(), upstream.port()), listen)) {
                String bob = token("bob", clock.epochSecond() - 60, Map.of("email", "bob@example.com"));

                RawHttp.Response good = RawHttp.send(listen, "GET", "/orders/42?x=1", "Authorization: Bearer " + bob);
                assertThat(good.status()).isEqualTo(200);
                assertThat(upstream.lastValues("X-Auth-Subject")).containsExactly("bob");
                assertThat(upstream.lastValues("X-Auth-Issuer")).containsExactly(ISSUER);
                assertThat(upstream.lastValues("X-User-Email")).containsExactly("bob@example.com");
                assertThat(upstream.lastValues("X-Auth-Claims")).hasSize(1);
                assertThat(upstream.lastValues("X-Revocation-Stale")).isEmpty();

                upstream.clear();
                RawHttp.Response none = RawHttp.send(listen, "GET", "/orders/42");
                assertThat(none.status()).isEqualTo(401);
                assertThat(none.all("WWW-Authenticate")).containsExactly("Bearer realm=\"jwt-sidecar\"");

                assertThat(Http.postJson(s.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                        "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"bob\"}").statusCode()).isEqualTo(202);
                RawHttp.Response revoked = RawHttp.send(listen, "GET", "/orders/42", "Authorization: Bearer " + bob);
                assertThat(revoked.status()).isEqualTo(401);
                assertThat(revoked.all("WWW-Authenticate")).containsExactly(
                        "Bearer realm=\"jwt-sidecar\", error=\"invalid_token\", error_description=\"revoked\"");
                assertThat(upstream.lastRequest()).isNull();
            }
        }
    }

    /**
     * Defect 1 (a raw URI after /v1/authz normalised onto another sidecar route) cannot be reached
     * through nginx: nginx itself refuses a path that climbs above the root. An nginx that hands
     * the sidecar the raw URI the way Envoy does still never passes such a request on; CaddyIT and
     * the Envoy contract test show the requests that did get through.
     */
    @Test
    void an_nginx_that_appends_the_raw_uri_cannot_steer_the_sidecar_onto_another_route() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar s = EdgeSidecars.sidecar(kafka, "n1", dir, clock); EdgeProxies.Upstream upstream = new EdgeProxies.Upstream()) {
            int listen = EdgeProxies.freePort();
            String appending = site(TEMPLATE, listen, s.apiPort(), upstream.port())
                    .replace("/v1/authz;", "/v1/authz$request_uri;");
            assertThat(appending).contains("/v1/authz$request_uri;");
            try (EdgeProxies.Proxy nginx = EdgeProxies.nginx(dir, appending, listen)) {
                for (String target : List.of("/api/%2e%2e/%2e%2e/%2e%2e/health/live", "/api/%2e%2e/%2e%2e/%2e%2e/metrics",
                        "/api/%2E%2E/%2E%2E/%2E%2E/health/ready")) {
                    RawHttp.Response r = RawHttp.send(listen, "GET", target);
                    assertThat(r.status()).as(target).isIn(400, 401);
                    assertThat(upstream.lastRequest()).as(target).isNull();
                }
            }
        }
    }

    /** Defect 2: a mapped claim header (X-User-Email) and every X-Auth-* copy of the client reached the upstream. */
    @Test
    void client_copies_of_identity_headers_never_reach_the_upstream() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar s = EdgeSidecars.sidecar(kafka, "n2", dir, clock); EdgeProxies.Upstream upstream = new EdgeProxies.Upstream()) {
            int listen = EdgeProxies.freePort();
            try (EdgeProxies.Proxy nginx = EdgeProxies.nginx(dir, site(TEMPLATE, listen, s.apiPort(), upstream.port()), listen)) {
                String anonymous = "Authorization: Bearer " + EdgeSidecars.noSubject(clock.epochSecond() - 10, "");
                for (String forged : List.of("X-Auth-Subject: admin", "X-User-Email: boss@example.com",
                        "X-Auth-Role: admin", "X-Revocation-Stale: false")) {
                    upstream.clear();
                    RawHttp.Response r = RawHttp.send(listen, "GET", "/orders/1", anonymous, forged);
                    assertThat(r.status()).as(forged).isEqualTo(400);
                    assertThat(r.all("WWW-Authenticate")).as(forged).hasSize(1);
                    assertThat(upstream.lastRequest()).as(forged).isNull();
                }
                upstream.clear();
                assertThat(RawHttp.send(listen, "GET", "/orders/1", anonymous).status()).isEqualTo(200);
                assertThat(upstream.lastValues("X-Auth-Subject")).isEmpty();
                assertThat(upstream.lastValues("X-User-Email")).isEmpty();
            }
        }
    }

    /** Defect 3: a stale sidecar's 503 became a 500 without Retry-After; X-Revocation-Stale was not passed on. */
    @Test
    void stale_data_is_a_503_with_retry_after_or_under_fail_open_a_header_the_upstream_sees() throws Exception {
        MutableClock clock = MutableClock.atNow();
        String alice = "Authorization: Bearer " + token("alice", clock.epochSecond() - 10);
        try (Sidecar closed = EdgeSidecars.staleSidecar("closed", dir, "fail-closed", clock);
             Sidecar open = EdgeSidecars.staleSidecar("open", dir, "fail-open", clock);
             EdgeProxies.Upstream upstream = new EdgeProxies.Upstream()) {
            int closedPort = EdgeProxies.freePort();
            int openPort = EdgeProxies.freePort();
            Files.createDirectories(dir.resolve("closed-nginx"));
            Files.createDirectories(dir.resolve("open-nginx"));
            try (EdgeProxies.Proxy a = EdgeProxies.nginx(dir.resolve("closed-nginx"),
                    site(TEMPLATE, closedPort, closed.apiPort(), upstream.port()), closedPort);
                 EdgeProxies.Proxy b = EdgeProxies.nginx(dir.resolve("open-nginx"),
                         site(TEMPLATE, openPort, open.apiPort(), upstream.port()), openPort)) {
                RawHttp.Response stale = RawHttp.send(closedPort, "GET", "/orders/1", alice);
                assertThat(stale.status()).isEqualTo(503);
                assertThat(stale.all("Retry-After")).containsExactly("1");
                assertThat(upstream.lastRequest()).isNull();

                RawHttp.Response failOpen = RawHttp.send(openPort, "GET", "/orders/1", alice);
                assertThat(failOpen.status()).isEqualTo(200);
                assertThat(upstream.lastValues("X-Revocation-Stale")).containsExactly("true");
                assertThat(upstream.lastValues("X-Auth-Subject")).containsExactly("alice");
            }
            // With the sidecar gone, nginx answers 503 (retry), not 500.
            closed.close();
            try (EdgeProxies.Proxy a = EdgeProxies.nginx(dir.resolve("closed-nginx"),
                    site(TEMPLATE, closedPort, closed.apiPort(), upstream.port()), closedPort)) {
                assertThat(RawHttp.send(closedPort, "GET", "/orders/1", alice).status()).isEqualTo(503);
            }
        }
    }

    /** Hostile requests: none reaches the upstream with an identity other than the token's. */
    @Test
    void hostile_requests_never_reach_the_upstream_with_a_forged_identity() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar s = EdgeSidecars.sidecar(kafka, "n4", dir, clock); EdgeProxies.Upstream upstream = new EdgeProxies.Upstream()) {
            int listen = EdgeProxies.freePort();
            try (EdgeProxies.Proxy nginx = EdgeProxies.nginx(dir, site(TEMPLATE, listen, s.apiPort(), upstream.port()), listen)) {
                HostileRequests.assertNoneForgesAnIdentity(listen, upstream, clock);
            }
        }
    }

    /** The compose stack's nginx (two services, shared include files) let a forged X-Auth-Issuer through. */
    @Test
    void the_compose_stacks_nginx_refuses_forged_headers_and_passes_stale_answers_on() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar s = EdgeSidecars.sidecar(kafka, "n5", dir, clock); Sidecar stale = EdgeSidecars.staleSidecar("n5s", dir, "fail-closed", clock);
             EdgeProxies.Upstream upstream = new EdgeProxies.Upstream()) {
            for (String inc : List.of("jwt-sidecar-identity.inc", "jwt-sidecar-subrequest.inc")) {
                Files.copy(Path.of("deploy/compose", inc), dir.resolve(inc));
            }
            int listen = EdgeProxies.freePort();
            String site = Files.readString(Path.of("deploy/compose/nginx.conf.template"))
                    .replace("${LISTEN_PORT}", "127.0.0.1:" + listen)
                    .replace("/etc/nginx/conf.d/", dir + "/")
                    .replace("orders-sidecar:8181", "127.0.0.1:" + s.apiPort())
                    .replace("billing-sidecar:8181", "127.0.0.1:" + stale.apiPort())
                    .replace("orders:8080", "127.0.0.1:" + upstream.port())
                    .replace("billing:8080", "127.0.0.1:" + upstream.port());
            try (EdgeProxies.Proxy nginx = EdgeProxies.nginx(dir, site, listen)) {
                String alice = "Authorization: Bearer " + token("alice", clock.epochSecond() - 10);
                assertThat(RawHttp.send(listen, "GET", "/orders/1", alice).status()).isEqualTo(200);
                assertThat(upstream.lastValues("X-Auth-Issuer")).containsExactly(ISSUER);
                upstream.clear();

                RawHttp.Response forged = RawHttp.send(listen, "GET", "/orders/1", alice, "X-Auth-Issuer: https://evil");
                assertThat(forged.status()).isEqualTo(400);
                assertThat(upstream.lastRequest()).isNull();

                RawHttp.Response billing = RawHttp.send(listen, "GET", "/billing/1", alice);
                assertThat(billing.status()).isEqualTo(503);
                assertThat(billing.all("Retry-After")).containsExactly("1");
                assertThat(RawHttp.send(listen, "GET", "/orders/1").all("WWW-Authenticate")).hasSize(1);
            }
        }
    }
}
