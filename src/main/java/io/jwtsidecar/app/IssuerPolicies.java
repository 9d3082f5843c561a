package io.jwtsidecar.app;

import io.jwtsidecar.config.IssuerSettings;
import io.jwtsidecar.config.KeySourceSettings;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.keys.KeySource;
import io.jwtsidecar.token.keys.RemoteJwksSource;
import io.jwtsidecar.token.keys.StaticKeySource;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Builds the verifier's live issuer policies from the configuration's issuer settings: remote
 * key sources are made here, at the composition root, not while the configuration is read, so
 * a configuration stays data and loading it never creates anything that fetches. The remote
 * sources fetch nothing until {@link RemoteJwksSource#start} is called.
 */
public final class IssuerPolicies {
    private IssuerPolicies() {
    }

    /**
     * @param issuers  the configured issuers, validated
     * @param nanoTime the monotonic time source of the remote sources' refresh rate limit
     */
    public static List<IssuerPolicy> build(List<IssuerSettings> issuers, LongSupplier nanoTime) {
        return issuers.stream().map(i -> new IssuerPolicy(i.issuer(), keySource(i, nanoTime), i.algorithms(),
                i.audiences(), i.requiredClaims(), i.expectedType(), i.clockSkew(), i.maxTokenLifetime(),
                i.maxTokenAge(), i.dpop(), i.encryption())).toList();
    }

    private static KeySource keySource(IssuerSettings issuer, LongSupplier nanoTime) {
        if (issuer.keys() instanceof KeySourceSettings.RemoteJwks r) {
            return new RemoteJwksSource(issuer.issuer(), r.jwksUri().orElse(null), issuer.algorithms(),
                    r.refreshInterval(), r.minRefreshInterval(), r.fetchTimeout(), nanoTime);
        }
        return new StaticKeySource(((KeySourceSettings.StaticKeys) issuer.keys()).keys());
    }
}
