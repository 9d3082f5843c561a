package io.jwtsidecar.revocation;

/**
 * How one event changes the state of its rule key. Rules are monotonic: only a {@code restore}
 * lifts a rule, and nothing replayed can undo something newer.
 *
 * <ul>
 *   <li>A <b>revoke</b> never weakens a rule: the stored rule keeps the later {@code at} and the
 *       later {@code expiresAt} of the two. A revoke whose {@code expiresAt} is already past changes
 *       nothing, nor does a revoke not later than the key's restore mark (a restore at or after its
 *       time lifted it).</li>
 *   <li>A <b>restore</b> lifts the rule only when the rule is not later than itself (a replayed
 *       old restore cannot lift a newer revocation), and leaves a restore mark until the later of
 *       its own {@code expiresAt} and that of every revoke it lifted or blocked: a replayed old
 *       revoke stays powerless for as long as it could matter.</li>
 *   <li>"Later" compares rule times ({@code at}, epoch seconds) and nothing else; at the same
 *       time the restore wins, as in the release before this one, which applied a restore made in
 *       the second of its revoke after it. Record timestamps take no part, since a captured
 *       event written again gets a new one: decided by the events' own times alone, reading an
 *       event again changes nothing, and a revoke and a restore give the same state in either
 *       order, also when the events of one rule sit on different partitions (after partitions
 *       were added). The admin API dates a revoke at least a second after the key's restore mark
 *       and publishes a revoke again when it lost to a restore it had not read yet
 *       ({@code AdminRoutes}). The feed refuses an event dated far after its record
 *       ({@link EventRecord#maxAheadSeconds}), so none freezes its key.</li>
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
        /** A revoke earlier than the key's last restore. */
        IGNORED_RESTORED(false),
        /** A revoke whose expiry is already past. */
        IGNORED_EXPIRED(false),
        /** A restore lifted the rule. */
        LIFTED(true),
        /** A restore not later than the stored rule: the rule stays. */
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
        long at = e.at();
        return e.type() == RevocationEvent.Type.REVOKE
                ? revoke(before, record, at, expiresAt, nowSeconds)
                : restore(before, record, at, expiresAt, nowSeconds);
    }

    private static Result revoke(KeyState s, EventRecord record, long at, long expiresAt, long now) {
        RevocationEvent e = record.event();
        Rule rule = s.rule();
        if (expiresAt < now) {
            return unchanged(s, record, rule != null && rule.at() == at && rule.expiresAt() == expiresAt,
                    Effect.IGNORED_EXPIRED);
        }
        RestoreMark mark = s.mark();
        if (mark != null && at <= mark.at()) {
            // The mark now stands between this revoke and its rule for as long as the revoke could matter.
            RestoreMark longer = new RestoreMark(mark.key(), mark.at(), Math.max(mark.expiresAt(), expiresAt),
                    mark.eventId());
            return unchanged(new KeyState(s.key(), rule, longer, s.provenance()), record, false,
                    Effect.IGNORED_RESTORED);
        }
        if (rule == null) {
            Rule created = new Rule(e.key(), at, expiresAt, e.eventId());
            return new Result(new KeyState(e.key(), created, mark, provenance(record, true)), Effect.CREATED);
        }
        long mergedAt = Math.max(rule.at(), at);
        long until = Math.max(rule.expiresAt(), expiresAt);
        boolean dominates = at >= rule.at() && expiresAt >= rule.expiresAt();
        if (mergedAt == rule.at() && until == rule.expiresAt()) {
            return unchanged(s, record, dominates, dominates ? Effect.REPEATED : Effect.IGNORED_WEAKER);
        }
        Rule merged = new Rule(e.key(), mergedAt, until, e.eventId());
        return new Result(new KeyState(e.key(), merged, mark, provenance(record, dominates)), Effect.STRENGTHENED);
    }

    private static Result restore(KeyState s, EventRecord record, long at, long expiresAt, long now) {
        RevocationEvent e = record.event();
        Rule rule = s.rule();
        boolean lift = rule != null && rule.at() <= at;
        Rule after = lift ? null : rule;
        // Remembered as long as the restore itself says, and as long as the rule it lifted could matter.
        long until = lift && rule != null ? Math.max(expiresAt, rule.expiresAt()) : expiresAt;
        RestoreMark mark = s.mark();
        if (until >= now) {
            mark = mark == null ? new RestoreMark(e.key(), at, until, e.eventId())
                    : new RestoreMark(e.key(), Math.max(mark.at(), at), Math.max(mark.expiresAt(), until),
                            at >= mark.at() ? e.eventId() : mark.eventId());
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
