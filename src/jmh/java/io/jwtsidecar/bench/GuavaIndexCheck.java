package io.jwtsidecar.bench;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnel;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import io.jwtsidecar.revocation.Rule;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.TokenFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The baseline of {@code RevocationStoreBenchmark.negativeCheckGuava}: the revocation check as
 * the store made it with Guava's {@link BloomFilter} (ten million keys at 0.1 %, the funnel of
 * two 64-bit character digests it used), with the scope mask, a {@link RuleKey} per scope value
 * and a probe each, one after the other; RocksDB only on a hit. It holds the same keys as the
 * benchmark's store: the ten million sub rules and, with {@code allScopes}, one rule of every
 * other scope.
 */
@State(Scope.Benchmark)
public class GuavaIndexCheck {
    private static final RevocationScope[] SCOPES = RevocationScope.values();

    @SuppressWarnings("NullAway") // Guava's filter never passes a null key.
    static final Funnel<RuleKey> FUNNEL = (key, into) -> {
        long fnv = 0xcbf29ce484222325L ^ key.scope().ordinal();
        long mul = 0x9E3779B97F4A7C15L + key.scope().ordinal();
        String issuer = key.issuer();
        String value = key.value();
        for (int i = 0, n = issuer.length(); i < n; i++) {
            char c = issuer.charAt(i);
            fnv = (fnv ^ c) * 0x100000001b3L;
            mul = (mul + c) * 0xff51afd7ed558ccdL;
        }
        fnv = (fnv ^ '\u001f') * 0x100000001b3L;
        mul = (mul + '\u001f') * 0xff51afd7ed558ccdL;
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            fnv = (fnv ^ c) * 0x100000001b3L;
            mul = (mul + c) * 0xff51afd7ed558ccdL;
        }
        into.putLong(avalanche(fnv)).putLong(avalanche(mul ^ (issuer.length() * 31L + value.length())));
    };

    private BloomFilter<RuleKey> filter = BloomFilter.create(FUNNEL, 1, 0.5);
    private int scopesPresent;

    @Setup
    public void fill(RevocationStoreBenchmark bench) {
        filter = BloomFilter.create(FUNNEL, bench.rules, 0.001);
        for (int i = 0; i < bench.rules; i++) {
            add(new RuleKey(RevocationScope.SUB, RevocationStoreBenchmark.ISSUER, "user-" + i));
        }
        if (bench.allScopes) {
            for (RuleKey key : RevocationStoreBenchmark.otherKeys()) {
                add(key);
            }
        }
    }

    private void add(RuleKey key) {
        scopesPresent |= 1 << key.scope().ordinal();
        filter.put(key);
    }

    boolean isRevoked(RocksDbRevocationStore store, TokenFacts token, long skew) {
        for (RevocationScope scope : SCOPES) {
            if ((scopesPresent & (1 << scope.ordinal())) == 0) {
                continue;
            }
            List<String> values = valuesFor(token, scope);
            for (int i = 0; i < values.size(); i++) {
                RuleKey key = new RuleKey(scope, token.issuer(), values.get(i));
                if (!filter.mightContain(key)) {
                    continue;
                }
                Optional<Rule> rule = store.find(key);
                if (rule.isPresent() && rule.get().blocks(token.issuedAt(), skew)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** TokenFacts.valuesFor, which is the store's own. */
    private static List<String> valuesFor(TokenFacts token, RevocationScope scope) {
        return switch (scope) {
            case JTI -> listOf(token.jti());
            case SID -> listOf(token.sessionId());
            case SUB -> listOf(token.subject());
            case CLIENT -> listOf(token.clientId());
            case KID -> {
                if (token.keyIds().isEmpty()) {
                    yield listOf(token.keyThumbprint());
                }
                String thumbprint = token.keyThumbprint();
                if (thumbprint == null || token.keyIds().contains(thumbprint)) {
                    yield token.keyIds();
                }
                List<String> names = new ArrayList<>(token.keyIds());
                names.add(thumbprint);
                yield names;
            }
            case ISSUER -> List.of("");
        };
    }

    private static List<String> listOf(@Nullable String value) {
        return value == null ? List.of() : List.of(value);
    }

    private static long avalanche(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
