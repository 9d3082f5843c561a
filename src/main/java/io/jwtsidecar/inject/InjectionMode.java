package io.jwtsidecar.inject;

import java.util.Optional;

/**
 * Where an injected pod's jwt-sidecar runs: beside the app in the pod, or once per node.
 *
 * <p>{@link #POD} adds a sidecar container to every pod: one Kafka reader per pod. {@link #NODE}
 * adds none: the pod calls the node's sidecar (a DaemonSet, deploy/k8s-node) over a unix socket in
 * a hostPath directory, so a node has one Kafka reader however many pods it runs (docs/SCALE.md,
 * "Node-level mode").
 */
public enum InjectionMode {
    POD("pod", "injected"),
    NODE("node", "injected-node");

    private final String value;
    private final String status;

    InjectionMode(String value, String status) {
        this.value = value;
        this.status = status;
    }

    /** How the injector's option and the pod's annotation spell it. */
    public String value() {
        return value;
    }

    /** The value of the status annotation on a pod injected in this mode. */
    public String status() {
        return status;
    }

    /**
     * Exactly {@code pod} or {@code node}: an annotation is written once in a template and read by
     * no one else, so a near miss ({@code Node}, {@code daemonset}) is refused rather than guessed.
     */
    public static Optional<InjectionMode> parse(String value) {
        for (InjectionMode mode : values()) {
            if (mode.value.equals(value)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
