package io.jwtsidecar.token.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.KeyOperation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Turns configured key material (an HMAC secret, a PEM public key or certificate, a JWK or
 * JWKS document) into {@link VerificationKey}s. Used at start-up only; every problem is an
 * {@link IllegalArgumentException} whose message says what is wrong with the material (never
 * the secret itself). JWK parsing is jjwt's, which also rejects EC points off their curve.
 */
public final class StaticKeyLoader {

    private StaticKeyLoader() {
    }

    public static VerificationKey hmac(@Nullable String kid, JwsAlgorithm alg, byte[] secret) {
        requireFamily(alg, JwsAlgorithm.Family.HMAC, "an HMAC secret");
        return new VerificationKey(kid, alg, new SecretKeySpec(secret, alg.jcaName()));
    }

    /** A PEM {@code PUBLIC KEY} (SubjectPublicKeyInfo) or {@code CERTIFICATE}. */
    public static VerificationKey pem(@Nullable String kid, JwsAlgorithm alg, String pem) {
        if (alg.family() == JwsAlgorithm.Family.HMAC) {
            throw new IllegalArgumentException(alg + " takes a secret, not a PEM public key");
        }
        String type = pemType(pem);
        byte[] der = pemBody(pem);
        try {
            PublicKey key;
            if (type.equals("CERTIFICATE")) {
                key = CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
            } else if (type.equals("PUBLIC KEY")) {
                key = KeyFactory.getInstance(keyFactoryName(alg)).generatePublic(new X509EncodedKeySpec(der));
            } else {
                throw new IllegalArgumentException("PEM block '" + type
                        + "' is not supported; give a 'PUBLIC KEY' or a 'CERTIFICATE'");
            }
            return new VerificationKey(kid, alg, key);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("PEM does not hold a " + alg + " public key: " + e.getMessage(), e);
        }
    }

    /**
     * A single JWK or a JWKS ({@code {"keys":[…]}}). Each key's algorithm comes from its
     * {@code alg} member, else from {@code defaultAlg}; a key with neither is refused, since a
     * key must be bound to exactly one algorithm.
     *
     * @param defaultAlg the algorithm for keys without {@code alg}, or null
     */
    public static List<VerificationKey> jwks(String json, @Nullable JwsAlgorithm defaultAlg) {
        Collection<? extends Jwk<?>> jwks;
        try {
            if (isKeySet(json)) {
                JwkSet set = Jwks.setParser().ignoreUnsupported(false).build().parse(json);
                jwks = set.getKeys();
            } else {
                jwks = List.of(Jwks.parser().build().parse(json));
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a usable JWK/JWKS: " + e.getMessage(), e);
        }
        List<VerificationKey> keys = new ArrayList<>();
        for (Jwk<?> jwk : jwks) {
            String algName = jwk.getAlgorithm();
            JwsAlgorithm alg = algName != null
                    ? JwsAlgorithm.fromJoseName(algName).orElseThrow(
                            () -> new IllegalArgumentException("JWK '" + jwk.getId() + "' has unsupported alg '" + algName + "'"))
                    : defaultAlg;
            if (alg == null) {
                throw new IllegalArgumentException("JWK '" + jwk.getId()
                        + "' has no alg; set the key's alg in the configuration");
            }
            String notForSignatures = notForSignatures(jwk);
            if (notForSignatures != null) {
                throw new IllegalArgumentException("JWK '" + jwk.getId() + "' " + notForSignatures);
            }
            Key key = jwk.toKey();
            if (key instanceof PrivateKey) {
                throw new IllegalArgumentException("JWK '" + jwk.getId() + "' is a private key; configure the public key only");
            }
            keys.add(new VerificationKey(jwk.getId(), alg, key));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("the JWKS has no keys");
        }
        return keys;
    }

    /**
     * Why a JWK may not verify signatures, or null when it may: {@code use} other than
     * {@code sig}, or {@code key_ops} without {@code verify} (RFC 7517 §4.2, 4.3). Using a key
     * published for encryption to check signatures would mix key uses across protocols.
     */
    static @Nullable String notForSignatures(Jwk<?> jwk) {
        Object use = jwk.get("use");
        if (use != null && !"sig".equals(use)) {
            return "is for use '" + use + "', not signatures";
        }
        Set<String> ops = jwk.getOperations() == null ? null
                : jwk.getOperations().stream().map(KeyOperation::getId)
                        .collect(Collectors.toSet());
        if (ops != null && !ops.isEmpty() && !ops.contains("verify")) {
            return "has key_ops " + ops + " without 'verify'";
        }
        return null;
    }

    /** A JWKS is an object whose {@code keys} member is an array; a single JWK may even have kid "keys". */
    static boolean isKeySet(String json) {
        try {
            JsonNode root = new ObjectMapper().readTree(json);
            return root != null && root.path("keys").isArray();
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        }
    }

    private static void requireFamily(JwsAlgorithm alg, JwsAlgorithm.Family family, String what) {
        if (alg.family() != family) {
            throw new IllegalArgumentException(alg + " cannot use " + what);
        }
    }

    private static String keyFactoryName(JwsAlgorithm alg) {
        return switch (alg.family()) {
            case RSA, RSA_PSS -> "RSA";
            case EC -> "EC";
            case EDDSA -> "EdDSA";
            case HMAC -> throw new IllegalArgumentException("an HMAC secret is not a PEM key");
        };
    }

    static String pemType(String pem) {
        int begin = pem.indexOf("-----BEGIN ");
        int end = begin < 0 ? -1 : pem.indexOf("-----", begin + 11);
        if (begin < 0 || end < 0) {
            throw new IllegalArgumentException("not PEM: no -----BEGIN line");
        }
        String type = pem.substring(begin + 11, end);
        // The label ends its own line (RFC 7468 §2); anything longer is the key itself, which an
        // error message must never carry.
        if (type.isEmpty() || type.length() > 64
                || !type.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ')) {
            throw new IllegalArgumentException("not PEM: the -----BEGIN line does not end in a label and -----");
        }
        return type;
    }

    static byte[] pemBody(String pem) {
        int start = pem.indexOf('\n', pem.indexOf("-----BEGIN "));
        int stop = pem.indexOf("-----END ");
        if (start < 0 || stop < 0 || stop < start) {
            throw new IllegalArgumentException("not PEM: no body between BEGIN and END");
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(start, stop));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PEM body is not base64", e);
        }
    }
}
