package io.jwtsidecar.revocation;

import io.jwtsidecar.token.keys.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading an event signing key, and checking it belongs to a trusted publisher key. Stateless.
 */
public final class EventKeys {
    private static final Pattern PRIVATE_KEY =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private EventKeys() {
    }

    /**
     * An Ed25519 or P-256 private key from a PEM {@code PRIVATE KEY} (PKCS#8) block.
     *
     * @throws IllegalArgumentException naming what is wrong (never echoing the key)
     */
    public static PrivateKey privateKey(String pem) {
        Matcher m = PRIVATE_KEY.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException("no PEM 'PRIVATE KEY' (PKCS#8) block; convert other forms with "
                    + "'openssl pkcs8 -topk8 -nocrypt'");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the PRIVATE KEY block is not base64");
        }
        for (String algorithm : new String[] {"Ed25519", "EC"}) {
            try {
                PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                EventSigner.algorithmFor(key);
                return key;
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // try the next type
            }
        }
        throw new IllegalArgumentException("the PRIVATE KEY is neither an Ed25519 nor a P-256 key");
    }

    /** Whether {@code public} verifies what {@code signer} signs: the two halves of one key pair. */
    public static boolean matches(EventSigner signer, VerificationKey publicKey) {
        if (signer.algorithm() != publicKey.algorithm()) {
            return false;
        }
        byte[] probe = "jwt-sidecar signing key check".getBytes(StandardCharsets.US_ASCII);
        String jws = new String(signer.sign("probe", probe, probe, 0), StandardCharsets.US_ASCII);
        int dot = jws.lastIndexOf('.');
        return publicKey.verify(jws.substring(0, dot).getBytes(StandardCharsets.US_ASCII),
                Base64.getUrlDecoder().decode(jws.substring(dot + 1)));
    }
}
