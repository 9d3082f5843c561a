package io.jwtsidecar.token.keys;

import io.jsonwebtoken.security.AeadAlgorithm;
import io.jsonwebtoken.security.AeadRequest;
import io.jsonwebtoken.security.AeadResult;
import io.jsonwebtoken.security.DecryptAeadRequest;
import io.jsonwebtoken.security.SecretKeyBuilder;
import io.jsonwebtoken.security.SecurityException;
import java.io.OutputStream;

/**
 * One of jjwt's content encryptions that decrypts only with a key of exactly its length
 * (RFC 7516 §5.2 step 10, RFC 7518 §5.2.2.1, §5.3). jjwt's AES-GCM takes any AES key length, so a
 * JWE labelled A128GCM whose encrypted key holds 32 bytes would be opened as AES-256-GCM: the
 * {@code enc} an issuer is restricted to would not name the cipher used. Immutable.
 */
final class ExactKeyLength implements AeadAlgorithm {
    private final AeadAlgorithm delegate;

    ExactKeyLength(AeadAlgorithm delegate) {
        this.delegate = delegate;
    }

    @Override
    public String getId() {
        return delegate.getId();
    }

    @Override
    public int getKeyBitLength() {
        return delegate.getKeyBitLength();
    }

    @Override
    public SecretKeyBuilder key() {
        return delegate.key();
    }

    @Override
    public void encrypt(AeadRequest request, AeadResult result) {
        delegate.encrypt(request, result);
    }

    @Override
    public void decrypt(DecryptAeadRequest request, OutputStream out) {
        byte[] key = request.getKey().getEncoded();
        if (key == null || key.length * 8L != delegate.getKeyBitLength()) {
            throw new SecurityException(delegate.getId() + " needs a " + delegate.getKeyBitLength() + "-bit key");
        }
        delegate.decrypt(request, out);
    }
}
