package io.jwtsidecar.authz;

import com.fasterxml.jackson.databind.JsonNode;
import io.jwtsidecar.token.ClaimValues;
import io.jwtsidecar.token.Verdict;
import io.jwtsidecar.token.VerifiedToken;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a route demands of a token that already passed verification. Every list that is empty
 * demands nothing. Checked in this order, the first failure deciding:
 * <ol>
 *   <li>{@code issuers}: the token's {@code iss} is one of them (403 {@code access_denied});</li>
 *   <li>{@code audiences}: its {@code aud} names at least one of them (403 {@code access_denied});</li>
 *   <li>{@code claims}: each named claim has one of the listed values; for a list claim, one of
 *       its members does; numbers and booleans compare in their JSON form (403 {@code access_denied});</li>
 *   <li>{@code scopes}: its {@code scope}/{@code scp} grant every one of them (403
 *       {@code insufficient_scope}, naming them);</li>
 *   <li>{@code acr} and {@code maxAge} (RFC 9470 step-up): its {@code acr} is one of the listed
 *       values, and its {@code auth_time} is a NumericDate at most {@code maxAge} ago and not
 *       ahead of now by more than the issuer's clock skew (401
 *       {@code insufficient_user_authentication}, with the values and age it needs).</li>
 * </ol>
 * Step-up comes last: asking a user to sign in again is pointless if the token could never pass.
 * Immutable.
 */
public record Requirements(Set<String> issuers, Set<String> audiences, Map<String, Set<String>> claims,
                           List<String> scopes, List<String> acrValues, @Nullable Duration maxAge) {
    private static final Requirements NONE = new Requirements(Set.of(), Set.of(), Map.of(), List.of(), List.of(), null);

    public Requirements {
        issuers = Set.copyOf(issuers);
        audiences = Set.copyOf(audiences);
        claims = Map.copyOf(claims);
        scopes = List.copyOf(scopes);
        acrValues = List.copyOf(acrValues);
    }

    /** Demands nothing beyond verification. */
    public static Requirements none() {
        return NONE;
    }

    /**
     * @param nowSeconds  the current time in epoch seconds, for {@code maxAge}
     * @param skewSeconds the token issuer's clock skew: how far ahead {@code auth_time} may be
     */
    public AuthzDecision check(VerifiedToken token, long nowSeconds, long skewSeconds) {
        if (!issuers.isEmpty() && !issuers.contains(token.issuer())) {
            return AuthzDecision.refuse(Verdict.ACCESS_DENIED, "issuer is not one the route accepts");
        }
        ClaimValues values = token.claims();
        if (!audiences.isEmpty() && !anyIn(values.get("aud"), audiences)) {
            return AuthzDecision.refuse(Verdict.ACCESS_DENIED, "aud names no audience the route accepts");
        }
        for (Map.Entry<String, Set<String>> claim : claims.entrySet()) {
            if (!anyIn(values.get(claim.getKey()), claim.getValue())) {
                return AuthzDecision.refuse(Verdict.ACCESS_DENIED, "claim " + claim.getKey() + " has no accepted value");
            }
        }
        if (!scopes.isEmpty()) {
            Optional<Set<String>> granted = values.scopes();
            if (granted.isEmpty() || !granted.get().containsAll(scopes)) {
                return new AuthzDecision(Verdict.INSUFFICIENT_SCOPE, granted.isEmpty()
                        ? "scope or scp is malformed" : "the token lacks a required scope", scopes, null);
            }
        }
        String acr = values.text("acr");
        // Immutable collections throw on contains(null): a token without acr is checked before asking.
        boolean acrFails = !acrValues.isEmpty() && (acr == null || !acrValues.contains(acr));
        boolean ageFails = maxAge != null && !recentEnough(values.numericDate("auth_time"), nowSeconds, skewSeconds, maxAge);
        if (acrFails || ageFails) {
            return new AuthzDecision(Verdict.INSUFFICIENT_USER_AUTHENTICATION,
                    acrFails ? "acr is not one the route accepts" : "auth_time is missing or too old",
                    List.of(), new AuthzDecision.StepUp(acrValues, maxAge, acrFails));
        }
        return AuthzDecision.allow();
    }

    private boolean recentEnough(@Nullable Double authTime, long nowSeconds, long skewSeconds, Duration maxAge) {
        return authTime != null && authTime <= nowSeconds + skewSeconds && nowSeconds - authTime <= maxAge.toSeconds();
    }

    /** A string, number or boolean claim in the set, or a list claim with such a member. */
    private static boolean anyIn(@Nullable JsonNode value, Set<String> accepted) {
        if (value == null || value.isNull()) {
            return false;
        }
        if (value.isArray()) {
            for (JsonNode member : value) {
                if (member.isValueNode() && !member.isNull() && accepted.contains(member.asText())) {
                    return true;
                }
            }
            return false;
        }
        return value.isValueNode() && accepted.contains(value.asText());
    }
}
