package io.jwtsidecar.http;

import java.util.Map;

/**
 * What {@code /health/ready} reports: ready or not, and the state of each part. Implemented by
 * the composition root; must be cheap and thread-safe.
 */
@FunctionalInterface
public interface Readiness {

    /** @param ready whether the sidecar may take traffic; @param checks per-part detail */
    record Report(boolean ready, Map<String, Object> checks) {
    }

    Report report();
}
