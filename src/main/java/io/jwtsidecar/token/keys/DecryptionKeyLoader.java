package io.jwtsidecar.token.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.Jwks;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Turns configured private key material (a PEM PKCS#8 private key, or a JWK or JWKS of private
 * keys) into {@link DecryptionKey}s. Used at start-up only; every problem is an
 * {@link IllegalArgumentException} whose message says what is wrong, never the key itself.
 * JWK parsing is jjwt's, which also refuses EC points off their curve.
 */
public final class DecryptionKeyLoader {

    /** Where a kty oct JWK's {@code "alg": "dir"} is kept while jjwt parses it (see {@link #dirAsMarker}). */
    private static final String DIR_MARKER = "jwt-sidecar-alg";
    private static final String DIR_MARKER_VALUE = "dir";

    private DecryptionKeyLoader() {
    }

    /**
     * jjwt refuses a secret JWK whose {@code alg} is not a symmetric algorithm it knows, and
     * {@code dir} is not one; yet a {@code kty: oct} JWK with {@code alg: dir} is how a dir key
     * is written. Its {@code alg} is moved to a private member for jjwt's parse and read back.
     */
    private static String dirAsMarker(String json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            return json; // jjwt names the JSON problem
        }
        boolean changed = false;
        JsonNode keys = root != null && root.path("keys").isArray() ? root.get("keys") : null;
        for (JsonNode k : keys != null ? keys : root == null ? List.<JsonNode>of() : List.of(root)) {
            if (k instanceof ObjectNode o && o.path("kty").asText("").equals("oct")
                    && o.path("alg").asText("").equals(DIR_MARKER_VALUE) && !o.has(DIR_MARKER)) {
                o.remove("alg");
                o.put(DIR_MARKER, DIR_MARKER_VALUE);
                changed = true;
            }
        }
        return changed ? root.toString() : json;
    }

    /** A PEM {@code PRIVATE KEY} (PKCS#8, unencrypted), bound to {@code alg}. */
    public static DecryptionKey pem(@Nullable String kid, KeyManagementAlgorithm alg, String pem) {
        if (alg == KeyManagementAlgorithm.DIR) {
            throw new IllegalArgumentException("dir takes a symmetric key (a kty oct JWK in a jwksFile), not a PEM file");
        }
        String type = StaticKeyLoader.pemType(pem);
        if (!type.equals("PRIVATE KEY")) {
            throw new IllegalArgumentException("PEM block '" + type + "' is not supported; give an unencrypted PKCS#8 "
                    + "'PRIVATE KEY' (openssl pkcs8 -topk8 -nocrypt converts one)");
        }
        try {
            Key key = KeyFactory.getInstance(alg.ecdh() ? "EC" : "RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(StaticKeyLoader.pemBody(pem)));
            return new DecryptionKey(kid, alg, key);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("PEM does not hold a private key for " + alg, e);
        }
    }

    /**
     * A single JWK or a JWKS ({@code {"keys":[…]}}) of private keys ({@code kty} RSA or EC with
     * {@code d}) or, for {@code dir}, secret keys ({@code kty} oct). Each key's algorithm comes from
     * its {@code alg} member, else from {@code defaultAlg}; a key with neither is refused.
     */
    public static List<DecryptionKey> jwks(String json, @Nullable KeyManagementAlgorithm defaultAlg) {
        Collection<? extends Jwk<?>> jwks;
        try {
            json = dirAsMarker(json);
            jwks = StaticKeyLoader.isKeySet(json)
                    ? Jwks.setParser().ignoreUnsupported(false).build().parse(json).getKeys()
                    : List.of(Jwks.parser().build().parse(json));
        } catch (RuntimeException e) {
            // jjwt's messages name members, never their values.
            throw new IllegalArgumentException("not a usable JWK/JWKS: " + e.getMessage(), e);
        }
        List<DecryptionKey> keys = new ArrayList<>();
        for (Jwk<?> jwk : jwks) {
            String algName = jwk.getAlgorithm() != null ? jwk.getAlgorithm()
                    : DIR_MARKER_VALUE.equals(jwk.get(DIR_MARKER)) ? KeyManagementAlgorithm.DIR.joseName() : null;
            KeyManagementAlgorithm alg = algName != null
                    ? KeyManagementAlgorithm.fromJoseName(algName).orElseThrow(() -> new IllegalArgumentException(
                            "JWK '" + jwk.getId() + "' has alg '" + algName + "'; decryption keys take RSA-OAEP-256, "
                                    + "ECDH-ES, ECDH-ES+A256KW or dir"))
                    : defaultAlg;
            if (alg == null) {
                throw new IllegalArgumentException("JWK '" + jwk.getId() + "' has no alg; set the key's alg in the configuration");
            }
            Object use = jwk.get("use");
            if (use != null && !"enc".equals(use)) {
                throw new IllegalArgumentException("JWK '" + jwk.getId() + "' is for use '" + use + "', not encryption");
            }
            Key key = jwk.toKey();
            if (key instanceof PublicKey) {
                throw new IllegalArgumentException("JWK '" + jwk.getId() + "' is a public key; decryption needs the private key");
            }
            try {
                keys.add(new DecryptionKey(jwk.getId(), alg, key));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("JWK '" + jwk.getId() + "': " + e.getMessage(), e);
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("the JWKS has no keys");
        }
        return keys;
    }
}
