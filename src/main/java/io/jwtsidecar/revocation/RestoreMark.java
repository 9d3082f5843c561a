package io.jwtsidecar.revocation;

/**
 * The memory of a {@code restore}: until {@code expiresAt}, a {@code revoke} of the same key
 * whose rule time is not later than {@code at} changes nothing. Signatures stop forged events,
 * not replayed ones; this mark is what stops a captured old revoke, published again, from
 * undoing a newer restore.
 *
 * @param key       the rule key that was restored
 * @param at        the latest restore's time, epoch seconds
 * @param expiresAt when the mark may be forgotten ({@link Rule#PERMANENT} for scope {@code kid})
 * @param eventId   the restore event that set it
 */
public record RestoreMark(RuleKey key, long at, long expiresAt, String eventId) {
}
