package io.jwtsidecar.config;

import io.jwtsidecar.token.keys.VerificationKey;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one issuer's keys come from, as configured: plain data. The composition root turns it
 * into a live key source (a remote one fetches in the background once started).
 */
public sealed interface KeySourceSettings {

    /**
     * Keys given in the configuration (secrets, PEM, JWK/JWKS files), already loaded and checked:
     * immutable keys are data.
     */
    record StaticKeys(List<VerificationKey> keys) implements KeySourceSettings {
        public StaticKeys {
            keys = List.copyOf(keys);
        }
    }

    /**
     * Keys fetched from a JWKS URL, or from the URL the issuer's discovery document names.
     *
     * @param jwksUri            the JWKS URL; empty: OpenID Connect discovery from the issuer
     * @param refreshInterval    how often the keys are fetched again ({@code jwksRefreshInterval})
     * @param minRefreshInterval the least time between two fetches ({@code jwksMinRefreshInterval})
     * @param fetchTimeout       the deadline of each request ({@code jwksFetchTimeout})
     */
    record RemoteJwks(Optional<URI> jwksUri, Duration refreshInterval, Duration minRefreshInterval,
                      Duration fetchTimeout) implements KeySourceSettings {
        public RemoteJwks {
            Objects.requireNonNull(jwksUri, "jwksUri");
            Objects.requireNonNull(refreshInterval, "refreshInterval");
            Objects.requireNonNull(minRefreshInterval, "minRefreshInterval");
            Objects.requireNonNull(fetchTimeout, "fetchTimeout");
        }

        /** Whether the JWKS URL is discovered rather than configured. */
        public boolean discovery() {
            return jwksUri.isEmpty();
        }
    }
}
