package io.jwtsidecar.token.keys;

import java.util.List;

/** Keys fixed at start-up (secrets, PEM files, JWK/JWKS files). Immutable. */
public final class StaticKeySource implements KeySource {
    private final IssuerKeys keys;

    public StaticKeySource(List<VerificationKey> keys) {
        this.keys = new IssuerKeys(keys);
    }

    @Override
    public IssuerKeys current() {
        return keys;
    }

    /**
     * The count and each key's kid, algorithm and thumbprint (never key material): check-config
     * and {@code /health/ready} show it, so operators can name a key without a kid in a rule.
     */
    @Override
    public String describe() {
        return "static (" + keys.all().size() + " key" + (keys.all().size() == 1 ? "" : "s") + "): " + keys.all();
    }
}
