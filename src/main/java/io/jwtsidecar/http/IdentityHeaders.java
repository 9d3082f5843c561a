package io.jwtsidecar.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.jwtsidecar.token.VerifiedToken;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The headers that carry a verified identity to the service (or, behind a proxy's forward
 * auth, to the upstream): {@code X-Auth-Subject}, {@code X-Auth-Issuer} and
 * {@code X-Auth-Claims}, plus any configured claim-to-header mapping ({@code api.claimHeaders},
 * e.g. {@code X-User-Email: email}). String claims are sent as they are, other JSON values in
 * their JSON form; every value is made header-safe (see {@link HttpResponses#headerSafe}).
 *
 * <p>All or nothing: an accepted answer names every one of these headers, with an empty value
 * where the token has no such claim, so a proxy that copies them over the client's request
 * overwrites every client copy instead of leaving one standing where a claim is absent. The
 * whole {@code X-Auth-*} family, the mapped headers and {@code X-Revocation-Stale} belong to
 * the sidecar: {@link #clientCopies} finds a client's attempt to send one. Immutable; safe
 * from any event loop.
 */
public final class IdentityHeaders {
    // Pre-encoded names (Netty AsciiString): no validation or hashing per answer.
    private static final CharSequence ISSUER = HttpHeaders.createOptimized(HttpResponses.ISSUER_HEADER);
    private static final CharSequence SUBJECT = HttpHeaders.createOptimized(HttpResponses.SUBJECT_HEADER);
    private static final CharSequence CLAIMS = HttpHeaders.createOptimized(HttpResponses.CLAIMS_HEADER);
    /** Every header whose name starts with this (case-insensitively) is the sidecar's to set. */
    public static final String FAMILY_PREFIX = "x-auth-";

    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final Map<String, String> claimByHeader;
    private final Set<String> ownedLowerCase;

    /**
     * @param claimByHeader header name → claim name
     * @throws IllegalArgumentException for a header name that is not an HTTP token
     */
    public IdentityHeaders(Map<String, String> claimByHeader) {
        Set<String> owned = new TreeSet<>();
        for (String header : claimByHeader.keySet()) {
            if (!HEADER_NAME.matcher(header).matches()) {
                throw new IllegalArgumentException("'" + header + "' is not a valid HTTP header name");
            }
            owned.add(header.toLowerCase(Locale.ROOT));
        }
        owned.add(HttpResponses.STALE_HEADER.toLowerCase(Locale.ROOT));
        for (String fixed : List.of(HttpResponses.SUBJECT_HEADER, HttpResponses.ISSUER_HEADER, HttpResponses.CLAIMS_HEADER)) {
            owned.add(fixed.toLowerCase(Locale.ROOT));
        }
        this.claimByHeader = Map.copyOf(claimByHeader);
        this.ownedLowerCase = Set.copyOf(owned);
    }

    /** Whether every accepted forward-auth answer names this header (so a proxy overwrites the client's copy). */
    boolean setsOnEveryAnswer(String header) {
        // Exact names only: X_Auth_Subject is not overwritten by X-Auth-Subject, so it must be removed.
        return ownedLowerCase.contains(header.toLowerCase(Locale.ROOT));
    }

    /** The mapped claim headers ({@code api.claimHeaders}), by header name. */
    public Map<String, String> claimHeaders() {
        return claimByHeader;
    }

    void apply(HttpServerResponse response, VerifiedToken token) {
        response.putHeader(ISSUER, HttpResponses.headerSafe(token.issuer()));
        response.putHeader(SUBJECT, token.subject() == null ? "" : HttpResponses.headerSafe(token.subject()));
        response.putHeader(CLAIMS, token.payloadSegment());
        claimByHeader.forEach((header, claim) -> {
            JsonNode value = token.claims().get(claim);
            String text = value == null || value.isNull() ? "" : value.isTextual() ? value.textValue() : value.toString();
            response.putHeader(header, HttpResponses.headerSafe(text));
        });
    }

    /**
     * The request headers a client may not send because the sidecar sets them: the
     * {@code X-Auth-*} family, the mapped claim headers and {@code X-Revocation-Stale}. An
     * underscore counts as a hyphen: CGI, WSGI, Rack and PHP hand {@code X_Auth_Subject} to the
     * application under the same name as {@code X-Auth-Subject}.
     *
     * @return their names as sent, in order; empty for a clean request
     */
    public List<String> clientCopies(MultiMap requestHeaders) {
        List<String> found = new ArrayList<>(0);
        for (String name : requestHeaders.names()) {
            String lower = name.toLowerCase(Locale.ROOT).replace('_', '-');
            if (lower.startsWith(FAMILY_PREFIX) || ownedLowerCase.contains(lower)) {
                found.add(name);
            }
        }
        return found;
    }
}
