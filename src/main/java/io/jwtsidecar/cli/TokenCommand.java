package io.jwtsidecar.cli;

import io.jwtsidecar.token.TokenMinter;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jwt-sidecar token}: mints a token with a PKCS#8 PEM private key, for development and
 * demos. A key file it cannot use is exit {@value ExitStatus#USAGE} with one sentence.
 */
@Command(name = "token", description = "Mint a signed token (development aid) with a PKCS#8 PEM private key (EC, RSA or Ed25519).")
final class TokenCommand implements Callable<Integer> {
    @Option(names = "--private-key", required = true, description = "PKCS#8 PEM private key file.")
    Path privateKey;

    @Option(names = "--issuer", required = true)
    String issuer;

    @Option(names = "--subject", required = true)
    String subject;

    @Option(names = "--audience", required = true)
    String audience;

    @Option(names = "--kid", description = "Key id to put in the header.")
    @Nullable String kid;

    @Option(names = "--ttl", defaultValue = "3600", description = "Lifetime in seconds (default: ${DEFAULT-VALUE}).")
    long ttlSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrivateKey key;
        try {
            key = PrivateKeyFile.read(privateKey);
        } catch (UserError e) {
            return e.report(spec);
        }
        System.out.println(new TokenMinter(issuer, kid, key, Clock.systemUTC())
                .mint(subject, audience, Duration.ofSeconds(ttlSeconds), Map.of()));
        return ExitStatus.OK;
    }
}
