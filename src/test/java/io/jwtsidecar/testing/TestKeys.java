package io.jwtsidecar.testing;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.SignatureAlgorithm;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import java.security.Key;
import java.security.KeyPair;
import java.security.PrivateKey;
import javax.crypto.SecretKey;

/**
 * Key material for one algorithm: the signing key for minting and the key the verifier gets.
 * Generated with jjwt's own generators, which produce keys of the size each algorithm needs.
 */
public final class TestKeys {
    private final JwsAlgorithm algorithm;
    private final Key signingKey;
    private final Key verificationKey;

    private TestKeys(JwsAlgorithm algorithm, Key signingKey, Key verificationKey) {
        this.algorithm = algorithm;
        this.signingKey = signingKey;
        this.verificationKey = verificationKey;
    }

    public static TestKeys generate(JwsAlgorithm alg) {
        if (alg.family() == JwsAlgorithm.Family.HMAC) {
            SecretKey k = jjwtHmac(alg).key().build();
            return new TestKeys(alg, k, k);
        }
        // jjwt's EdDSA generator defaults to Ed448, and its PS* generators make keys typed
        // RSASSA-PSS; issuers use Ed25519 and plain RSA keys for PS*, so do the same here.
        KeyPair pair;
        if (alg == JwsAlgorithm.EdDSA) {
            pair = Jwks.CRV.Ed25519.keyPair().build();
        } else if (alg.family() == JwsAlgorithm.Family.RSA_PSS) {
            pair = rsa(alg == JwsAlgorithm.PS256 ? 2048 : alg == JwsAlgorithm.PS384 ? 3072 : 4096);
        } else {
            pair = ((SignatureAlgorithm) Jwts.SIG.get().get(alg.name())).keyPair().build();
        }
        return new TestKeys(alg, pair.getPrivate(), pair.getPublic());
    }

    /**
     * A key pair straight from the JCA: {@code params} is a key size (Integer), a curve name
     * (String, e.g. secp384r1) or null for the provider's default.
     */
    public static KeyPair jcaPair(String algorithm, Object params) {
        try {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance(algorithm);
            if (params instanceof Integer) {
                g.initialize((Integer) params);
            } else if (params != null) {
                g.initialize(new java.security.spec.ECGenParameterSpec((String) params));
            }
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair rsa(int bits) {
        try {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static io.jsonwebtoken.security.MacAlgorithm jjwtHmac(JwsAlgorithm alg) {
        switch (alg) {
            case HS256: return Jwts.SIG.HS256;
            case HS384: return Jwts.SIG.HS384;
            default: return Jwts.SIG.HS512;
        }
    }

    public JwsAlgorithm algorithm() {
        return algorithm;
    }

    public Key signingKey() {
        return signingKey;
    }

    public PrivateKey privateKey() {
        return (PrivateKey) signingKey;
    }

    public Key verificationKey() {
        return verificationKey;
    }

    /** The public key as PEM, as an operator would configure it. */
    public String publicPem() {
        return io.jwtsidecar.token.keys.Pem.encode("PUBLIC KEY", verificationKey.getEncoded());
    }
}
