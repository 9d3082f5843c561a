package io.jwtsidecar.token.keys;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The keys trusted for one issuer, and the rule for picking one for a token.
 *
 * <p>A token that names a {@code kid} gets the key with that kid or nothing: the verifier never
 * falls back to trying every key. The one exception is an issuer configured with a single key
 * that has no kid (a bare PEM or secret): that key is the only candidate, whatever the token
 * names. A token without a {@code kid} is only accepted when the issuer has exactly one key.
 * Immutable; safe from any thread.
 */
public final class IssuerKeys {
    private final List<VerificationKey> keys;
    private final Map<String, VerificationKey> byKid;
    /** Thumbprint → the kids of every key with that key material, sorted (usually one, or none). */
    private final Map<String, List<String>> kidsByThumbprint;

    /** @throws IllegalArgumentException when two keys share a kid, or several keys lack one */
    public IssuerKeys(List<VerificationKey> keys) {
        this.keys = List.copyOf(keys);
        this.byKid = new HashMap<>();
        int withoutKid = 0;
        for (VerificationKey k : this.keys) {
            if (k.kid() == null) {
                withoutKid++;
            } else if (byKid.putIfAbsent(k.kid(), k) != null) {
                throw new IllegalArgumentException("two keys share the kid '" + k.kid() + "'");
            }
        }
        if (withoutKid > 0 && this.keys.size() > 1) {
            throw new IllegalArgumentException("with more than one key, every key needs a kid");
        }
        Map<String, TreeSet<String>> kids = new HashMap<>();
        for (VerificationKey k : this.keys) {
            TreeSet<String> names = kids.computeIfAbsent(k.thumbprint(), t -> new TreeSet<>());
            if (k.kid() != null) {
                names.add(k.kid());
            }
        }
        Map<String, List<String>> frozen = new HashMap<>();
        kids.forEach((t, names) -> frozen.put(t, List.copyOf(names)));
        this.kidsByThumbprint = Map.copyOf(frozen);
    }

    /**
     * Every configured kid of {@code key}'s key material in this set: its own and those of any other
     * key with the same material (a JWKS may list one key under two kids). A kid rule naming any
     * of them must catch tokens verified with the key. Empty for a key without a kid.
     */
    public List<String> idsOf(VerificationKey key) {
        return kidsByThumbprint.getOrDefault(key.thumbprint(), List.of());
    }

    /** @return the key for the token's {@code kid} (may be null), or null when there is none */
    public @Nullable VerificationKey select(@Nullable String kid) {
        if (keys.size() == 1 && (kid == null || keys.get(0).kid() == null)) {
            return keys.get(0);
        }
        return kid == null ? null : byKid.get(kid);
    }

    /** Whether both sets hold the same keys (kid, algorithm and key material), in any order. */
    public boolean sameKeysAs(IssuerKeys other) {
        if (other.keys.size() != keys.size()) {
            return false;
        }
        for (VerificationKey k : keys) {
            if (other.keys.stream().noneMatch(k::sameAs)) {
                return false;
            }
        }
        return true;
    }

    public List<VerificationKey> all() {
        return keys;
    }
}
