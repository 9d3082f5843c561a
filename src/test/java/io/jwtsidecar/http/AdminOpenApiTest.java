package io.jwtsidecar.http;

import io.jwtsidecar.idp.LogoutTokenCheck;
import io.jwtsidecar.token.SeenIds;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.token.TokenVerifier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.jwtsidecar.idp.SecurityEventCheck;
import io.jwtsidecar.token.SeenIds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/openapi.yaml describes exactly the routes the admin router registers, with the scope each
 * needs, and the admin API serves that same document without a credential.
 */
class AdminOpenApiTest {
    private static final Path DOCUMENT = Path.of("docs/openapi.yaml");
    private static final Pattern VERTX_PARAM = Pattern.compile(":([A-Za-z0-9_]+)");
    private static final Pattern OPENAPI_PARAM = Pattern.compile("\\{([A-Za-z0-9_]+)}");
    private static Vertx vertx;
    private static Router router;
    private static JsonNode openApi;

    @BeforeAll
    static void build() throws Exception {
        vertx = Vertx.vertx();
        TokenVerifier verifier = new TokenVerifier(List.of(), 8192, MutableClock.atNow(), (t, s) -> null);
        AdminAuthenticator auth = new AdminAuthenticator(
                List.of(AdminAuthenticator.Credential.adminToken("admin-token-0123456789abcdef0123456789")),
                Optional.empty(), verifier, new SidecarMetrics());
        AdminRoutes routes = new AdminRoutes(auth, e -> Future.failedFuture("no broker here"), verifier,
                MutableClock.atNow(), (p, o) -> CompletableFuture.completedFuture(null), null, new SidecarMetrics())
                // A fleet view that is never started: only its routes matter here.
                .withFleet(new FleetRoutes(new io.jwtsidecar.feed.FleetStatus(java.util.Map.of(), "status",
                        java.time.Clock.systemUTC(), java.time.Duration.ofSeconds(3), java.time.Duration.ofSeconds(60), "t"),
                        id -> java.util.Optional.empty()))
                .withSignals(new BackchannelLogoutRoutes(verifier.signedJwts(), new LogoutTokenCheck(
                        java.util.Map.of("https://idp.test", java.util.Set.of("web")), java.time.Duration.ofMinutes(5), MutableClock.atNow()),
                        new SeenIds(10, MutableClock.atNow()), 8192, false, java.time.Duration.ofSeconds(4)))
                .withSignals(new SsfPushRoutes(new SecurityEventCheck(verifier.signedJwts(), "https://tx.test", "aud",
                        Set.of("https://tx.test"), i -> false, 8192, java.time.Duration.ofMinutes(5),
                        MutableClock.atNow()), new SeenIds(10, MutableClock.atNow()), null, 8192));
        router = routes.router(vertx);
        openApi = new ObjectMapper(new YAMLFactory()).readTree(DOCUMENT.toFile());
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** Every (OpenAPI path, method) the router answers; its catch-all route has no path. */
    private static Set<String> registered() {
        Set<String> operations = new LinkedHashSet<>();
        for (Route route : router.getRoutes()) {
            if (route.getPath() == null) {
                continue;
            }
            assertThat(route.methods()).as("route %s names its methods", route.getPath()).isNotEmpty();
            String path = VERTX_PARAM.matcher(route.getPath()).replaceAll("{$1}");
            for (HttpMethod m : route.methods()) {
                operations.add(m.name().toLowerCase(Locale.ROOT) + " " + path);
            }
        }
        return operations;
    }

    private static Set<String> documented() {
        Set<String> operations = new LinkedHashSet<>();
        for (Iterator<String> paths = openApi.get("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            for (Iterator<String> keys = openApi.get("paths").get(path).fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (List.of("get", "put", "post", "delete", "patch", "head", "options", "trace").contains(key)) {
                    operations.add(key + " " + path);
                }
            }
        }
        return operations;
    }

    @Test
    void the_document_is_openapi_3_1() {
        assertThat(openApi.get("openapi").asText()).startsWith("3.1.");
        assertThat(openApi.at("/components/securitySchemes/adminBearer/scheme").asText()).isEqualTo("bearer");
    }

