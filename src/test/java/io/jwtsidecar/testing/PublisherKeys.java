package io.jwtsidecar.testing;

import io.jwtsidecar.revocation.EventSigner;
import io.jwtsidecar.revocation.PublisherKey;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.token.keys.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.spec.ECGenParameterSpec;

/**
 * An event publisher key pair for tests, as an operator makes one with openssl: written as PEM
 * files (PUBLIC KEY for every sidecar, PRIVATE KEY for the admin sidecars) and usable as an
 * {@link EventSigner} to sign records written straight to the topic.
 *
 * @param kid  the publisher key's name
 * @param pair its key pair
 * @param alg  EdDSA or ES256
 */
public record PublisherKeys(String kid, KeyPair pair, String alg) {
    /** A fresh Ed25519 publisher key named {@code kid}. */
    public static PublisherKeys ed25519(String kid) {
        try {
            return new PublisherKeys(kid, KeyPairGenerator.getInstance("Ed25519").generateKeyPair(), "EdDSA");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh P-256 publisher key named {@code kid}. */
    public static PublisherKeys es256(String kid) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return new PublisherKeys(kid, g.generateKeyPair(), "ES256");
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public EventSigner signer() {
        return new EventSigner(kid, pair.getPrivate());
    }

    public String publicPem() {
        return Pem.encode("PUBLIC KEY", pair.getPublic().getEncoded());
    }

    public String privatePem() {
        return Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded());
    }

    /** Writes {@code <kid>.pem} and {@code <kid>-private.pem} into {@code dir}; returns {@code dir}. */
    public Path writeTo(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(kid + ".pem"), publicPem());
            Files.writeString(dir.resolve(kid + "-private.pem"), privatePem());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The YAML lines of one {@code revocation.publisherKeys} entry (indented for that list), the PEM inline. */
    public String publisherKeyEntry(PublisherKey.Trust trust) {
        StringBuilder sb = new StringBuilder("    - kid: " + kid + "\n      alg: " + alg + "\n      pem: |\n");
        publicPem().lines().forEach(l -> sb.append("        ").append(l).append('\n'));
        if (trust != PublisherKey.Trust.CURRENT) {
            sb.append("      trust: ").append(trust.name().toLowerCase(java.util.Locale.ROOT)).append('\n');
        }
        return sb.toString();
    }

    /** The key as a sidecar trusts it. */
    public PublisherKey trusted(PublisherKey.Trust trust) {
        return new PublisherKey(kid, io.jwtsidecar.token.keys.StaticKeyLoader.pem(kid,
                io.jwtsidecar.token.keys.JwsAlgorithm.valueOf(alg), publicPem()), trust);
    }

    /** The signature header value for an event as a publisher would write it to {@code topic}. */
    public byte[] sign(String topic, RevocationEvent event, io.jwtsidecar.revocation.EventCodec codec, long nowSeconds) {
        return signer().sign(topic, event.key().toBytes(), codec.encode(event), nowSeconds);
    }
}
