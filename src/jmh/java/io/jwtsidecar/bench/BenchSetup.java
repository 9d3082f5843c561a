package io.jwtsidecar.bench;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import io.jsonwebtoken.security.SignatureAlgorithm;
import io.jwtsidecar.app.NativeCrypto;
import io.jwtsidecar.token.DpopPolicy;
import io.jwtsidecar.token.EncryptionPolicy;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.VerificationOutcome;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.crypto.SecretKey;

/**
 * Keys, tokens and verifiers for the benchmarks, self-contained (the test fixtures are not on
 * the benchmark classpath). Tokens look like typical access tokens: a kid header and iss, sub,
 * aud, client_id, scope, jti, iat, exp claims; signed with jjwt.
 */
final class BenchSetup {
    static final String ISSUER = "https://issuer.example";
    static final String AUDIENCE = "orders-api";
    static final String KID = "k1";
    static final String SUBJECT = "user-4f1c2a9e";
    static final int MAX_TOKEN_BYTES = 8192;
    static final Duration SKEW = Duration.ofSeconds(30);
    /** Tokens stay valid this long, far longer than any benchmark run. */
    static final long LIFETIME_SECONDS = 24 * 3600;

    static final String NATIVE = "native";
    static final String JDK = "jdk";
    static final String ACCP = "AmazonCorrettoCryptoProvider";

    private BenchSetup() {
    }

    /**
     * Makes the JVM's JCA provider list match {@code provider}: "native" installs the Amazon
     * Corretto Crypto Provider first (as the sidecar does at start) and fails if it cannot load,
     * so no figure is ever labelled native by mistake; "jdk" leaves the JDK providers in charge.
     * The list is JVM-wide: it relies on JMH running every parameter combination in a fresh fork
     * (never run these with {@code -f 0}).
     *
     * @return the name and version of the first provider
     */
    static String useProvider(String provider) {
        switch (provider) {
            case NATIVE: {
                String active = NativeCrypto.forJvm().install();
                if (!active.startsWith(ACCP)) {
                    throw new IllegalStateException("native provider requested but not active: " + active);
                }
                return active;
            }
            case JDK: {
                String first = Security.getProviders()[0].getName();
                if (first.equals(ACCP)) {
                    throw new IllegalStateException("jdk provider requested but " + ACCP
                            + " is installed in this JVM (run with forks >= 1)");
                }
                return first + " " + Security.getProviders()[0].getVersionStr();
            }
            default:
                throw new IllegalArgumentException("provider must be native or jdk: " + provider);
        }
    }

    /** Key material for one algorithm, generated with the active provider. */
    static final class Material {
        final JwsAlgorithm alg;
        final Key signingKey;
        final Key verificationKey;

        private Material(JwsAlgorithm alg, Key signingKey, Key verificationKey) {
            this.alg = alg;
            this.signingKey = signingKey;
            this.verificationKey = verificationKey;
        }

        static Material generate(JwsAlgorithm alg) {
            switch (alg.family()) {
                case HMAC: {
                    SecretKey k = alg == JwsAlgorithm.HS256 ? Jwts.SIG.HS256.key().build()
                            : alg == JwsAlgorithm.HS384 ? Jwts.SIG.HS384.key().build() : Jwts.SIG.HS512.key().build();
                    return new Material(alg, k, k);
                }
                case RSA:
                case RSA_PSS: {
                    // Plain RSA keys for PS* as well, as issuers use them.
                    KeyPair pair = rsa(2048);
                    return new Material(alg, pair.getPrivate(), pair.getPublic());
                }
                case EDDSA: {
                    KeyPair pair = Jwks.CRV.Ed25519.keyPair().build();
                    return new Material(alg, pair.getPrivate(), pair.getPublic());
                }
                default: {
                    KeyPair pair = ((SignatureAlgorithm) Jwts.SIG.get().get(alg.name())).keyPair().build();
                    return new Material(alg, pair.getPrivate(), pair.getPublic());
                }
            }
        }

        /** A token valid from {@code nowSeconds} for a day, with a fresh jti. */
        String mint(long nowSeconds) {
            return mint(nowSeconds, Map.of());
        }

        /** The same with {@code extra} claims (e.g. a {@code cnf} binding). */
        @SuppressWarnings({"unchecked", "rawtypes"})
        String mint(long nowSeconds, Map<String, Object> extra) {
            Map<String, Object> claims = new LinkedHashMap<>();
            claims.put("iss", ISSUER);
            claims.put("sub", SUBJECT);
            claims.put("aud", List.of(AUDIENCE));
            claims.put("client_id", "orders-web");
            claims.put("scope", "orders:read orders:write");
            claims.put("jti", UUID.randomUUID().toString());
            claims.put("iat", nowSeconds - 5);
            claims.put("exp", nowSeconds + LIFETIME_SECONDS);
            claims.putAll(extra);
            SecureDigestAlgorithm sig = (SecureDigestAlgorithm) Jwts.SIG.get().get(alg.name());
            return Jwts.builder().header().keyId(KID).and().claims(claims).signWith(signingKey, sig).compact();
        }

        IssuerPolicy policy() {
            return policy(DpopPolicy.DEFAULT);
        }

        IssuerPolicy policy(DpopPolicy dpop) {
            return policy(dpop, EncryptionPolicy.NONE);
        }

        IssuerPolicy policy(DpopPolicy dpop, EncryptionPolicy encryption) {
            VerificationKey key = new VerificationKey(KID, alg, verificationKey);
            return new IssuerPolicy(ISSUER, new StaticKeySource(List.of(key)), Set.of(alg), Set.of(AUDIENCE),
                    List.of(), null, SKEW, Duration.ofDays(1), null, dpop, encryption);
        }

        TokenVerifier verifier(Clock clock, RevocationCheck revocation, long cacheBytes) {
            return new TokenVerifier(List.of(policy()), MAX_TOKEN_BYTES, clock, revocation, cacheBytes);
        }
    }

    private static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fails the trial at setup when the thing measured would not be a successful verification. */
    static void requireAccepted(VerificationOutcome outcome, String what) {
        if (!outcome.isAccepted()) {
            throw new IllegalStateException(what + " was not accepted: " + outcome);
        }
    }

    /** The same token with its last signature characters changed. */
    static String tampered(String token) {
        return token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    }
}