    @Test
    void the_effect_a_202_can_name_is_every_effect_the_store_reports() {
        List<String> documented = new ArrayList<>();
        openApi.at("/components/schemas/Published/properties/effect/enum").forEach(v -> documented.add(v.asText(null)));
        List<String> effects = new ArrayList<>();
        for (io.jwtsidecar.revocation.RuleMerge.Effect e : io.jwtsidecar.revocation.RuleMerge.Effect.values()) {
            effects.add(e.name().toLowerCase(Locale.ROOT));
        }
        effects.add(null);

        assertThat(documented).containsExactlyInAnyOrderElementsOf(effects);
    }

    @Test
    void every_route_the_admin_router_registers_is_documented() {
        assertThat(registered()).isNotEmpty().contains("delete /v1/revocations/{scope}/{issuer}/{value}");
        assertThat(documented()).containsAll(registered());
    }

    @Test
    void the_document_describes_no_route_the_router_does_not_have() {
        assertThat(registered()).containsAll(documented());
    }

    @Test
    void every_operation_names_the_scope_it_needs_and_only_the_document_itself_is_open() {
        for (String operation : documented()) {
            String method = operation.substring(0, operation.indexOf(' '));
            String path = operation.substring(operation.indexOf(' ') + 1);
            JsonNode security = openApi.get("paths").get(path).get(method).get("security");
            assertThat(security).as("%s declares its security", operation).isNotNull();
            if (path.equals("/openapi.yaml")) {
                assertThat(security).as("the document needs no credential").isEmpty();
                continue;
            }
            JsonNode tags = openApi.get("paths").get(path).get(method).get("tags");
            if (tags != null && tags.toString().equals("[\"signals\"]")) {
                // Identity-provider signals: the signature of what is sent is the credential; a Shared
                // Signals transmitter may present its own bearer as well, never an admin's.
                assertThat(security.toString()).as("%s needs no admin credential", operation)
                        .isEqualTo(path.equals("/v1/ssf/events") ? "[{\"transmitterBearer\":[]}]" : "[]");
                assertThat(openApi.get("paths").get(path).get(method).get("responses").has("400")).as(operation).isTrue();
                continue;
            }
            String scope = method.equals("get") ? "revocations:read" : "revocations:write";
            assertThat(security.toString()).as(operation).isEqualTo("[{\"adminBearer\":[\"" + scope + "\"]}]");
            assertThat(openApi.get("paths").get(path).get(method).get("responses").has("401")).as(operation).isTrue();
            assertThat(openApi.get("paths").get(path).get(method).get("responses").has("403")).as(operation).isTrue();
        }
    }

    @Test
    void every_path_parameter_is_declared() {
        for (Iterator<String> paths = openApi.get("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            List<String> inPath = new ArrayList<>();
            Matcher m = OPENAPI_PARAM.matcher(path);
            while (m.find()) {
                inPath.add(m.group(1));
            }
            List<String> declared = new ArrayList<>();
            JsonNode parameters = openApi.get("paths").get(path).get("parameters");
            if (parameters != null) {
                for (JsonNode p : parameters) {
                    JsonNode resolved = p.has("$ref") ? openApi.at(p.get("$ref").asText().substring(1)) : p;
                    assertThat(resolved.isMissingNode()).as("%s resolves", p).isFalse();
                    if (resolved.get("in").asText().equals("path")) {
                        declared.add(resolved.get("name").asText());
                    }
                }
            }
            assertThat(declared).as(path).containsExactlyElementsOf(inPath);
        }
    }

    @Test
    void the_admin_api_serves_the_document_from_docs_without_a_credential() throws Exception {
        int port = vertx.createHttpServer(ListenerOptions.forListener("127.0.0.1", 0, 8192)).requestHandler(router)
                .listen().toCompletionStage().toCompletableFuture().get().actualPort();

        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/openapi.yaml")).build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/yaml"));
        assertThat(r.body()).as("one source: the served document is docs/openapi.yaml").isEqualTo(Files.readAllBytes(DOCUMENT));
    }
}
