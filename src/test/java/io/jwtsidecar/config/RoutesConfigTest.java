package io.jwtsidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jwtsidecar.authz.ForwardedRequest;
import io.jwtsidecar.authz.RoutePolicy;
import io.jwtsidecar.authz.RouteRule;
import io.jwtsidecar.authz.TokenLocation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** authz.*, routes and issuers[].tokenLocations: what loads, and every mistake named with its key. */
class RoutesConfigTest {
    private static final String BASE = "kafka:\n  bootstrapServers: b:9092\n"
            + "issuers:\n"
            + "  - issuer: https://idp.example\n"
            + "    audiences: [orders-api]\n"
            + "    tokenLocations: [header, cookie:at]\n"
            + "    keys:\n"
            + "      - kid: hs-1\n"
            + "        alg: HS256\n"
            + "        secret: \"0123456789abcdef0123456789abcdef-hs\"\n";

    private static SidecarConfig parse(String yaml, Map<String, String> env) {
        return new ConfigLoader(env).parse(BASE + yaml, Path.of("."));
    }

    private static List<String> errors(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml, Map.of())).errors();
    }

    @Test
    void without_authz_configuration_forward_auth_is_open_and_refuses_client_copies() {
        SidecarConfig config = new ConfigLoader(Map.of()).parse(BASE.replace("    tokenLocations: [header, cookie:at]\n", ""),
                Path.of("."));

        assertThat(config.authz().policy()).isEqualTo(RoutePolicy.open());
        assertThat(config.authz().refuseClientCopies()).isTrue();
    }

    @Test
    void routes_load_with_every_matcher_and_requirement() {
        SidecarConfig config = parse("""
                authz:
                  defaultAction: deny
                  clientIdentityHeaders: strip
                  tokenLocations: [header, "query:access_token"]
                routes:
                  - name: orders-read
                    hosts: [api.example.com, "*.shop.example"]
                    methods: [GET, HEAD]
                    path: /orders/{id}
                    issuers: [https://idp.example]
                    audiences: [orders-api]
                    scopes: [orders:read]
                    claims: { tenant: acme, level: [2, 3], verified: true }
                    acr: [mfa, hwk]
                    maxAge: 10m
                    tokenLocations: [cookie:at]
                  - name: rest
                    pathPrefix: /
                """, Map.of());

        RoutePolicy policy = config.authz().policy();
        assertThat(config.authz().refuseClientCopies()).isFalse();
        assertThat(policy.denyUnmatched()).isTrue();
        assertThat(policy.tokenLocations()).containsExactly(TokenLocation.HEADER, TokenLocation.parse("query:access_token"));
        assertThat(policy.issuerLocations()).isEqualTo(Map.of("https://idp.example",
                Set.of(TokenLocation.HEADER, TokenLocation.parse("cookie:at"))));
        RouteRule first = policy.routes().get(0);
        assertThat(first.name()).isEqualTo("orders-read");
        assertThat(first.methods()).containsExactlyInAnyOrder("GET", "HEAD");
        assertThat(first.requirements().scopes()).containsExactly("orders:read");
        assertThat(first.requirements().claims()).isEqualTo(Map.of("tenant", Set.of("acme"), "level", Set.of("2", "3"),
                "verified", Set.of("true")));
        assertThat(first.requirements().acrValues()).containsExactly("mfa", "hwk");
        assertThat(first.requirements().maxAge()).isEqualTo(Duration.ofMinutes(10));
        assertThat(first.tokenLocations()).containsExactly(TokenLocation.parse("cookie:at"));
        assertThat(first.covers(new ForwardedRequest("GET", "a.shop.example", "/orders/9", null, null))).isTrue();
        assertThat(first.covers(new ForwardedRequest("GET", "a.shop.example", "/orders/9/x", null, null))).isFalse();
        assertThat(policy.routes().get(1).covers(new ForwardedRequest("PATCH", null, "/x", null, null))).isTrue();
    }

    @Test
    void the_scalar_authz_keys_come_from_the_environment_too() {
        SidecarConfig config = parse("routes:\n  - name: all\n", Map.of("JWT_SIDECAR_AUTHZ_DEFAULT_ACTION", "deny",
                "JWT_SIDECAR_AUTHZ_CLIENT_IDENTITY_HEADERS", "strip"));

        assertThat(config.authz().policy().denyUnmatched()).isTrue();
        assertThat(config.authz().refuseClientCopies()).isFalse();
    }

    @Test
    void every_mistake_is_named_with_its_key_and_value() {
        List<String> errors = errors("""
                authz:
                  defaultAction: maybe
                  clientIdentityHeaders: keep
                  tokenLocations: [header, body:token]
                  tokenLocation: header
                routes:
                  - name: a
                    path: /orders/../admin
                  - name: a
                    pathPrefix: /x
                    path: /y
                  - name: "bad name"
                    hosts: ["api.example.com:443"]
                    methods: ["GET POST"]
                  - name: b
                    issuers: [https://unknown.example]
                    maxAge: forever
                    claims: { tenant: [] , obj: [{a: 1}] }
                    tokenLocations: []
                    scope: [x]
                  - just-a-string
                """);

        assertThat(errors).contains(
                "authz.defaultAction: must be allow or deny, got 'maybe'",
                "authz.clientIdentityHeaders: must be refuse or strip, got 'keep'",
                "authz.tokenLocations: 'body:token' is not header, cookie:NAME or query:NAME",
                "authz.tokenLocation: unknown key",
                "routes[1].name: 'a' is configured twice",
                "routes[1]: give path or pathPrefix, not both",
                "routes[2].name: 'bad name' must be 1 to 64 letters, digits and . _ : - (it labels metrics)",
                "routes[2].methods: 'GET POST' is not an HTTP method",
                "routes[3].issuers: 'https://unknown.example' is not the issuer of any entry of issuers (exact match)",
                "routes[3].claims.tenant: at least one accepted value is required",
                "routes[3].claims.obj: values must be strings, numbers or booleans",
                "routes[3].tokenLocations: must be a non-empty list of header, cookie:NAME or query:NAME",
                "routes[3].scope: unknown key",
                "routes[4]: must be a mapping with a name");
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("routes[0].path: '/orders/../admin': ")
                .contains("'..'"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("routes[2].hosts: 'api.example.com:443'"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("routes[3].maxAge: 'forever' is"));
    }

    @Test
    void with_case_insensitive_paths_a_route_covers_every_spelling_of_its_path() {
        RoutePolicy policy = parse("""
                authz:
                  caseInsensitivePaths: true
                routes:
                  - name: admin
                    pathPrefix: /Admin
                    claims: { roles: admin }
                  - name: rest
                """, Map.of()).authz().policy();
        RoutePolicy sensitive = parse("routes:\n  - name: admin\n    pathPrefix: /admin\n", Map.of()).authz().policy();

        for (String path : List.of("/admin/users", "/ADMIN/users", "/aDmIn")) {
            assertThat(policy.match(new ForwardedRequest("GET", null, path, null, null)).map(RouteRule::name))
                    .as(path).contains("admin");
        }
        assertThat(sensitive.match(new ForwardedRequest("GET", null, "/ADMIN/users", null, null))).isEmpty();
    }

    @Test
    void deny_without_any_route_would_refuse_everything_and_is_refused() {
        assertThat(errors("authz:\n  defaultAction: deny\n"))
                .containsExactly("authz.defaultAction: 'deny' with no routes would refuse every forward-auth request; add routes");
    }

    @Test
    void a_bad_issuer_token_location_is_named() {
        List<String> errors = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of())
                .parse(BASE.replace("cookie:at", "cookie"), Path.of("."))).errors();

        assertThat(errors).containsExactly("issuers[0].tokenLocations: 'cookie' is not header, cookie:NAME or query:NAME");
    }
}
