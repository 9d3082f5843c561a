package io.jwtsidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.jwtsidecar.authz.HostPattern;
import io.jwtsidecar.authz.PathPattern;
import io.jwtsidecar.authz.Requirements;
import io.jwtsidecar.authz.RoutePolicy;
import io.jwtsidecar.authz.RouteRule;
import io.jwtsidecar.authz.TokenLocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads forward auth's configuration: {@code authz.tokenLocations}, the {@code routes} list and
 * each issuer's {@code tokenLocations}, into a {@link RoutePolicy}. Adds every problem to the
 * loader's error list, naming the key ({@code routes[2].path}) and the value.
 */
final class AuthzConfigReader {
    static final String TOKEN_LOCATIONS = "authz.tokenLocations";
    static final String ROUTES = "routes";
    private static final Pattern METHOD = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}");
    private static final Pattern ROUTE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

    private final JsonNode root;
    private final List<String> errors;
    private boolean caseInsensitive;

    AuthzConfigReader(JsonNode root, List<String> errors) {
        this.root = root;
        this.errors = errors;
    }

    /**
     * @param denyUnmatched       {@code authz.defaultAction} is deny
     * @param caseInsensitive     {@code authz.caseInsensitivePaths}: route paths match ignoring case
     * @param configuredIssuers   the {@code iss} of every issuer entry
     */
    RoutePolicy read(boolean denyUnmatched, boolean caseInsensitive, Set<String> configuredIssuers) {
        this.caseInsensitive = caseInsensitive;
        JsonNode authz = root.get("authz");
        List<TokenLocation> defaults = List.of(TokenLocation.HEADER);
        if (authz != null && authz.isObject() && authz.has("tokenLocations")) {
            defaults = locations(TOKEN_LOCATIONS, authz.get("tokenLocations"));
            if (defaults.isEmpty()) {
                defaults = List.of(TokenLocation.HEADER);
            }
        }
        List<RouteRule> routes = routes(configuredIssuers);
        Map<String, Set<TokenLocation>> byIssuer = issuerLocations();
        if (denyUnmatched && routes.isEmpty()) {
            errors.add(ConfigKeys.AUTHZ_DEFAULT_ACTION.name() + ": 'deny' with no routes would refuse every forward-auth "
                    + "request; add routes");
        }
        return new RoutePolicy(routes, denyUnmatched, defaults, byIssuer, caseInsensitive);
    }

    private List<RouteRule> routes(Set<String> configuredIssuers) {
        List<RouteRule> result = new ArrayList<>();
        JsonNode list = root.get(ROUTES);
        if (list == null || list.isNull()) {
            return result;
        }
        if (!list.isArray()) {
            errors.add(ROUTES + ": must be a list of routes, each a mapping with a name");
            return result;
        }
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String at = ROUTES + "[" + i + "]";
            JsonNode n = list.get(i);
            if (!n.isObject()) {
                errors.add(at + ": must be a mapping with a name");
                continue;
            }
            int before = errors.size();
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (ConfigKeys.ROUTE_KEYS.stream().noneMatch(k -> k.name().equals(f))) {
                    errors.add(at + "." + f + ": unknown key");
                }
            }
            String name = text(n, at, ConfigKeys.ROUTE_NAME);
            if (name == null) {
                errors.add(at + ".name: required");
            } else if (!ROUTE_NAME.matcher(name).matches()) {
                errors.add(at + ".name: '" + name + "' must be 1 to 64 letters, digits and . _ : - (it labels metrics)");
            } else if (!names.add(name)) {
                errors.add(at + ".name: '" + name + "' is configured twice");
            }
            List<HostPattern> hosts = new ArrayList<>();
            for (String h : strings(n, at, ConfigKeys.ROUTE_HOSTS)) {
                try {
                    hosts.add(HostPattern.of(h));
                } catch (IllegalArgumentException e) {
                    errors.add(at + ".hosts: " + e.getMessage());
                }
            }
            Set<String> methods = new LinkedHashSet<>();
            for (String m : strings(n, at, ConfigKeys.ROUTE_METHODS)) {
                if (!METHOD.matcher(m).matches()) {
                    errors.add(at + ".methods: '" + m + "' is not an HTTP method");
                }
                methods.add(m);
            }
            PathPattern path = path(n, at);
            Set<String> issuers = new LinkedHashSet<>(strings(n, at, ConfigKeys.ROUTE_ISSUERS));
            for (String iss : issuers) {
                if (!configuredIssuers.contains(iss)) {
                    errors.add(at + ".issuers: '" + iss + "' is not the issuer of any entry of issuers (exact match)");
                }
            }
            Duration maxAge = null;
            String maxAgeText = text(n, at, ConfigKeys.ROUTE_MAX_AGE);
            if (maxAgeText != null) {
                try {
                    maxAge = Durations.parse(maxAgeText);
                    if (maxAge.isNegative() || maxAge.isZero()) {
                        errors.add(at + ".maxAge: must be longer than zero, got '" + maxAgeText + "'");
                    }
                } catch (IllegalArgumentException e) {
                    errors.add(at + ".maxAge: '" + maxAgeText + "' is " + e.getMessage());
                }
            }
            Requirements requirements = new Requirements(issuers,
                    new LinkedHashSet<>(strings(n, at, ConfigKeys.ROUTE_AUDIENCES)), claims(n, at),
                    strings(n, at, ConfigKeys.ROUTE_SCOPES), strings(n, at, ConfigKeys.ROUTE_ACR), maxAge);
            List<TokenLocation> locations = n.has(ConfigKeys.ROUTE_TOKEN_LOCATIONS.name())
                    ? locations(at + ".tokenLocations", n.get(ConfigKeys.ROUTE_TOKEN_LOCATIONS.name())) : List.of();
            if (errors.size() == before && name != null) {
                result.add(new RouteRule(name, hosts, methods, path, requirements, locations));
            }
        }
        return result;
    }

    private @Nullable PathPattern path(JsonNode n, String at) {
        String template = text(n, at, ConfigKeys.ROUTE_PATH);
        String prefix = text(n, at, ConfigKeys.ROUTE_PATH_PREFIX);
        if (template != null && prefix != null) {
            errors.add(at + ": give path or pathPrefix, not both");
            return null;
        }
        try {
            PathPattern pattern = template != null ? PathPattern.template(template)
                    : prefix != null ? PathPattern.prefix(prefix) : null;
            return pattern != null && caseInsensitive ? pattern.ignoringCase() : pattern;
        } catch (IllegalArgumentException e) {
            errors.add(at + (template != null ? ".path: '" + template : ".pathPrefix: '" + prefix) + "': " + e.getMessage());
            return null;
        }
    }

    /** {@code claims}: claim name → a value or a list of values, each a string, number or boolean. */
    private Map<String, Set<String>> claims(JsonNode n, String at) {
        Map<String, Set<String>> result = new LinkedHashMap<>();
        JsonNode claims = n.get(ConfigKeys.ROUTE_CLAIMS.name());
        if (claims == null || claims.isNull()) {
            return result;
        }
        if (!claims.isObject()) {
            errors.add(at + ".claims: must be a mapping of claim name to accepted value(s)");
            return result;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = claims.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Set<String> values = new LinkedHashSet<>();
            JsonNode v = e.getValue();
            for (JsonNode value : v.isArray() ? v : List.of(v)) {
                if (!value.isValueNode() || value.isNull()) {
                    errors.add(at + ".claims." + e.getKey() + ": values must be strings, numbers or booleans");
                } else {
                    values.add(value.asText());
                }
            }
            if (values.isEmpty()) {
                errors.add(at + ".claims." + e.getKey() + ": at least one accepted value is required");
            }
            result.put(e.getKey(), values);
        }
        return result;
    }

    private Map<String, Set<TokenLocation>> issuerLocations() {
        Map<String, Set<TokenLocation>> result = new LinkedHashMap<>();
        JsonNode list = root.get("issuers");
        if (list == null || !list.isArray()) {
            return result;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode n = list.get(i);
            String key = ConfigKeys.ISSUER_TOKEN_LOCATIONS.name();
            if (n.isObject() && n.has(key) && n.get("issuer") != null && n.get("issuer").isTextual()) {
                List<TokenLocation> locations = locations("issuers[" + i + "]." + key, n.get(key));
                if (!locations.isEmpty()) {
                    result.put(n.get("issuer").textValue(), new LinkedHashSet<>(locations));
                }
            }
        }
        return result;
    }

    private List<TokenLocation> locations(String at, JsonNode list) {
        List<TokenLocation> result = new ArrayList<>();
        if (list == null || !list.isArray() || list.isEmpty()) {
            errors.add(at + ": must be a non-empty list of header, cookie:NAME or query:NAME");
            return result;
        }
        for (JsonNode l : list) {
            try {
                TokenLocation location = TokenLocation.parse(l.asText());
                if (result.contains(location)) {
                    errors.add(at + ": '" + location + "' is listed twice");
                }
                result.add(location);
            } catch (IllegalArgumentException e) {
                errors.add(at + ": " + e.getMessage());
            }
        }
        return result;
    }

    private @Nullable String text(JsonNode n, String at, ConfigKey<?> key) {
        JsonNode v = n.get(key.name());
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            errors.add(at + "." + key.name() + ": must be a single value");
            return null;
        }
        return v.asText();
    }

    private List<String> strings(JsonNode n, String at, ConfigKey<?> key) {
        JsonNode v = n.get(key.name());
        List<String> result = new ArrayList<>();
        if (v == null || v.isNull()) {
            return result;
        }
        for (JsonNode e : v.isArray() ? v : List.of(v)) {
            if (!e.isValueNode() || e.isNull()) {
                errors.add(at + "." + key.name() + ": must be a list of strings");
                return List.of();
            }
            result.add(e.asText());
        }
        return result;
    }
}
