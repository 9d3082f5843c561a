package io.jwtsidecar.cli;

import io.jwtsidecar.token.TokenMinter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jwt-sidecar token}: mints a token with a PKCS#8 PEM private key, for development and demos. */
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
    String kid;

    @Option(names = "--ttl", defaultValue = "3600", description = "Lifetime in seconds (default: ${DEFAULT-VALUE}).")
    long ttlSeconds;

    @Override
    public Integer call() throws Exception {
        PrivateKey key = readPrivateKey(Files.readString(privateKey, StandardCharsets.US_ASCII));
        System.out.println(new TokenMinter(issuer, kid, key, Clock.systemUTC())
                .mint(subject, audience, Duration.ofSeconds(ttlSeconds), Map.of()));
        return 0;
    }

    static PrivateKey readPrivateKey(String pem) throws GeneralSecurityException {
        String body = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body));
        GeneralSecurityException last = null;
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("not an EC, RSA or Ed25519 PKCS#8 private key", last);
    }
}
