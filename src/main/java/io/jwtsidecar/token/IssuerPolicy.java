package io.jwtsidecar.token;

import io.jwtsidecar.token.keys.KeySource;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the verifier demands of tokens from one issuer. Immutable.
 *
 * @param issuer        the exact {@code iss} value (no prefix, case or trailing-slash leniency)
 * @param keys          where the trusted keys come from; each key is bound to one algorithm
 * @param algorithms    the algorithms accepted from this issuer (a subset of the keys' ones)
 * @param audiences     accepted {@code aud} values; a token must name at least one
 * @param requiredClaims claims that must be present besides {@code exp}
 * @param expectedType  the required {@code typ} header (e.g. {@code at+jwt}), or null for any
 * @param clockSkew     tolerance for {@code exp}, {@code nbf}, {@code iat} and rule times
 * @param maxTokenLifetime the longest a token from this issuer lives; revocation rules for
 *                      this issuer expire this long after their rule time
 * @param maxTokenAge   reject tokens whose {@code iat} is older than this, or null for no limit
 * @param dpop          what DPoP (RFC 9449) demands of its tokens and their proofs
 * @param encryption    which encrypted tokens it sends and whether plain ones are refused
 */
public record IssuerPolicy(String issuer, KeySource keys, Set<JwsAlgorithm> algorithms,
                           Set<String> audiences, List<String> requiredClaims, @Nullable String expectedType,
                           Duration clockSkew, Duration maxTokenLifetime, @Nullable Duration maxTokenAge,
                           DpopPolicy dpop, EncryptionPolicy encryption) {
    /** With the default DPoP policy ({@link DpopPolicy#DEFAULT}) and no encrypted tokens. */
    public IssuerPolicy(String issuer, KeySource keys, Set<JwsAlgorithm> algorithms,
                        Set<String> audiences, List<String> requiredClaims, @Nullable String expectedType,
                        Duration clockSkew, Duration maxTokenLifetime, @Nullable Duration maxTokenAge) {
        this(issuer, keys, algorithms, audiences, requiredClaims, expectedType, clockSkew, maxTokenLifetime,
                maxTokenAge, DpopPolicy.DEFAULT);
    }

    /** Without encrypted tokens ({@link EncryptionPolicy#NONE}). */
    public IssuerPolicy(String issuer, KeySource keys, Set<JwsAlgorithm> algorithms,
                        Set<String> audiences, List<String> requiredClaims, @Nullable String expectedType,
                        Duration clockSkew, Duration maxTokenLifetime, @Nullable Duration maxTokenAge, DpopPolicy dpop) {
        this(issuer, keys, algorithms, audiences, requiredClaims, expectedType, clockSkew, maxTokenLifetime,
                maxTokenAge, dpop, EncryptionPolicy.NONE);
    }

    public IssuerPolicy {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(keys, "keys");
        algorithms = Set.copyOf(algorithms);
        audiences = Set.copyOf(audiences);
        requiredClaims = List.copyOf(requiredClaims);
        Objects.requireNonNull(clockSkew, "clockSkew");
        Objects.requireNonNull(maxTokenLifetime, "maxTokenLifetime");
        Objects.requireNonNull(dpop, "dpop");
        Objects.requireNonNull(encryption, "encryption");
    }
}
