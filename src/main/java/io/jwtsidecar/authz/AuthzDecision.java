package io.jwtsidecar.authz;

import io.jwtsidecar.token.Verdict;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a route's requirements say about a verified token: allowed, or refused with the verdict
 * and what the client would need (the scopes for an {@code insufficient_scope} challenge, the
 * step-up for an RFC 9470 challenge). Immutable.
 *
 * @param verdict null when allowed
 * @param detail  for logs; never sent
 * @param scopes  the scopes the route requires (for {@link Verdict#INSUFFICIENT_SCOPE}), else empty
 * @param stepUp  what authentication the route requires (for
 *                {@link Verdict#INSUFFICIENT_USER_AUTHENTICATION}), else null
 */
public record AuthzDecision(@Nullable Verdict verdict, @Nullable String detail, List<String> scopes,
                            @Nullable StepUp stepUp) {
    private static final AuthzDecision ALLOW = new AuthzDecision(null, null, List.of(), null);

    /**
     * @param acrValues the acceptable {@code acr} values, most preferred first; empty when the route names none
     * @param maxAge    the most time since the user authenticated; null when the route sets none
     * @param acrFailed whether the token's {@code acr} was the problem (else its {@code auth_time} was)
     */
    public record StepUp(List<String> acrValues, @Nullable Duration maxAge, boolean acrFailed) {
        public StepUp {
            acrValues = List.copyOf(acrValues);
        }
    }

    public AuthzDecision {
        scopes = List.copyOf(scopes);
    }

    public static AuthzDecision allow() {
        return ALLOW;
    }

    public static AuthzDecision refuse(Verdict verdict, @Nullable String detail) {
        return new AuthzDecision(verdict, detail, List.of(), null);
    }

    public boolean allowed() {
        return verdict == null;
    }
}
