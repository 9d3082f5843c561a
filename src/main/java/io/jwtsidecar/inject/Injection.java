package io.jwtsidecar.inject;

import java.util.Optional;

/**
 * What {@link SidecarInjector} decided for one pod: a patch that adds the sidecar, or no patch
 * and why not. Skipping is an expected outcome, not an error.
 *
 * @param patch  the JSON Patch to apply, when the sidecar is to be added
 * @param reason why there is no patch (the mode's status, {@code "injected"} or
 *               {@code "injected-node"}, when there is one)
 */
public record Injection(Optional<JsonPatch> patch, String reason) {
    static Injection injected(JsonPatch patch, InjectionMode mode) {
        return new Injection(Optional.of(patch), mode.status());
    }

    static Injection skipped(String reason) {
        return new Injection(Optional.empty(), reason);
    }
}
