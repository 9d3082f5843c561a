package io.jwtsidecar.revocation;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything the store holds for one rule key.
 *
 * @param key        the rule key
 * @param rule       the live rule, or null
 * @param mark       the restore mark, or null
 * @param provenance the newest record of the key as far as known, or null when nothing is stored
 */
public record KeyState(RuleKey key, @Nullable Rule rule, @Nullable RestoreMark mark, @Nullable Provenance provenance) {
    public KeyState {
        Objects.requireNonNull(key, "key");
    }

    static KeyState empty(RuleKey key) {
        return new KeyState(key, null, null, null);
    }

    /** Whether nothing is stored for the key. */
    public boolean isEmpty() {
        return rule == null && mark == null;
    }
}
