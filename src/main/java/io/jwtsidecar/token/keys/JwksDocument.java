package io.jwtsidecar.token.keys;

import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import java.security.Key;
import java.security.PrivateKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a JWKS served by an identity provider. Unlike a configured file, a remote set is
 * read leniently key by key: keys for encryption, of unsupported types, too weak, or whose
 * algorithm cannot be pinned are skipped with a warning, while the rest are used. A document
 * with no usable key at all is an error (the caller keeps its last good set).
 */
final class JwksDocument {
    private static final Logger log = LoggerFactory.getLogger(JwksDocument.class);

    private JwksDocument() {
    }

    /**
     * @param allowed the issuer's allowed algorithms: a JWK without {@code alg} is bound to the
     *                one allowed algorithm of its key type, and skipped when there are several
     * @throws IllegalArgumentException when the document is not a JWKS or has no usable key
     */
    static List<VerificationKey> parse(String json, Set<JwsAlgorithm> allowed, String source) {
        JwkSet set;
        try {
            set = Jwks.setParser().ignoreUnsupported(true).build().parse(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a JWKS: " + e.getMessage(), e);
        }
        List<VerificationKey> keys = new ArrayList<>();
        for (Jwk<?> jwk : set.getKeys()) {
            if (StaticKeyLoader.notForSignatures(jwk) != null) {
                continue;
            }
            try {
                Key key = jwk.toKey();
                if (key instanceof PrivateKey || key instanceof SecretKey) {
                    // Anyone who can read a published secret or private key could sign with it.
                    throw new IllegalArgumentException("a private or secret key in a public JWKS");
                }
                keys.add(new VerificationKey(jwk.getId(), algorithmFor(jwk, key, allowed), key));
            } catch (IllegalArgumentException e) {
                log.warn("skipping key '{}' of {}: {}", jwk.getId(), source, e.getMessage());
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no usable signing key for algorithms " + allowed);
        }
        return keys;
    }

    private static JwsAlgorithm algorithmFor(Jwk<?> jwk, Key key, Set<JwsAlgorithm> allowed) {
        String name = jwk.getAlgorithm();
        if (name != null) {
            return JwsAlgorithm.fromJoseName(name)
                    .orElseThrow(() -> new IllegalArgumentException("unsupported alg '" + name + "'"));
        }
        List<JwsAlgorithm> candidates = new ArrayList<>();
        for (JwsAlgorithm a : allowed) {
            if (fits(a, key)) {
                candidates.add(a);
            }
        }
        if (candidates.size() != 1) {
            throw new IllegalArgumentException("no alg, and " + candidates.size()
                    + " allowed algorithms fit its key type; set the issuer's algorithms to pin one");
        }
        return candidates.get(0);
    }

    private static boolean fits(JwsAlgorithm a, Key key) {
        return switch (a.family()) {
            case HMAC -> key instanceof SecretKey;
            case RSA, RSA_PSS -> key instanceof RSAKey;
            case EC -> key instanceof ECKey;
            case EDDSA -> key instanceof EdECKey;
        };
    }
}
