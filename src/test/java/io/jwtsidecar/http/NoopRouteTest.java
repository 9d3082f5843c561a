package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /noop} (api.noopRoute) exists only when a load test asks for it. */
class NoopRouteTest {
    private Vertx vertx;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private List<String> paths(SidecarRoutes routes) {
        Router router = routes.router(vertx);
        return router.getRoutes().stream().map(Route::getPath).filter(Objects::nonNull).toList();
    }

    private static TokenVerifier verifier() {
        return new TokenVerifier(List.of(), 8192, MutableClock.atNow(), (t, skew) -> RevocationCheck.Status.NOT_REVOKED);
    }

    private static Readiness ready() {
        return () -> new Readiness.Report(true, Map.of());
    }

    @Test
    void absent_by_default() {
        SidecarRoutes routes = new SidecarRoutes(verifier(), ready(), 8192, new IdentityHeaders(Map.of()),
                new SidecarMetrics());
        assertThat(paths(routes)).contains("/v1/verify").doesNotContain("/noop");
    }

    @Test
    void absent_when_disabled() {
        SidecarRoutes routes = new SidecarRoutes(verifier(), ready(), 8192, new IdentityHeaders(Map.of()),
                new SidecarMetrics(), false);
        assertThat(paths(routes)).doesNotContain("/noop");
    }

    @Test
    void present_when_enabled() {
        SidecarRoutes routes = new SidecarRoutes(verifier(), ready(), 8192, new IdentityHeaders(Map.of()),
                new SidecarMetrics(), true);
        assertThat(paths(routes)).contains("/noop", "/v1/verify");
    }
}
