package io.jwtsidecar.app;

import java.security.Provider;
import java.security.Security;

/**
 * The ordered JCA provider list that signature checks draw from. The real one is JVM-wide
 * ({@link #jvm()}); behind this interface a test can hand {@link NativeCrypto} a list of its own
 * and so see each outcome whatever other tests in the same JVM did to the global list.
 */
public interface ProviderRegistry {

    /** The provider consulted first. */
    Provider first();

    /** Puts {@code provider} in front of all others; does nothing if one of that name is already present. */
    void insertFirst(Provider provider);

    /** The JVM's own list, {@link Security}. */
    static ProviderRegistry jvm() {
        return new ProviderRegistry() {
            @Override
            public Provider first() {
                return Security.getProviders()[0];
            }

            @Override
            public void insertFirst(Provider provider) {
                // Security ignores a provider whose name is already installed, so two callers racing is harmless.
                Security.insertProviderAt(provider, 1);
            }
        };
    }
}
