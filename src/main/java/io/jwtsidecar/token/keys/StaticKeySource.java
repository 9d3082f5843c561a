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

    @Override
    public String describe() {
        return "static (" + keys.all().size() + " key" + (keys.all().size() == 1 ? "" : "s") + ")";
    }
}
