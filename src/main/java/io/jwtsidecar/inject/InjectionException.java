package io.jwtsidecar.inject;

/**
 * A pod asked for an injection that cannot be done as asked: an annotation value that is not
 * valid, or a name the sidecar needs that the pod already uses. The message says which.
 */
public final class InjectionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InjectionException(String message) {
        super(message);
    }
}
