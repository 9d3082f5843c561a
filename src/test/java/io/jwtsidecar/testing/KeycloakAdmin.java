package io.jwtsidecar.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Keycloak's admin REST API and token endpoint, as much as the tests need: realms, a confidential
 * client with a back-channel logout URL, users with passwords, password grants, and logging a
 * user out. Every failure names the call and Keycloak's answer.
 */
public final class KeycloakAdmin {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Master realm tokens live 60 s by default: a new one is taken when this little is left. */
    private static final Duration TOKEN_MARGIN = Duration.ofSeconds(15);

    private final HttpClient http;
    private final String baseUrl;
    private final String user;
    private final String password;
    private String adminToken;
    private long adminTokenExpiresAtNanos;

    KeycloakAdmin(HttpClient http, String baseUrl, String user, String password) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.user = user;
        this.password = password;
    }

    /** The tokens of a password grant. */
    public record Tokens(String accessToken, String refreshToken, String idToken, JsonNode response) {
    }

    /** A confidential client's id (the one in URLs), client_id and secret. */
    public record Client(String id, String clientId, String secret) {
    }

    /** The issuer ({@code iss}) of the realm's tokens. */
    public String issuer(String realm) {
        return baseUrl + "/realms/" + realm;
    }

    /** The realm's JWKS URL. */
    public String jwksUrl(String realm) {
        return issuer(realm) + "/protocol/openid-connect/certs";
    }

    public void createRealm(String realm) {
        send("create realm " + realm, adminRequest("/admin/realms").POST(json(Map.of("realm", realm, "enabled", true))),
                201);
    }

    /**
     * A confidential client that may use the password grant, whose access tokens carry
     * {@code audience} (an audience mapper), and to which Keycloak posts logout tokens (with
     * {@code sid}) at {@code backchannelLogoutUrl} when one of its users' sessions ends.
     */
    public Client createClient(String realm, String clientId, String audience, String backchannelLogoutUrl) {
        String secret = clientId + "-secret-0123456789";
        Map<String, Object> mapper = Map.of(
                "name", "audience " + audience,
                "protocol", "openid-connect",
                "protocolMapper", "oidc-audience-mapper",
                "config", Map.of(
                        "included.custom.audience", audience,
                        "access.token.claim", "true",
                        "id.token.claim", "false",
                        "introspection.token.claim", "true"));
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", clientId);
        client.put("enabled", true);
        client.put("protocol", "openid-connect");
        client.put("publicClient", false);
        client.put("secret", secret);
        client.put("standardFlowEnabled", false);
        client.put("directAccessGrantsEnabled", true);
        client.put("frontchannelLogout", false);
        client.put("attributes", Map.of(
                "backchannel.logout.url", backchannelLogoutUrl,
                "backchannel.logout.session.required", "true"));
        client.put("protocolMappers", List.of(mapper));
        HttpResponse<String> r = send("create client " + clientId,
                adminRequest("/admin/realms/" + realm + "/clients").POST(json(client)), 201);
        return new Client(idFromLocation(r), clientId, secret);
    }

    /** A user with a password (not temporary) and the profile Keycloak 26 asks for; returns its id. */
    public String createUser(String realm, String username, String userPassword) {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("username", username);
        u.put("enabled", true);
        u.put("email", username + "@example.test");
        u.put("emailVerified", true);
        u.put("firstName", username);
        u.put("lastName", "Test");
        u.put("credentials", List.of(Map.of("type", "password", "value", userPassword, "temporary", false)));
        HttpResponse<String> r = send("create user " + username,
                adminRequest("/admin/realms/" + realm + "/users").POST(json(u)), 201);
        return idFromLocation(r);
    }

    /** A password (direct access) grant for a user through a client. */
    public Tokens passwordGrant(String realm, Client client, String username, String userPassword) {
        JsonNode body = tokenRequest(issuer(realm), Map.of(
                "grant_type", "password",
                "client_id", client.clientId(),
                "client_secret", client.secret(),
                "username", username,
                "password", userPassword,
                "scope", "openid"));
        return new Tokens(body.path("access_token").asText(), body.path("refresh_token").asText(null),
                body.path("id_token").asText(null), body);
    }

    /** Ends every session of the user: Keycloak then sends back-channel logouts to the clients. */
    public void logout(String realm, String userId) {
        send("log out user " + userId,
                adminRequest("/admin/realms/" + realm + "/users/" + userId + "/logout")
                        .POST(HttpRequest.BodyPublishers.noBody()), 204);
    }

    /**
     * Adds an RS256 key of higher priority than any the realm has: Keycloak signs with it from now
     * on, and keeps publishing the older keys in its JWKS. Returns the new key's kid.
     */
    public String rotateSigningKey(String realm, int priority) {
        String realmId = parse(send("realm " + realm, adminRequest("/admin/realms/" + realm).GET(), 200).body())
                .path("id").asText();
        Map<String, Object> component = new LinkedHashMap<>();
        component.put("name", "rsa-" + priority);
        component.put("providerId", "rsa-generated");
        component.put("providerType", "org.keycloak.keys.KeyProvider");
        component.put("parentId", realmId);
        component.put("config", Map.of(
                "priority", List.of(String.valueOf(priority)),
                "keySize", List.of("2048"),
                "active", List.of("true"),
                "enabled", List.of("true"),
                "algorithm", List.of("RS256")));
        String providerId = idFromLocation(send("add a signing key to " + realm,
                adminRequest("/admin/realms/" + realm + "/components").POST(json(component)), 201));
        JsonNode keys = parse(send("keys of " + realm, adminRequest("/admin/realms/" + realm + "/keys").GET(), 200).body());
        for (JsonNode key : keys.path("keys")) {
            if (providerId.equals(key.path("providerId").asText())) {
                return key.path("kid").asText();
            }
        }
        throw new IllegalStateException("Keycloak lists no key of the new provider " + providerId + ": " + keys);
    }

    /** The user's sessions as Keycloak lists them. */
    public JsonNode sessions(String realm, String userId) {
        return parse(send("sessions of " + userId,
                adminRequest("/admin/realms/" + realm + "/users/" + userId + "/sessions").GET(), 200).body());
    }

    private synchronized String adminToken() {
        if (adminToken == null || System.nanoTime() > adminTokenExpiresAtNanos) {
            JsonNode body = tokenRequest(issuer("master"), Map.of(
                    "grant_type", "password", "client_id", "admin-cli", "username", user, "password", password));
            adminToken = body.path("access_token").asText();
            long lifetime = body.path("expires_in").asLong(60);
            adminTokenExpiresAtNanos = System.nanoTime()
                    + Duration.ofSeconds(lifetime).minus(TOKEN_MARGIN).toNanos();
        }
        return adminToken;
    }

    private JsonNode tokenRequest(String issuer, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(issuer + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return parse(send("token from " + issuer + " (" + form.get("grant_type") + ")", b, 200).body());
    }

    private HttpRequest.Builder adminRequest(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + adminToken())
                .header("Content-Type", "application/json");
    }

    private HttpResponse<String> send(String what, HttpRequest.Builder request, int expected) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                throw new IllegalStateException("Keycloak: " + what + ": expected " + expected + ", got "
                        + r.statusCode() + ": " + r.body());
            }
            return r;
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak: " + what + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpRequest.BodyPublisher json(Object value) {
        try {
            return HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(value));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + body, e);
        }
    }

    private static String idFromLocation(HttpResponse<String> created) {
        String location = created.headers().firstValue("Location")
                .orElseThrow(() -> new IllegalStateException("Keycloak answered 201 without a Location"));
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
