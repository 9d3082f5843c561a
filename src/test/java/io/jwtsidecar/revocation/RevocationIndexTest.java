package io.jwtsidecar.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Bloom index: keys by scope, a token's probe of every scope, and the saved form. */
class RevocationIndexTest {
    private static final String ISS = "https://issuer.example";

    private static TokenFacts token(List<String> kids, String thumbprint) {
        return new TokenFacts(ISS, "jti-1", "sid-1", "alice", "web", kids, thumbprint, 1L);
    }

    /** The keys of the probe the index says it might hold. */
    private static List<RuleKey> hits(RevocationIndex index, TokenFacts token) {
        TokenProbe probe = TokenProbe.of(token, index);
        List<RuleKey> hits = new ArrayList<>();
        for (int from = 0; from < probe.count(); from += 64) {
            long each = index.mightContainEach(probe, from);
            for (int i = from; i < Math.min(probe.count(), from + 64); i++) {
                if ((each >>> (i - from) & 1) == 1) {
                    hits.add(probe.key(i));
                }
            }
        }
        return hits;
    }

    @Test
    void an_added_key_is_found_and_a_scope_nobody_used_is_known_empty() {
        RevocationIndex index = new RevocationIndex(1_000, 0.001);
        RuleKey alice = new RuleKey(RevocationScope.SUB, ISS, "alice");
        index.add(alice);

        assertThat(index.mightContain(alice)).isTrue();
        assertThat(index.mayHaveScope(RevocationScope.SUB)).isTrue();
        assertThat(index.mayHaveScope(RevocationScope.JTI)).isFalse();
        assertThat(index.mightContain(new RuleKey(RevocationScope.JTI, ISS, "alice")))
                .as("a scope nobody used").isFalse();
    }

    @Test
    void the_same_issuer_and_value_in_another_scope_is_another_key() {
        RevocationIndex index = new RevocationIndex(1_000, 0.0001);
        for (RevocationScope scope : RevocationScope.values()) {
            index.add(new RuleKey(scope, ISS, "in-" + scope.wireName()));
        }
        for (RevocationScope scope : RevocationScope.values()) {
            for (RevocationScope other : RevocationScope.values()) {
                assertThat(index.mightContain(new RuleKey(other, ISS, "in-" + scope.wireName())))
                        .as("%s rule asked as %s", scope, other).isEqualTo(scope == other);
            }
        }
    }

    @Test
    void a_token_probe_finds_a_key_in_every_scope_and_only_the_keys_added() {
        RevocationIndex index = new RevocationIndex(1_000, 0.0001);
        TokenFacts token = token(List.of("k1"), "thumb");
        List<RuleKey> all = List.of(new RuleKey(RevocationScope.JTI, ISS, "jti-1"),
                new RuleKey(RevocationScope.SID, ISS, "sid-1"), new RuleKey(RevocationScope.SUB, ISS, "alice"),
                new RuleKey(RevocationScope.CLIENT, ISS, "web"), new RuleKey(RevocationScope.KID, ISS, "k1"),
                new RuleKey(RevocationScope.KID, ISS, "thumb"), new RuleKey(RevocationScope.ISSUER, ISS, ""));
        for (RuleKey key : all) {
            RevocationIndex one = new RevocationIndex(1_000, 0.0001);
            one.add(key);
            assertThat(hits(one, token)).as("only %s added", key).containsExactly(key);
            index.add(key);
        }
        assertThat(hits(index, token)).containsExactlyElementsOf(all);
        assertThat(hits(index, new TokenFacts("https://other.example", "jti-1", "sid-1", "alice", "web",
                List.of("k1"), "thumb", 1L))).as("the same values under another issuer").isEmpty();
    }

    @Test
    void a_token_with_more_than_64_keys_is_probed_to_its_last_key() {
        RevocationIndex index = new RevocationIndex(1_000, 0.0001);
        List<String> kids = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            kids.add("k" + i);
        }
        index.add(new RuleKey(RevocationScope.KID, ISS, "k79"));
        index.add(new RuleKey(RevocationScope.JTI, ISS, "jti-1"));

        assertThat(hits(index, token(kids, null))).containsExactlyInAnyOrder(
                new RuleKey(RevocationScope.KID, ISS, "k79"), new RuleKey(RevocationScope.JTI, ISS, "jti-1"));
    }

    @Test
    void an_index_read_back_keeps_its_keys_its_scopes_and_its_size() throws IOException {
        RevocationIndex index = new RevocationIndex(5_000, 0.001);
        for (int i = 0; i < 4_000; i++) {
            index.add(new RuleKey(RevocationScope.CLIENT, ISS, "c" + i));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        index.writeTo(bytes);

        RevocationIndex read = RevocationIndex.readFrom(new ByteArrayInputStream(bytes.toByteArray()));

        assertThat(read.designSize()).isEqualTo(5_000);
        assertThat(read.sizeInBytes()).isEqualTo(index.sizeInBytes());
        assertThat(read.mayHaveScope(RevocationScope.CLIENT)).isTrue();
        assertThat(read.mayHaveScope(RevocationScope.SUB)).isFalse();
        for (int i = 0; i < 4_000; i++) {
            assertThat(read.mightContain(new RuleKey(RevocationScope.CLIENT, ISS, "c" + i))).isTrue();
        }
        assertThat(bytes.size()).as("header and bit array only").isLessThan((int) index.sizeInBytes() + 64);
    }
}
