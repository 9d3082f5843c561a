package io.jwtsidecar.http;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * How a signal receiver waits for its issuer's keys to be fetched again, for a signal signed with
 * a key it does not know yet: a provider that rotated its key sends the next logout or SET signed
 * with the new one and never sends it again, so refusing it as "bad key" would lose a revocation.
 * One bound for every receiver, below the request timeouts of the providers that call them
 * (Keycloak's back-channel logout waits 5 s).
 */
final class KeyRefetchWait {
    /** How long a signal signed with an unknown key waits for its issuer's keys. */
    static final Duration LIMIT = Duration.ofSeconds(3);

    private KeyRefetchWait() {
    }

    /**
     * @param refetch completes when the keys were fetched again ({@code KeySource.refetched()})
     * @return completes on the request's context once they were, or fails after {@link #LIMIT}
     */
    static Future<Void> of(RoutingContext ctx, CompletionStage<Void> refetch) {
        return Future.fromCompletionStage(refetch, ctx.vertx().getOrCreateContext())
                .timeout(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
