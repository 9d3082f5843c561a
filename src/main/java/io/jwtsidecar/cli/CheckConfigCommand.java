package io.jwtsidecar.cli;

import io.jwtsidecar.app.IssuerPolicies;
import io.jwtsidecar.config.ConfigException;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.token.EncryptionPolicy;
import io.jwtsidecar.token.IssuerPolicy;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jwt-sidecar check-config FILE}: validates a configuration, keys included, and exits 0 or 2. */
@Command(name = "check-config", description = "Validate a configuration file (keys included) without starting anything.")
final class CheckConfigCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "YAML configuration file.")
    Path config;

    @Override
    public Integer call() {
        try {
            SidecarConfig cfg = new ConfigLoader(System.getenv()).load(config);
            System.out.println("configuration OK: " + cfg.issuers().size() + " issuer(s), topic "
                    + cfg.kafka().topic() + ", admin API " + (cfg.adminAccess().enabled() ? "on" : "off"));
            // Built, not started: describing a remote source names its URL and fetches nothing.
            for (IssuerPolicy p : IssuerPolicies.build(cfg.issuers(), System::nanoTime)) {
                System.out.println("  " + p.issuer() + ": keys " + p.keys().describe() + ", algorithms "
                        + p.algorithms() + ", audiences " + p.audiences() + encryption(p.encryption()));
            }
            return 0;
        } catch (ConfigException e) {
            return ConfigErrors.printList(config, e);
        }
    }

    /** The decryption keys by kid and algorithm (never their material), or nothing without any. */
    private static String encryption(EncryptionPolicy e) {
        if (e.keys().isEmpty()) {
            return "";
        }
        return ", encrypted tokens " + e.mode().name().toLowerCase(Locale.ROOT) + " with decryption keys "
                + e.keys().stream().map(k -> k.kid() + " (" + k.alg() + ")").toList();
    }
}
