package io.jwtsidecar.http;

import io.jwtsidecar.token.VerifiedToken;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The headers that carry a verified identity to the service (or, behind a proxy's forward
 * auth, to the upstream): always {@code X-Auth-Subject}, {@code X-Auth-Issuer} and
 * {@code X-Auth-Claims}, plus any configured claim-to-header mapping ({@code api.claimHeaders},
 * e.g. {@code X-User-Email: email}). String claims are sent as they are, other JSON values in
 * their JSON form; every value is made header-safe (see {@link HttpResponses#headerSafe}).
 * Immutable; safe from any event loop.
 */
public final class IdentityHeaders {
    // Pre-encoded names (Netty AsciiString): no validation or hashing per answer.
    private static final CharSequence ISSUER = io.vertx.core.http.HttpHeaders.createOptimized(HttpResponses.ISSUER_HEADER);
    private static final CharSequence SUBJECT = io.vertx.core.http.HttpHeaders.createOptimized(HttpResponses.SUBJECT_HEADER);
    private static final CharSequence CLAIMS = io.vertx.core.http.HttpHeaders.createOptimized(HttpResponses.CLAIMS_HEADER);

    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final Map<String, String> claimByHeader;

    /**
     * @param claimByHeader header name → claim name
     * @throws IllegalArgumentException for a header name that is not an HTTP token
     */
    public IdentityHeaders(Map<String, String> claimByHeader) {
        for (String header : claimByHeader.keySet()) {
            if (!HEADER_NAME.matcher(header).matches()) {
                throw new IllegalArgumentException("'" + header + "' is not a valid HTTP header name");
            }
        }
        this.claimByHeader = Map.copyOf(claimByHeader);
    }

    void apply(HttpServerResponse response, VerifiedToken token) {
        response.putHeader(ISSUER, HttpResponses.headerSafe(token.issuer()));
        if (token.subject() != null) {
            response.putHeader(SUBJECT, HttpResponses.headerSafe(token.subject()));
        }
        response.putHeader(CLAIMS, token.payloadSegment());
        if (claimByHeader.isEmpty()) {
            return;
        }
        JsonObject claims = new JsonObject(new String(token.claimsJson(), StandardCharsets.UTF_8));
        claimByHeader.forEach((header, claim) -> {
            Object value = claims.getValue(claim);
            if (value != null) {
                String text = value instanceof String ? (String) value : io.vertx.core.json.Json.encode(value);
                response.putHeader(header, HttpResponses.headerSafe(text));
            }
        });
    }
}
