package io.jwtsidecar.revocation;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sidecar's local copy of every live revocation rule, and the offsets it has read up to.
 *
 * <p>Threads: {@link #apply} is called by the feed's single thread; {@link #isRevoked} and
 * {@link #find} by any number of request threads at the same time.
 */
public interface RevocationStore extends AutoCloseable {

    /**
     * Applies a batch atomically: rules, restore marks, dead letters and offsets are all written
     * or none is. Events merge into the stored state as {@link RuleMerge} says (rules never weaken).
     *
     * @return what each event of {@link StoreBatch#records()} did, in order
     * @throws StoreException when the write fails; nothing of the batch is applied then
     */
    List<RuleMerge.Effect> apply(StoreBatch batch);

    /** The next offset to read per partition of {@code topic}, as last applied. */
    Map<Integer, Long> nextOffsets(String topic);

    /** Whether any live rule blocks this token. */
    boolean isRevoked(TokenFacts token, long clockSkewSeconds);

    /** The live rule for a key, if any. */
    Optional<Rule> find(RuleKey key);

    /** Everything stored for a key: its rule, its restore mark and the provenance of both. */
    KeyState state(RuleKey key);

    /** How many dead letters are kept. */
    long deadLetterCount();

    /** Kept dead letters in arrival order, starting after the id {@code afterId} (-1: from the first), at most {@code limit}. */
    List<KeptDeadLetter> deadLetters(long afterId, int limit);

    /** Bytes of dead letters not kept since the store opened: cut from large pills or pruned as the oldest. */
    long deadLetterDroppedBytes();

    @Override
    void close();
}
