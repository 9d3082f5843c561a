package io.jwtsidecar.revocation;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One record on the revocation topic (event schema version 1, docs/EVENTS.md).
 *
 * @param eventId   unique id (UUID) used for receipts and idempotency
 * @param type      revoke or restore
 * @param key       the rule it creates or lifts
 * @param at        rule time, epoch seconds
 * @param expiresAt when the rule may be forgotten, epoch seconds
 * @param reason    why (free text or a well-known reason), may be null
 * @param actor     who asked, may be null
 */
public record RevocationEvent(String eventId, Type type, RuleKey key, long at, long expiresAt,
                              @Nullable String reason, @Nullable String actor) {
    public static final int SCHEMA_VERSION = 1;

    /** What the event does to its rule. */
    public enum Type { REVOKE, RESTORE }

    public RevocationEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
    }

    Rule toRule() {
        return new Rule(key, at, expiresAt, eventId);
    }
}
