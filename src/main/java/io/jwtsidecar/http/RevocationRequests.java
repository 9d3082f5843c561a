package io.jwtsidecar.http;

import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.EventRecord;
import io.jwtsidecar.revocation.KeyState;
import io.jwtsidecar.revocation.RestoreMark;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.Rule;
import io.jwtsidecar.revocation.RuleMerge;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.RuleKeys;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.TokenVerifier;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

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
    /** How far ahead of now a client may date a revoke ({@code at}). */
    private static final long MAX_FUTURE_SECONDS = 300;
    /**
     * What the admin API leaves of the sidecars' windows ({@link EventRecord#maxAheadSeconds},
     * judged against the broker's timestamp) for the broker's clock to differ from this one.
     */
    private static final long BROKER_CLOCK_MARGIN_SECONDS = 60;
    /** The lifetime assumed for an issuer this sidecar does not know, where one is needed. */
    private static final long UNKNOWN_ISSUER_LIFETIME_SECONDS = 86_400;
    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final TokenVerifier verifier;
    private final Clock clock;

    RevocationRequests(TokenVerifier verifier, Clock clock) {
        this.verifier = verifier;
        this.clock = clock;
    }

    /**
     * A validated {@code POST /v1/revocations} body, before the stored state of its rule is known.
     *
     * @param at        the rule time asked for, or null for now
     * @param expiresAt the expiry asked for, or null for the default
     */
    record RevokeRequest(RuleKey key, @Nullable Long at, @Nullable Long expiresAt, @Nullable String reason, String eventId) {
    }

    /**
     * Reads a {@code POST /v1/revocations} body whose members are all among {@link #REVOKE_FIELDS}
     * (the caller checks that first).
     */
    RevokeRequest parseRevoke(JsonObject body) throws FieldException {
        RuleKey key = revokeKey(body);
        @Nullable String reason = text(body, "reason");
        text(body, "actor"); // checked here, recorded in the audit log as onBehalfOf
        String eventId = eventId(string(body, "eventId", false));
        long now = clock.instant().getEpochSecond();
        @Nullable Long at = body.containsKey("at") ? seconds(body, "at") : null;
        if (at != null && at > now + MAX_FUTURE_SECONDS) {
            throw new FieldException("at", "must not be more than 5 minutes in the future");
        }
        @Nullable Long expiresAt = body.containsKey("expiresAt") ? seconds(body, "expiresAt") : null;
        if (expiresAt != null && key.scope() == RevocationScope.KID) {
            throw new FieldException("expiresAt", "not allowed for scope kid: a key rule holds until it is restored");
        }
        if (expiresAt != null && expiresAt <= now) {
            throw new FieldException("expiresAt", "is already past: such a rule would change nothing");
        }
        if (expiresAt == null && key.scope() != RevocationScope.KID && verifier.policy(key.issuer()).isEmpty()) {
            throw new FieldException("expiresAt", "required for an issuer this sidecar does not know");
        }
        return new RevokeRequest(key, at, expiresAt, reason, eventId);
    }

    /**
     * The rule a {@code POST /v1/revocations} body names ({@code scope}, {@code issuer},
     * {@code value}), read before the rest of the body so that whether the caller may touch it is
     * known first.
     */
    static RuleKey revokeKey(JsonObject body) throws FieldException {
        return ruleKey(string(body, "scope", false), string(body, "issuer", false), string(body, "value", false));
    }

    /**
     * The revoke event for a request, given what this sidecar stores for the rule. The event
     * states the whole rule as it will stand (the later time and expiry of the request and the
     * stored rule), so the topic's newest record of the rule, which compaction keeps, says
     * everything. A request that names a time or expiry earlier than the stored rule's would
     * weaken it: revokes never do, so that is a {@link ConflictException} (only a restore lifts a
     * rule); so is an explicit time not later than the rule's last restore, which would win over
     * it. Without an explicit time the revoke is dated now, or the stored rule's time when later,
     * and at least a second after the rule's last restore (a restore wins a tie, see
     * {@link RuleMerge}).
     *
     * @param stored this sidecar's state of the rule key
     * @param actor  who asked (the authenticated principal)
     */
    RevocationEvent revoke(RevokeRequest r, KeyState stored, String actor) throws FieldException {
        long now = clock.instant().getEpochSecond();
        Rule rule = stored.rule();
        long at;
        if (r.at() != null) {
            if (rule != null && r.at() < rule.at()) {
                throw new ConflictException("at", "is earlier than the stored rule's at (" + rule.at() + "): a revoke "
                        + "never weakens a rule; DELETE lifts it");
            }
            at = r.at();
        } else {
            at = rule == null ? now : Math.max(now, rule.at());
        }
        RestoreMark mark = stored.mark();
        if (mark != null && at <= mark.at()) {
            if (r.at() != null) {
                throw new ConflictException("at", "is not later than the last restore of this rule (at " + mark.at()
                        + "), which would win over it");
            }
            // Restored in this second, or by a restore dated ahead: a second later, the revoke wins.
            at = mark.at() + 1;
        }
        long latest = now + EventRecord.MAX_REVOKE_AHEAD_SECONDS - BROKER_CLOCK_MARGIN_SECONDS;
        if (at > latest) {
            throw new ConflictException("at", "the stored rule or its last restore is dated so far ahead that a revoke "
                    + "would be dated " + at + ", more than the sidecars accept: try again at " + (at - latest + now));
        }
        Optional<IssuerPolicy> policy = verifier.policy(r.key().issuer());
        long expiresAt;
        if (r.key().scope() == RevocationScope.KID) {
            // Permanent here; older releases still read an expiry, a lifetime ahead.
            expiresAt = defaultExpiry(at, policy);
        } else if (r.expiresAt() != null) {
            if (r.expiresAt() < at) {
                throw new FieldException("expiresAt", "must not be before at");
            }
            if (rule != null && r.expiresAt() < rule.expiresAt()) {
                throw new ConflictException("expiresAt", "is earlier than the stored rule's expiresAt ("
                        + rule.expiresAt() + "): a revoke never weakens a rule; DELETE lifts it");
            }
            expiresAt = r.expiresAt();
        } else {
            expiresAt = defaultExpiry(at, policy);
            if (rule != null) {
                expiresAt = Math.max(expiresAt, rule.expiresAt());
            }
        }
        return new RevocationEvent(r.eventId(), RevocationEvent.Type.REVOKE, r.key(), at, expiresAt, r.reason(),
                eventActor(actor));
    }

    /**
     * When a rule of time {@code at} may be forgotten: once no token it blocks can still be valid. It
     * blocks tokens issued up to {@code at + skew}; those live at most a lifetime and are accepted
     * until {@code exp + skew}: so {@code at + lifetime + 2 * skew}. A day for an unknown issuer.
     */
    private static long defaultExpiry(long at, Optional<IssuerPolicy> policy) {
        // A lifetime configured in days reaches Long.MAX_VALUE seconds: capped before adding, or
        // the sum wraps negative and every sidecar dead-letters the event (the revoke is lost).
        long seconds = policy.map(p -> Math.min(p.maxTokenLifetime().toSeconds(), EventCodec.MAX_EPOCH_SECONDS)
                        + 2 * p.clockSkew().toSeconds())
                .orElse(UNKNOWN_ISSUER_LIFETIME_SECONDS);
        return Math.min(EventCodec.MAX_EPOCH_SECONDS, at + seconds);
    }

    /**
     * A restore event for {@code key}, at now, or at the stored rule's time when that is later (a
     * restore lifts only rules not later than itself, so no replayed older revoke undoes it).
     * Its {@code expiresAt}, how long the sidecars remember the restore against replayed revokes, is
     * the later of a token lifetime (and twice the skew) and the lifted rule's own expiry.
     *
     * @param stored  this sidecar's state of the rule key
     * @param eventId the client's event id (canonical UUID), or null for a fresh one
     * @param reason  free text, or null
     * @param actor   who asked (the authenticated principal)
     */
    RevocationEvent restore(RuleKey key, KeyState stored, @Nullable String eventId, @Nullable String reason, String actor)
            throws FieldException {
        long now = clock.instant().getEpochSecond();
        Rule rule = stored.rule();
        long at = rule == null ? now : Math.max(now, rule.at());
        long latest = now + EventRecord.MAX_RESTORE_AHEAD_SECONDS - BROKER_CLOCK_MARGIN_SECONDS;
        // Only a stored rule dates a restore ahead of now.
        if (rule != null && at > latest) {
            throw new ConflictException("at", "the stored rule is dated " + rule.at() + ", further ahead than the "
                    + "sidecars accept a restore: try again at " + (at - latest + now));
        }
        long expiresAt = defaultExpiry(at, verifier.policy(key.issuer()));
        if (rule != null && !rule.permanent()) {
            expiresAt = Math.max(expiresAt, rule.expiresAt());
        }
        return new RevocationEvent(eventId(eventId), RevocationEvent.Type.RESTORE, key, at, expiresAt,
                checkText("reason", reason), eventActor(actor));
    }

    /**
     * A rule key from its parts; {@code value} may be null (absent) for scope {@code issuer}.
     * Field names are {@code scope}, {@code issuer} and {@code value}.
     */
    static RuleKey ruleKey(@Nullable String scopeName, @Nullable String issuer, @Nullable String value) throws FieldException {
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
            String message = Objects.requireNonNull(e.getMessage(), "RuleKeys names the field in every message");
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
    static String eventId(@Nullable String requested) throws FieldException {
        if (requested == null) {
            return UUID.randomUUID().toString();
        }
        String id = requested.toLowerCase(Locale.ROOT);
        if (!CANONICAL_UUID.matcher(id).matches()) {
            throw new FieldException("eventId", "must be a UUID in canonical form (8-4-4-4-12 hex digits)");
        }
        return id;
    }

    /** Query parameters: only the {@code allowed} names, each at most once; else a 400 naming the parameter. */
    static void checkQuery(MultiMap query, List<String> allowed) throws FieldException {
        for (String name : query.names()) {
            if (!allowed.contains(name)) {
                throw new FieldException(name, "unknown query parameter; expected "
                        + (allowed.isEmpty() ? "none" : allowed));
            }
            if (query.getAll(name).size() > 1) {
                throw new FieldException(name, "given more than once");
            }
        }
    }

    /** Free text (reason, actor) up to the event schema's length, without control characters. */
    static @Nullable String checkText(String field, @Nullable String text) throws FieldException {
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

    private static @Nullable String text(JsonObject body, String field) throws FieldException {
        return checkText(field, string(body, field, false));
    }

    private static @Nullable String string(JsonObject body, String field, boolean required) throws FieldException {
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

    private static long seconds(JsonObject body, String field) throws FieldException {
        Object v = body.getValue(field);
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0
                || ((Number) v).longValue() > EventCodec.MAX_EPOCH_SECONDS) {
            throw new FieldException(field, "must be whole epoch seconds from 0 to " + EventCodec.MAX_EPOCH_SECONDS);
        }
        return ((Number) v).longValue();
    }

    /** A request field that is wrong; becomes a 400 naming it. */
    static class FieldException extends Exception {
        private final String field;
        private final String reason;

        FieldException(String field, String message) {
            super(message, null, false, false);
            this.field = field;
            this.reason = message;
        }

        /** What is wrong with the field, in one sentence (the message, never null). */
        String reason() {
            return reason;
        }

        String field() {
            return field;
        }
    }

    /** A request that would weaken, or be overruled by, the stored state; becomes a 409 naming the field. */
    static final class ConflictException extends FieldException {
        ConflictException(String field, String message) {
            super(field, message);
        }
    }
}
