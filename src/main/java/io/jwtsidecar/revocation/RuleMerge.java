package io.jwtsidecar.revocation;

/**
 * How one event changes the state of its rule key. Rules are monotonic: only a {@code restore}
 * lifts a rule, and nothing replayed can undo something newer.
 *
 * <ul>
 *   <li>A <b>revoke</b> never weakens a rule: the stored rule keeps the later {@code at} and the
 *       later {@code expiresAt} of the two. A revoke whose {@code expiresAt} is already past
 *       changes nothing, nor does a revoke whose {@code at} is not later than the key's restore
 *       mark (a restore at or after its time lifted it; a tie goes to the restore).</li>
 *   <li>A <b>restore</b> lifts the rule only when the rule's {@code at} is not later than its own
 *       (a replayed old restore cannot lift a newer revocation), and leaves a restore mark until
 *       its {@code expiresAt}.</li>
 *   <li>Rules and marks of scope {@code kid} are {@linkplain Rule#PERMANENT permanent}: a
 *       compromised key stays refused until someone restores it on purpose, whatever the event's
 *       {@code expiresAt} (which older releases still read).</li>
 * </ul>
 *
 * <p>Besides the state it records the key's {@link Provenance}: whether the event, read alone by a
 * sidecar replaying a compacted topic, would give the state stored here. Pure; thread-safe.
 */
public final class RuleMerge {
    private RuleMerge() {
    }

    /** What an event did, for counting and logging. */
    public enum Effect {
        /** A revoke created a rule. */
        CREATED(true),
        /** A revoke moved a rule's time or expiry later. */
        STRENGTHENED(true),
        /** A revoke equal to the stored rule (a retry, a renewal). */
        REPEATED(false),
        /** A revoke weaker than the stored rule in every respect. */
        IGNORED_WEAKER(false),
        /** A revoke not later than the key's last restore. */
        IGNORED_RESTORED(false),
        /** A revoke whose expiry is already past. */
        IGNORED_EXPIRED(false),
        /** A restore lifted the rule. */
        LIFTED(true),
        /** A restore older than the stored rule: the rule stays. */
        IGNORED_OLDER_RESTORE(false),
        /** A restore of a key without a rule (it still leaves its mark). */
        NOTHING_TO_LIFT(false);

        private final boolean changedEnforcement;

        Effect(boolean changedEnforcement) {
            this.changedEnforcement = changedEnforcement;
        }

        /** Whether the answer for some token changed. */
        public boolean changedEnforcement() {
            return changedEnforcement;
        }

        /** Whether the event was refused as weaker or older than what is stored: worth an operator's look. */
        public boolean refused() {
            return this == IGNORED_WEAKER || this == IGNORED_RESTORED || this == IGNORED_OLDER_RESTORE;
        }
    }

    /** The state after an event, and what the event did. */
    public record Result(KeyState state, Effect effect) {
    }

    /**
     * @param before     the stored state of the event's key
     * @param record     the event with its record's timestamp and signer
     * @param nowSeconds the wall clock, epoch seconds: an event already expired changes nothing
     */
    public static Result apply(KeyState before, EventRecord record, long nowSeconds) {
        RevocationEvent e = record.event();
        if (!before.key().equals(e.key())) {
            throw new IllegalArgumentException("event " + e.eventId() + " is for " + e.key() + ", not " + before.key());
        }
        boolean permanent = e.key().scope() == RevocationScope.KID;
        long expiresAt = permanent ? Rule.PERMANENT : e.expiresAt();
        return e.type() == RevocationEvent.Type.REVOKE
                ? revoke(before, record, expiresAt, nowSeconds)
                : restore(before, record, expiresAt, nowSeconds);
    }

    private static Result revoke(KeyState s, EventRecord record, long expiresAt, long now) {
        RevocationEvent e = record.event();
        Rule rule = s.rule();
        if (expiresAt < now) {
            return unchanged(s, record, rule != null && rule.at() == e.at() && rule.expiresAt() == expiresAt,
                    Effect.IGNORED_EXPIRED);
        }
        if (s.mark() != null && e.at() <= s.mark().at()) {
            return unchanged(s, record, false, Effect.IGNORED_RESTORED);
        }
        if (rule == null) {
            Rule created = new Rule(e.key(), e.at(), expiresAt, e.eventId());
            return new Result(new KeyState(e.key(), created, s.mark(), provenance(record, true)), Effect.CREATED);
        }
        long at = Math.max(rule.at(), e.at());
        long until = Math.max(rule.expiresAt(), expiresAt);
        boolean dominates = e.at() >= rule.at() && expiresAt >= rule.expiresAt();
        if (at == rule.at() && until == rule.expiresAt()) {
            return unchanged(s, record, dominates, dominates ? Effect.REPEATED : Effect.IGNORED_WEAKER);
        }
        Rule merged = new Rule(e.key(), at, until, e.eventId());
        return new Result(new KeyState(e.key(), merged, s.mark(), provenance(record, dominates)), Effect.STRENGTHENED);
    }

    private static Result restore(KeyState s, EventRecord record, long expiresAt, long now) {
        RevocationEvent e = record.event();
        Rule rule = s.rule();
        boolean lift = rule != null && rule.at() <= e.at();
        Rule after = lift ? null : rule;
        RestoreMark mark = s.mark();
        if (expiresAt >= now) {
            mark = mark == null ? new RestoreMark(e.key(), e.at(), expiresAt, e.eventId())
                    : new RestoreMark(e.key(), Math.max(mark.at(), e.at()), Math.max(mark.expiresAt(), expiresAt),
                            e.at() >= mark.at() ? e.eventId() : mark.eventId());
        }
        Effect effect = lift ? Effect.LIFTED : rule == null ? Effect.NOTHING_TO_LIFT : Effect.IGNORED_OLDER_RESTORE;
        // The restore, read alone, says "no rule": true exactly when no rule is left.
        return new Result(new KeyState(e.key(), after, mark, provenance(record, after == null)), effect);
    }

    /** The state stays; the event is still the key's newest record, so its provenance changes. */
    private static Result unchanged(KeyState s, EventRecord record, boolean current, Effect effect) {
        if (s.isEmpty()) {
            return new Result(s, effect);
        }
        return new Result(new KeyState(s.key(), s.rule(), s.mark(), provenance(record, current)), effect);
    }

    private static Provenance provenance(EventRecord record, boolean current) {
        return new Provenance(record.recordMillis(), record.signer(), current);
    }
}
