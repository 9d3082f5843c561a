package io.jwtsidecar.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

/**
 * One error answer of the admin API: a status and a JSON body {@code {"error": code, …}}. Every
 * error the admin routes, the fleet routes and the {@link AdminAuthenticator} give is made here,
 * so that a code always has one status and one shape (docs/openapi.yaml describes each).
 *
 * <p>A value, so that an answer kept for idempotent repeats ({@link RecentPublishes}) is sent
 * again exactly as it was. The body is rendered once, when the error is made. Headers that go
 * with some refusals ({@code WWW-Authenticate}, {@code Retry-After}) are the caller's to set.
 *
 * @param status the HTTP status
 * @param code   the {@code error} member, for callers that decide by it
 * @param body   the JSON body, as sent
 */
record AdminError(int status, String code, String body) {

    /** 400: the request is malformed; {@code field} names the body field, query parameter or path segment. */
    static AdminError invalidRequest(String field, String message) {
        return of(400, new JsonObject().put("error", "invalid_request").put("field", field).put("message", message));
    }

    /** 409: {@code field} conflicts with what this sidecar holds or with an earlier request. */
    static AdminError conflict(String field, String message) {
        return of(409, new JsonObject().put("error", "conflict").put("field", field).put("message", message));
    }

    /** 503: this sidecar's store could not be read. */
    static AdminError storeUnavailable() {
        return of(503, new JsonObject().put("error", "store_unavailable"));
    }

    /** 500: something failed that no request can cause; the log says what. */
    static AdminError internal() {
        return of(500, new JsonObject().put("error", "internal"));
    }

    /** 503: Kafka did not take the event, so it was not published. */
    static AdminError publishFailed(String eventId, String message) {
        return of(503, new JsonObject().put("error", "publish_failed").put("eventId", eventId).put("message", message));
    }

    /** 500: the event was published, and this sidecar's own feed dead-lettered it. */
    static AdminError refusedBySidecars(String eventId, int partition, long offset, String message) {
        return of(500, new JsonObject().put("error", "refused_by_sidecars").put("eventId", eventId)
                .put("partition", partition).put("offset", offset).put("message", message));
    }

    /**
     * 403: the credential is limited to other issuers.
     *
     * @param issuer the rule's issuer; null (sent as {@code null}) when what was asked spans every issuer
     */
    static AdminError issuerNotPermitted(@Nullable String issuer, String message) {
        return of(403, new JsonObject().put("error", "issuer_not_permitted").put("issuer", issuer).put("message", message));
    }

    /** 404: the fleet routes know no recent event of that id. */
    static AdminError unknownEvent(String eventId) {
        return of(404, new JsonObject().put("error", "unknown_event").put("eventId", eventId)
                .put("message", "this sidecar has not read that event recently"));
    }

    /**
     * A credential refused with nothing but its code: 401 {@code unauthorized} or
     * {@code invalid_token}, 403 {@code insufficient_scope}, 503 with the verdict that cannot be
     * judged now.
     */
    static AdminError credentialRefused(int status, String code) {
        return of(status, new JsonObject().put("error", code));
    }

    void send(HttpServerResponse response) {
        HttpResponses.json(response, status, body);
    }

    private static AdminError of(int status, JsonObject body) {
        return new AdminError(status, body.getString("error"), body.encode());
    }
}
