package io.jwtsidecar.revocation;

import org.jspecify.annotations.Nullable;

/** The revocation store failed (I/O, corruption, native error); the message says during what. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
