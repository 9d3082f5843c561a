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
 * The store against a plain in-memory model of the revocation rules (docs/EVENTS.md): any sequence
 * of revokes, restores (replayed old ones included), clock moves, sweeps, index rebuilds and
 * restarts gives the same answer for every token as the model. The model is written from the
 * rules' specification, not from the store's merge code: revokes keep the later time and expiry,
 * only a restore not earlier than the rule lifts it, a revoke not later than the last restore (while
 * remembered, as long as the lifted or blocked revokes could matter) changes nothing, expired
 * events change nothing, and key rules are permanent.
 */
class StoreModelPropertyTest {
    private static final List<String> ISSUERS = List.of("https://a.example", "https://b.example");
    private static final List<String> VALUES = List.of("x", "y", "z");
    private static final long START = 1_800_000_000L;

    /** One step of a scenario. */
    sealed interface Op permits Revoke, Restore, Advance, Sweep, Rebuild, Restart {
    }

    /** {@code batched}: held back and applied with the next op's events in one store batch. */
    record Revoke(RuleKey key, long atOffset, long ttl, boolean batched) implements Op {
    }

    record Restore(RuleKey key, long atOffset, long ttl, boolean batched) implements Op {
    }

    record Advance(long seconds) implements Op {
    }

    record Sweep() implements Op {
    }

    record Rebuild() implements Op {
    }

    record Restart() implements Op {
    }

    /** The specification: rules and restore marks as {at, expiresAt}, swept only when asked. */
    static final class Model {
        final Map<RuleKey, long[]> rules = new HashMap<>();
        final Map<RuleKey, long[]> marks = new HashMap<>();

        void revoke(RuleKey key, long at, long expiresAt, long now) {
            long until = key.scope() == RevocationScope.KID ? Long.MAX_VALUE : expiresAt;
            long[] mark = marks.get(key);
            if (until < now) {
                return;
            }
            if (mark != null && at <= mark[0]) {
                mark[1] = Math.max(mark[1], until);
                return;
            }
            long[] rule = rules.get(key);
            rules.put(key, rule == null ? new long[] {at, until}
                    : new long[] {Math.max(rule[0], at), Math.max(rule[1], until)});
        }

        void restore(RuleKey key, long at, long expiresAt, long now) {
            long until = key.scope() == RevocationScope.KID ? Long.MAX_VALUE : expiresAt;
            long[] rule = rules.get(key);
            if (rule != null && rule[0] <= at) {
                rules.remove(key);
                until = Math.max(until, rule[1]);
            }
            if (until >= now) {
                long[] mark = marks.get(key);
                marks.put(key, mark == null ? new long[] {at, until}
                        : new long[] {Math.max(mark[0], at), Math.max(mark[1], until)});
            }
        }

        void sweep(long now) {
            rules.values().removeIf(r -> r[1] < now);
            marks.values().removeIf(m -> m[1] < now);
        }

        boolean isRevoked(TokenFacts t, long skew) {
            for (RevocationScope scope : RevocationScope.values()) {
                for (String value : values(t, scope)) {
                    long[] r = rules.get(new RuleKey(scope, t.issuer(), value));
                    // iat <= at + skew, compared in wide arithmetic: the specification, not Rule.blocks.
                    if (r != null && (!scope.timeBased() || t.issuedAt() == null || java.math.BigInteger.valueOf(
                            t.issuedAt()).compareTo(java.math.BigInteger.valueOf(r[0]).add(
                            java.math.BigInteger.valueOf(skew))) <= 0)) {
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
                    values.addAll(t.keyIds());
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
        Arbitrary<Op> revoke = Combinators.combine(keys(), Arbitraries.longs().between(-100, 1000),
                Arbitraries.longs().between(0, 500), Arbitraries.of(true, false)).as(Revoke::new);
        Arbitrary<Op> restore = Combinators.combine(keys(), Arbitraries.longs().between(-100, 100),
                Arbitraries.longs().between(0, 500), Arbitraries.of(true, false)).as(Restore::new);
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
        // The key's ids and thumbprint are drawn from the same values, so a rule's value can be any of them.
        Arbitrary<List<String>> keyIds = Arbitraries.of(VALUES).list().ofMaxSize(2).uniqueElements();
        return Combinators.combine(Arbitraries.of(ISSUERS), value, value, value, value, keyIds, value, iat)
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
            List<RevocationEvent> pending = new java.util.ArrayList<>();
            for (Op op : ops) {
                boolean held = false;
                if (op instanceof Revoke r) {
                    RevocationEvent e = new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                            r.key(), now + r.atOffset(), now + r.atOffset() + r.ttl(), null, null);
                    pending.add(e);
                    model.revoke(r.key(), e.at(), e.expiresAt(), now);
                    held = r.batched();
                } else if (op instanceof Restore r) {
                    RevocationEvent e = new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.RESTORE,
                            r.key(), now + r.atOffset(), now + r.atOffset() + r.ttl(), null, null);
                    pending.add(e);
                    model.restore(r.key(), e.at(), e.expiresAt(), now);
                    held = r.batched();
                }
                if (held) {
                    continue;
                }
                if (!pending.isEmpty()) {
                    offset += pending.size();
                    store.apply(StoreBatch.of("t", pending, Map.of(0, offset), now));
                    pending.clear();
                }
                if (op instanceof Advance a) {
                    now += a.seconds();
                } else if (op instanceof Sweep) {
                    long at = now;
                    store.sweepExpired(at);
                    model.sweep(at);
                } else if (op instanceof Rebuild) {
                    store.rebuildIndex();
                } else if (op instanceof Restart) {
                    store.close();
                    store = RocksDbRevocationStore.open(dir, 16, 0.01);
                }
                for (TokenFacts t : tokens) {
                    assertThat(store.isRevoked(t, skew)).as("after %s: %s", op, t).isEqualTo(model.isRevoked(t, skew));
                }
            }
            if (!pending.isEmpty()) {
                offset += pending.size();
                store.apply(StoreBatch.of("t", pending, Map.of(0, offset), now));
                for (TokenFacts t : tokens) {
                    assertThat(store.isRevoked(t, skew)).as("after the last batch: %s", t)
                            .isEqualTo(model.isRevoked(t, skew));
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
