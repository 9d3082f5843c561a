package io.jwtsidecar.token;

import io.jwtsidecar.token.keys.JwsAlgorithm;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What one issuer demands of DPoP (RFC 9449). Immutable.
 *
 * <p>Whatever the mode, a token bound to a key ({@code cnf.jkt}) is only accepted with the
 * {@code DPoP} scheme and a good proof: a bound token used as a bearer token is a stolen one.
 *
 * @param mode         whether tokens without a binding are accepted as bearer tokens
 * @param proofWindow  how far a proof's {@code iat} may be from now, either way; also how long
 *                     its {@code jti} is remembered, so a replay across sidecars (each has its
 *                     own replay cache) is possible only within this window
 * @param algorithms   the proof algorithms accepted; empty: the issuer's asymmetric algorithms
 * @param nonce        whether proofs must carry a nonce this sidecar gave ({@link DpopNonces})
 */
public record DpopPolicy(Mode mode, Duration proofWindow, Set<JwsAlgorithm> algorithms, boolean nonce) {
    /** The default: unbound tokens are bearer tokens, proofs within 60 s, the issuer's algorithms, no nonce. */
    public static final DpopPolicy DEFAULT = new DpopPolicy(Mode.ALLOWED, Duration.ofSeconds(60), Set.of());

    /** Without server nonces. */
    public DpopPolicy(Mode mode, Duration proofWindow, Set<JwsAlgorithm> algorithms) {
        this(mode, proofWindow, algorithms, false);
    }

    /** Whether an issuer's unbound tokens are accepted. */
    public enum Mode {
        /** Bound tokens need a proof; unbound ones are bearer tokens. */
        ALLOWED,
        /** Every token must be bound and come with a proof: {@code dpop_required} otherwise. */
        REQUIRED
    }

    public DpopPolicy {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(proofWindow, "proofWindow");
        if (proofWindow.isNegative() || proofWindow.isZero()) {
            throw new IllegalArgumentException("dpop proof window must be positive, got " + proofWindow);
        }
        for (JwsAlgorithm a : algorithms) {
            if (a.family() == JwsAlgorithm.Family.HMAC) {
                throw new IllegalArgumentException("dpop algorithms must be asymmetric, got " + a);
            }
        }
        algorithms = Set.copyOf(algorithms);
    }

    /** The proof algorithms accepted for {@code issuer}'s tokens (RFC 9449 §4.3 step 5: asymmetric only). */
    public Set<JwsAlgorithm> algorithms(IssuerPolicy issuer) {
        if (!algorithms.isEmpty()) {
            return algorithms;
        }
        Set<JwsAlgorithm> own = EnumSet.noneOf(JwsAlgorithm.class);
        for (JwsAlgorithm a : issuer.algorithms()) {
            if (a.family() != JwsAlgorithm.Family.HMAC) {
                own.add(a);
            }
        }
        return own;
    }
}
