package io.jwtsidecar.testing;

/** The smallest configuration that loads, as YAML pieces for tests that add one section to it. */
public final class MinimalConfig {
    /** A broker address (never connected to by a configuration test). */
    public static final String KAFKA = "kafka:\n  bootstrapServers: broker-1:9092\n";
    /** One HS256 issuer. */
    public static final String ISSUERS = ""
            + "issuers:\n"
            + "  - issuer: https://hs.example\n"
            + "    audiences: [orders-api]\n"
            + "    keys:\n"
            + "      - kid: hs-1\n"
            + "        alg: HS256\n"
            + "        secret: \"0123456789abcdef0123456789abcdef-hs\"\n";

    private MinimalConfig() {
    }
}
