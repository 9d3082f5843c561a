package io.jwtsidecar.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The store against a plain in-memory model: any sequence of revokes, restores, clock moves,
 * sweeps, index rebuilds and restarts gives the same answer for every token, as the model.
 */
class StoreModelPropertyTest {
    private static final List<String> ISSUERS = List.of("https://a.example", "https://b.example");
    private static final List<String> VALUES = List.of("x", "y", "z");
    private static final long START = 1_800_000_000L;

    /** One step of a scenario. */
    sealed interface Op permits Revoke, Restore, Advance, Sweep, Rebuild, Restart {
    }

    record Revoke(RuleKey key, long atOffset, long ttl) implements Op {
    }

    record Restore(RuleKey key) implements Op {
    }

    record Advance(long seconds) implements Op {
    }

    record Sweep() implements Op {
    }

    record Rebuild() implements Op {
    }

    record Restart() implements Op {
    }

    /** The specification: a map of rules, swept only when asked. */
    static final class Model {
        final Map<RuleKey, Rule> rules = new HashMap<>();

        boolean isRevoked(TokenFacts t, long skew) {
            for (RevocationScope scope : RevocationScope.values()) {
                for (String value : values(t, scope)) {
                    Rule r = rules.get(new RuleKey(scope, t.issuer(), value));
                    if (r != null && r.blocks(t.issuedAt(), skew)) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** What a rule of each scope may name: a kid rule names the verifying key by its kid or its thumbprint. */
        private static List<String> values(TokenFacts t, RevocationScope scope) {
            List<String> values = new ArrayList<>();
            switch (scope) {
                case JTI -> values.add(t.jti());
                case SID -> values.add(t.sessionId());
                case SUB -> values.add(t.subject());
                case CLIENT -> values.add(t.clientId());
                case KID -> {
                    values.add(t.kid());
                    values.add(t.keyThumbprint());
                }
                case ISSUER -> values.add("");
            }
            values.removeIf(Objects::isNull);
            return values;
        }
    }

    @Provide
    Arbitrary<RuleKey> keys() {
        return Combinators.combine(Arbitraries.of(RevocationScope.values()), Arbitraries.of(ISSUERS),
                Arbitraries.of(VALUES)).as((scope, issuer, value) ->
                new RuleKey(scope, issuer, scope == RevocationScope.ISSUER ? "" : value));
    }

    @Provide
    Arbitrary<List<Op>> scenarios() {
        Arbitrary<Op> revoke = Combinators.combine(keys(), Arbitraries.longs().between(-100, 100),
                Arbitraries.longs().between(0, 500)).as(Revoke::new);
        Arbitrary<Op> restore = keys().map(Restore::new);
        Arbitrary<Op> advance = Arbitraries.longs().between(1, 400).map(Advance::new);
        Arbitrary<Op> others = Arbitraries.of(new Sweep(), new Rebuild(), new Restart());
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, revoke), net.jqwik.api.Tuple.of(2, restore),
                net.jqwik.api.Tuple.of(3, advance), net.jqwik.api.Tuple.of(3, others)).list().ofMinSize(1).ofMaxSize(30);
    }

    @Provide
    Arbitrary<List<TokenFacts>> tokens() {
        Arbitrary<String> value = Arbitraries.of(VALUES).injectNull(0.2);
        Arbitrary<Long> iat = Arbitraries.longs().between(START - 200, START + 3000).injectNull(0.1);
        // The thumbprint is drawn from the same values as the kid, so a rule's value can be either.
        return Combinators.combine(Arbitraries.of(ISSUERS), value, value, value, value, value, value, iat)
                .as(TokenFacts::new).list().ofSize(12);
    }

    @Property(tries = 150)
    void the_store_answers_like_the_model(@ForAll("scenarios") List<Op> ops, @ForAll("tokens") List<TokenFacts> tokens,
                                          @ForAll("skews") long skew) throws IOException {
        Path dir = Files.createTempDirectory("store-model");
        RocksDbRevocationStore store = RocksDbRevocationStore.open(dir, 16, 0.01);
        try {
            Model model = new Model();
            long now = START;
            long offset = 0;
            for (Op op : ops) {
                if (op instanceof Revoke r) {
                    RevocationEvent e = new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                            r.key(), now + r.atOffset(), now + r.atOffset() + r.ttl(), null, null);
                    store.apply(new StoreBatch("t", List.of(e), List.of(), Map.of(0, ++offset)));
                    model.rules.put(r.key(), e.toRule());
                } else if (op instanceof Restore r) {
                    RevocationEvent e = new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.RESTORE,
                            r.key(), now, now, null, null);
                    store.apply(new StoreBatch("t", List.of(e), List.of(), Map.of(0, ++offset)));
                    model.rules.remove(r.key());
                } else if (op instanceof Advance a) {
                    now += a.seconds();
                } else if (op instanceof Sweep) {
                    long at = now;
                    store.sweepExpired(at);
                    model.rules.values().removeIf(rule -> rule.expiresAt() < at);
                } else if (op instanceof Rebuild) {
                    store.rebuildIndex();
                } else {
                    store.close();
                    store = RocksDbRevocationStore.open(dir, 16, 0.01);
                }
                for (TokenFacts t : tokens) {
                    assertThat(store.isRevoked(t, skew)).as("after %s: %s", op, t).isEqualTo(model.isRevoked(t, skew));
                }
            }
            assertThat(store.nextOffsets("t")).isEqualTo(offset == 0 ? Map.of() : Map.of(0, offset));
        } finally {
            store.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Provide
    Arbitrary<Long> skews() {
        return Arbitraries.of(0L, 5L, 60L);
    }
}
