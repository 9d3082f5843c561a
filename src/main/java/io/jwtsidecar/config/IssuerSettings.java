package io.jwtsidecar.config;

import io.jwtsidecar.token.DpopPolicy;
import io.jwtsidecar.token.EncryptionPolicy;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One entry of {@code issuers}, validated: what the verifier will demand of this issuer's tokens
 * and where its keys come from. Plain data; the composition root builds the live policy.
 *
 * @param issuer           the exact {@code iss} value
 * @param keys             where the keys come from
 * @param algorithms       the algorithms accepted (for static keys, the keys' own when not given)
 * @param audiences        accepted {@code aud} values; never empty
 * @param requiredClaims   claims that must be present besides {@code exp}
 * @param expectedType     the required {@code typ} header, or null for any
 * @param clockSkew        tolerance for time claims and rule times
 * @param maxTokenLifetime the longest a token from this issuer lives
 * @param maxTokenAge      the oldest {@code iat} accepted, or null for no limit
 * @param logoutClientIds  the client ids its back-channel logout tokens may name in {@code aud};
 *                         empty when it may send none
 * @param dpop             what DPoP demands of its tokens and proofs
 * @param encryption       its decryption keys and whether its tokens must be encrypted
 */
public record IssuerSettings(String issuer, KeySourceSettings keys, Set<JwsAlgorithm> algorithms,
                             Set<String> audiences, List<String> requiredClaims, @Nullable String expectedType,
                             Duration clockSkew, Duration maxTokenLifetime, @Nullable Duration maxTokenAge,
                             List<String> logoutClientIds, DpopPolicy dpop, EncryptionPolicy encryption) {
    /** With the default DPoP policy and no encrypted tokens. */
    public IssuerSettings(String issuer, KeySourceSettings keys, Set<JwsAlgorithm> algorithms,
                          Set<String> audiences, List<String> requiredClaims, @Nullable String expectedType,
                          Duration clockSkew, Duration maxTokenLifetime, @Nullable Duration maxTokenAge,
                          List<String> logoutClientIds) {
        this(issuer, keys, algorithms, audiences, requiredClaims, expectedType, clockSkew, maxTokenLifetime,
                maxTokenAge, logoutClientIds, DpopPolicy.DEFAULT, EncryptionPolicy.NONE);
    }

    public IssuerSettings {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(keys, "keys");
        algorithms = Set.copyOf(algorithms);
        audiences = Set.copyOf(audiences);
        requiredClaims = List.copyOf(requiredClaims);
        logoutClientIds = List.copyOf(logoutClientIds);
        Objects.requireNonNull(clockSkew, "clockSkew");
        Objects.requireNonNull(maxTokenLifetime, "maxTokenLifetime");
        Objects.requireNonNull(dpop, "dpop");
        Objects.requireNonNull(encryption, "encryption");
    }
}
