package io.jwtsidecar.http;

import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.RuleKeys;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.TokenVerifier;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Turns admin requests into revocation events, refusing bad input with a {@link FieldException}
 * that names the field (the body member, path segment or query parameter) at fault. The rule
 * key checks are the event decoder's ({@link RuleKeys}), so the admin API never publishes what
 * every sidecar would dead-letter.
 *
 * <p>Stateless apart from the clock and the verifier's issuer policies; thread-safe.
 */
final class RevocationRequests {
    /** Members of a {@code POST /v1/revocations} body. */
    static final List<String> REVOKE_FIELDS =
            List.of("scope", "issuer", "value", "reason", "actor", "at", "expiresAt", "eventId");
    /** How far ahead of now a rule time may be. */
    private static final long MAX_FUTURE_SECONDS = 300;
    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final TokenVerifier verifier;
    private final Clock clock;

    RevocationRequests(TokenVerifier verifier, Clock clock) {
        this.verifier = verifier;
        this.clock = clock;
    }

    /**
     * A revoke event from a {@code POST /v1/revocations} body, whose members are all among
     * {@link #REVOKE_FIELDS} (the caller checks that first).
     *
     * @param actor who asked (the authenticated principal)
     */
    RevocationEvent revoke(JsonObject body, String actor) throws FieldException {
        String scopeName = string(body, "scope", false);
        String issuer = string(body, "issuer", false);
        RuleKey key = ruleKey(scopeName, issuer, string(body, "value", false));
        String reason = text(body, "reason");
        text(body, "actor"); // checked here, recorded in the audit log as onBehalfOf
        String eventId = eventId(string(body, "eventId", false));
        long now = clock.instant().getEpochSecond();
        long at = seconds(body, "at", now);
        if (at > now + MAX_FUTURE_SECONDS) {
            throw new FieldException("at", "must not be more than 5 minutes in the future");
        }
        Optional<IssuerPolicy> policy = verifier.policy(key.issuer());
        Long expiresAt = body.containsKey("expiresAt") ? seconds(body, "expiresAt", 0) : null;
        if (expiresAt == null) {
            if (policy.isEmpty()) {
                throw new FieldException("expiresAt", "required for an issuer this sidecar does not know");
            }
            expiresAt = at + policy.get().maxTokenLifetime().toSeconds();
        }
        if (expiresAt < at) {
            throw new FieldException("expiresAt", "must not be before at");
        }
        return new RevocationEvent(eventId, RevocationEvent.Type.REVOKE, key, at, expiresAt, reason, eventActor(actor));
    }

    /**
     * A restore event for {@code key}, at now. Its {@code expiresAt} is a token lifetime later
     * for a known issuer (no revocation older than the restore can matter after that), else now.
     *
     * @param eventId the client's event id (canonical UUID), or null for a fresh one
     * @param reason  free text, or null
     * @param actor   who asked (the authenticated principal)
     */
    RevocationEvent restore(RuleKey key, String eventId, String reason, String actor) throws FieldException {
        long at = clock.instant().getEpochSecond();
        long expiresAt = verifier.policy(key.issuer()).map(p -> at + p.maxTokenLifetime().toSeconds()).orElse(at);
        return new RevocationEvent(eventId(eventId), RevocationEvent.Type.RESTORE, key, at, expiresAt,
                checkText("reason", reason), eventActor(actor));
    }

    /**
     * A rule key from its parts; {@code value} may be null (absent) for scope {@code issuer}.
     * Field names are {@code scope}, {@code issuer} and {@code value}.
     */
    static RuleKey ruleKey(String scopeName, String issuer, String value) throws FieldException {
        if (scopeName == null) {
            throw new FieldException("scope", "required");
        }
        RevocationScope scope = RevocationScope.fromWireName(scopeName).orElseThrow(() -> new FieldException("scope",
                "must be one of " + Arrays.stream(RevocationScope.values()).map(RevocationScope::wireName).toList()));
        if (issuer == null) {
            throw new FieldException("issuer", "required");
        }
        if (value == null && scope != RevocationScope.ISSUER) {
            throw new FieldException("value", "required");
        }
        String v = value == null ? "" : value;
        try {
            RuleKeys.check(scope, issuer, v);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int colon = message.indexOf(':');
            throw new FieldException(message.substring(0, colon), message.substring(colon + 2));
        }
        return new RuleKey(scope, issuer, v);
    }

    /**
     * The client's event id, lower-cased, or a fresh random one when null.
     *
     * @throws FieldException {@code eventId} when it is not a canonical UUID (8-4-4-4-12 hex digits)
     */
    static String eventId(String requested) throws FieldException {
        if (requested == null) {
            return UUID.randomUUID().toString();
        }
        String id = requested.toLowerCase(Locale.ROOT);
        if (!CANONICAL_UUID.matcher(id).matches()) {
            throw new FieldException("eventId", "must be a UUID in canonical form (8-4-4-4-12 hex digits)");
        }
        return id;
    }

    /** Free text (reason, actor) up to the event schema's length, without control characters. */
    static String checkText(String field, String text) throws FieldException {
        if (text == null) {
            return null;
        }
        if (text.length() > EventCodec.MAX_FIELD_LENGTH) {
            throw new FieldException(field, "longer than " + EventCodec.MAX_FIELD_LENGTH + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            // A line break in the audit log could forge a line of its own.
            if (Character.isISOControl(text.charAt(i))) {
                throw new FieldException(field, "control characters are not allowed");
            }
        }
        return text;
    }

    /**
     * The event names the authenticated actor, not one the request claims: the topic is read by
     * every sidecar and should say who really asked. Capped to what the event schema allows.
     */
    private static String eventActor(String actor) {
        return actor.length() <= EventCodec.MAX_FIELD_LENGTH ? actor : actor.substring(0, EventCodec.MAX_FIELD_LENGTH);
    }

    private static String text(JsonObject body, String field) throws FieldException {
        return checkText(field, string(body, field, false));
    }

    private static String string(JsonObject body, String field, boolean required) throws FieldException {
        Object v = body.getValue(field);
        if (v == null) {
            if (required) {
                throw new FieldException(field, "required");
            }
            return null;
        }
        if (!(v instanceof String)) {
            throw new FieldException(field, "must be a string");
        }
        String s = (String) v;
        if (s.length() > EventCodec.MAX_FIELD_LENGTH) {
            throw new FieldException(field, "longer than " + EventCodec.MAX_FIELD_LENGTH + " characters");
        }
        return s;
    }

    private static long seconds(JsonObject body, String field, long fallback) throws FieldException {
        Object v = body.getValue(field);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0) {
            throw new FieldException(field, "must be non-negative whole epoch seconds");
        }
        return ((Number) v).longValue();
    }

    /** A request field that is wrong; becomes a 400 naming it. */
    static final class FieldException extends Exception {
        private final String field;

        FieldException(String field, String message) {
            super(message, null, false, false);
            this.field = field;
        }

        String field() {
            return field;
        }
    }
}
