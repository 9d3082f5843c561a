package io.jwtsidecar.idp;

import io.jwtsidecar.token.SeenIds;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.RuleKeys;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.IssuerSignedJwt;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Validates a logout token as OpenID Connect Back-Channel Logout 1.0 §2.6 says, after its
 * signature held ({@link IssuerSignedJwt}, with {@code typ} {@value #TYPE} where present), and
 * turns it into the revocation it asks for: the session ({@code sid}) when it names one, else
 * every session of the user ({@code sub}), dated by its {@code iat}.
 *
 * <p>Each refusal says which rule failed, in words an operator can act on; the receiver answers
 * 400 {@code invalid_request} with it. Stateless; the replay check on {@code jti} is the caller's
 * ({@link SeenIds}), since it must only hold a jti once everything else passed.
 */
public final class LogoutTokenCheck {
    /** The explicit type of logout tokens (§2.4, RFC 8725 §3.11). */
    public static final String TYPE = "logout+jwt";
    /** The event member every logout token carries (§2.4). */
    public static final String EVENT = "http://schemas.openid.net/event/backchannel-logout";

    private final Map<String, Set<String>> clientIds;
    private final Duration maxAge;
    private final Clock clock;

    /**
     * @param clientIds the client ids this sidecar answers for, by issuer: a logout token's
     *                  {@code aud} must name one, and an issuer without any sends none
     * @param maxAge    the oldest {@code iat} accepted
     */
    public LogoutTokenCheck(Map<String, Set<String>> clientIds, Duration maxAge, Clock clock) {
        this.clientIds = Map.copyOf(clientIds);
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
        this.clock = clock;
    }

    /** The result: a revocation and how long its jti must be remembered, or why not. */
    public sealed interface Result permits Accepted, Refused {
    }

    /**
     * @param revocation  the rule to publish
     * @param forgetAfter epoch second after which the token is too old anyway, so its jti may be forgotten
     */
    public record Accepted(IdpRevocation revocation, long forgetAfter) implements Result {
    }

    /** @param description which rule failed, for the 400's {@code error_description} */
    public record Refused(String description) implements Result {
    }

    /** Whether {@code issuer} may send logout tokens here. */
    public boolean sendsLogouts(String issuer) {
        return clientIds.containsKey(issuer);
    }

    /** Whether any issuer may send logout tokens here. */
    public boolean enabled() {
        return !clientIds.isEmpty();
    }

    public Result check(IssuerSignedJwt.Signed token) {
        IssuerPolicy policy = token.policy();
        ObjectNode claims = token.claims();
        Set<String> accepted = clientIds.get(policy.issuer());
        if (accepted == null) {
            return new Refused("issuer " + policy.issuer() + " has no logoutClientId here: it may not log sessions out");
        }
        if (!SignalClaims.audienceNames(claims.get("aud"), accepted)) {
            return new Refused("aud must name a client id of logoutClientId " + new TreeSet<>(accepted));
        }
        long now = clock.instant().getEpochSecond();
        long skew = policy.clockSkew().toSeconds();
        JsonNode iat = claims.get("iat");
        if (!SignalClaims.isEpochSeconds(iat)) {
            return new Refused("iat is required, in whole epoch seconds");
        }
        long issuedAt = iat.longValue();
        if (issuedAt > now + skew) {
            return new Refused("iat is in the future");
        }
        if (issuedAt < now - maxAge.toSeconds() - skew) {
            return new Refused("iat is older than " + maxAge.toSeconds() + " s");
        }
        JsonNode exp = claims.get("exp");
        if (!SignalClaims.isEpochSeconds(exp)) {
            return new Refused("exp is required, in whole epoch seconds");
        }
        if (exp.longValue() + skew <= now) {
            return new Refused("the logout token has expired");
        }
        JsonNode jti = claims.get("jti");
        if (jti == null || !jti.isTextual() || jti.textValue().isEmpty()) {
            return new Refused("jti is required, a non-empty string");
        }
        if (jti.textValue().length() > EventCodec.MAX_FIELD_LENGTH) {
            // It is kept in the replay cache and written to the audit line: bounded like any event field.
            return new Refused("jti is longer than " + EventCodec.MAX_FIELD_LENGTH + " characters");
        }
        JsonNode events = claims.get("events");
        if (events == null || !events.isObject() || !events.has(EVENT)) {
            return new Refused("events must be an object with the member " + EVENT);
        }
        if (!events.get(EVENT).isObject()) {
            return new Refused("the events member " + EVENT + " must be a JSON object");
        }
        if (claims.has("nonce")) {
            // §2.4: a logout token with a nonce could be an ID token replayed as a logout token.
            return new Refused("a logout token must not contain nonce");
        }
        @Nullable String sid = text(claims, "sid");
        @Nullable String sub = text(claims, "sub");
        if (claims.has("sid") && sid == null || claims.has("sub") && sub == null) {
            return new Refused("sid and sub must be non-empty strings");
        }
        if (sid == null && sub == null) {
            return new Refused("a logout token must contain sid, sub or both");
        }
        RuleKey key = sid != null ? new RuleKey(RevocationScope.SID, policy.issuer(), sid)
                : new RuleKey(RevocationScope.SUB, policy.issuer(), Objects.requireNonNull(sub));
        try {
            RuleKeys.check(key.scope(), key.issuer(), key.value());
        } catch (IllegalArgumentException e) {
            return new Refused(key.scope().wireName() + " cannot be a revocation rule: " + e.getMessage());
        }
        long forgetAfter = issuedAt + maxAge.toSeconds() + 2 * skew;
        return new Accepted(new IdpRevocation(SignalSource.BACKCHANNEL_LOGOUT, policy.issuer(), key, issuedAt,
                jti.textValue(), SignalSource.BACKCHANNEL_LOGOUT.label(), null), forgetAfter);
    }

    private static @Nullable String text(ObjectNode claims, String name) {
        JsonNode n = claims.get(name);
        return n != null && n.isTextual() && !n.textValue().isEmpty() ? n.textValue() : null;
    }
}
