package io.jwtsidecar.token;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The scopes a token grants: its {@code scope} claim (a space-separated string, RFC 8693 §4.2 and
 * RFC 9068 §2.2.3) and its {@code scp} claim (a list of strings, or a space-separated string, as
 * some identity providers send it). Stateless.
 */
public final class TokenScopes {
    private TokenScopes() {
    }

    /**
     * @param claims the token's claims set
     * @return the scopes of both claims (empty when neither is present), or empty when either
     *         claim has a type no issuer should send: a malformed grant is never read as "no scopes"
     */
    public static Optional<Set<String>> of(JsonNode claims) {
        Set<String> scopes = new LinkedHashSet<>();
        JsonNode scope = claims.get("scope");
        if (scope != null && !scope.isNull()) {
            if (!scope.isTextual()) {
                return Optional.empty();
            }
            addSpaceSeparated(scopes, scope.textValue());
        }
        JsonNode scp = claims.get("scp");
        if (scp != null && !scp.isNull()) {
            if (scp.isTextual()) {
                addSpaceSeparated(scopes, scp.textValue());
            } else if (scp.isArray()) {
                for (JsonNode s : scp) {
                    if (!s.isTextual()) {
                        return Optional.empty();
                    }
                    scopes.add(s.textValue());
                }
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(Set.copyOf(scopes));
    }

    /** RFC 6749 §3.3: scope tokens are separated by single spaces; extra spaces are forgiven. */
    private static void addSpaceSeparated(Set<String> into, String spaceSeparated) {
        for (String s : spaceSeparated.split(" ")) {
            if (!s.isEmpty()) {
                into.add(s);
            }
        }
    }
}
