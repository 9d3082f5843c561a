package io.jwtsidecar.revocation;

/** The revocation store failed (I/O, corruption, native error); the message says during what. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
