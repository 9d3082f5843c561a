package io.jwtsidecar.revocation;

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
     * Applies a batch atomically: rules, dead letters and offsets are all written or none is.
     *
     * @throws StoreException when the write fails; nothing of the batch is applied then
     */
    void apply(StoreBatch batch);

    /** The next offset to read per partition of {@code topic}, as last applied. */
    Map<Integer, Long> nextOffsets(String topic);

    /** Whether any live rule blocks this token. */
    boolean isRevoked(TokenFacts token, long clockSkewSeconds);

    /** The live rule for a key, if any. */
    Optional<Rule> find(RuleKey key);

    /** How many dead letters are kept. */
    long deadLetterCount();

    /** Dead letters in partition and offset order, at most {@code limit}. */
    java.util.List<DeadLetter> deadLetters(int limit);

    @Override
    void close();
}
