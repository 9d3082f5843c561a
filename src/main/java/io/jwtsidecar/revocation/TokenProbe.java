package io.jwtsidecar.revocation;

import java.util.List;

/**
 * The rule keys one token could match, each hashed once for the Bloom index: one key per value
 * of every scope the index has seen (a kid rule may name the verifying key by a configured kid or
 * its thumbprint, see {@link TokenFacts#valuesFor}). The issuer is hashed once for all of them.
 *
 * <p>Built for one revocation check on the calling thread and dropped after it; not thread-safe.
 */
final class TokenProbe {
    /** values() copies the array on every call; the check runs on every request. */
    private static final RevocationScope[] SCOPES = RevocationScope.values();

    private final String issuer;
    private final RevocationScope[] scopes;
    private final String[] values;
    private final long[] hashes;
    private int count;

    private TokenProbe(String issuer, int capacity) {
        this.issuer = issuer;
        this.scopes = new RevocationScope[capacity];
        this.values = new String[capacity];
        this.hashes = new long[capacity];
    }

    /** The keys of {@code token} in every scope {@code index} may hold a rule of. */
    static TokenProbe of(TokenFacts token, RevocationIndex index) {
        // Each scope has one value at most, but kid has every configured kid plus the thumbprint.
        TokenProbe probe = new TokenProbe(token.issuer(), SCOPES.length + token.keyIds().size());
        long issuerHash = RuleKeyHash.text(token.issuer());
        for (RevocationScope scope : SCOPES) {
            if (!index.mayHaveScope(scope)) {
                continue;
            }
            List<String> scopeValues = token.valuesFor(scope);
            for (int i = 0; i < scopeValues.size(); i++) {
                probe.add(scope, scopeValues.get(i), issuerHash);
            }
        }
        return probe;
    }

    private void add(RevocationScope scope, String value, long issuerHash) {
        scopes[count] = scope;
        values[count] = value;
        hashes[count] = RuleKeyHash.key(scope, issuerHash, RuleKeyHash.text(value));
        count++;
    }

    int count() {
        return count;
    }

    /** The hashes of the keys, {@link #count} of them; the index reads, never writes, this array. */
    long[] hashes() {
        return hashes;
    }

    RuleKey key(int i) {
        return new RuleKey(scopes[i], issuer, values[i]);
    }
}
