package io.jwtsidecar.token.keys;

import io.jsonwebtoken.Jwe;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.JwtParserBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.lang.NestedCollection;
import io.jsonwebtoken.security.AeadAlgorithm;
import java.security.PrivateKey;
import java.util.Set;
import javax.crypto.SecretKey;
import org.jspecify.annotations.Nullable;

/**
 * Opens a compact JWE with one {@link DecryptionKey}, through jjwt: the key unwrapping or
 * agreement (RSA-OAEP, ECDH-ES with its Concat KDF and AES key wrap) and the authenticated
 * content decryption are jjwt's, never written here. jjwt also refuses an ECDH-ES ephemeral
 * public key ({@code epk}) that is not on its curve, the invalid-curve attack.
 *
 * <p>The parser takes exactly the key's algorithm and the given content encryptions, no
 * compression and no critical extensions, whatever the header asks for; the caller has refused
 * those headers already, this is the second lock. Immutable and thread-safe (jjwt's parser is).
 */
public final class JweDecrypter {
    private final DecryptionKey key;
    private final JwtParser parser;

    /** @param accepted the content encryptions this key's issuer takes */
    public JweDecrypter(DecryptionKey key, Set<ContentEncryption> accepted) {
        this.key = key;
        JwtParserBuilder builder = Jwts.parser();
        builder.key().clear().add(key.alg().jjwt()).and();
        NestedCollection<AeadAlgorithm, JwtParserBuilder> enc = builder.enc().clear();
        accepted.forEach(e -> enc.add(e.jjwt()));
        enc.and();
        builder.zip().clear().and();
        builder.critical().clear().and();
        if (key.key() instanceof SecretKey secret) {
            builder.decryptWith(secret);
        } else {
            builder.decryptWith((PrivateKey) key.key());
        }
        this.parser = builder.build();
    }

    public DecryptionKey key() {
        return key;
    }

    /**
     * The decrypted content, or null when the token does not open with this key for any reason
     * (a wrong key, a changed tag, IV, ciphertext or header, a bad epk): one answer for every
     * failure, so that how it failed cannot be learnt from the outside.
     */
    public byte @Nullable [] decrypt(String compactJwe) {
        try {
            Jwe<byte[]> jwe = parser.parseEncryptedContent(compactJwe);
            return jwe.getPayload();
        } catch (RuntimeException e) { // NOPMD: every jjwt failure is the same refusal
            return null;
        }
    }
}
