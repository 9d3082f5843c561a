package io.jwtsidecar.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * An identity provider for tests, signing with nimbus-jose-jwt (a JOSE library independent of
 * the sidecar's): an RS256 key, its JWKS written to a file the sidecar trusts, and access and
 * back-channel logout tokens whose every claim and header member a test can change.
 */
public final class TestIdp {
    public static final String ISSUER = "https://idp.test";
    public static final String CLIENT_ID = "orders-web";
    /** A second client of the same provider whose logouts this sidecar also takes. */
    public static final String OTHER_CLIENT_ID = "orders-mobile";
    public static final String LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RSAKey key;

    private TestIdp(RSAKey key) {
        this.key = key;
    }

    /** A provider with a fresh 2048-bit RSA key named {@code kid}. */
    public static TestIdp create(String kid) {
        try {
            return new TestIdp(new RSAKeyGenerator(2048).keyID(kid).generate());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the public JWKS to {@code file}, for an issuer entry's {@code jwksFile}. */
    public Path writeJwks(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, new JWKSet(key.toPublicJWK()).toString());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The issuer entry (indented as under {@code issuers:}) trusting this provider, with back-channel logout on. */
    public String issuerEntry(Path jwksFile, String audience) {
        return "  - issuer: " + ISSUER + "\n"
                + "    audiences: [" + audience + "]\n"
                + "    logoutClientId: [" + CLIENT_ID + ", " + OTHER_CLIENT_ID + "]\n"
                + "    clockSkew: 5s\n"
                + "    maxTokenLifetime: 1h\n"
                + "    keys:\n"
                + "      - jwksFile: " + jwksFile + "\n"
                + "        alg: RS256\n";
    }

    /** An access token for {@code sub} in session {@code sid} (null: none), issued at {@code iat}. */
    public String accessToken(String audience, String sub, @Nullable String sid, long iat) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("aud", audience);
        claims.put("sub", sub);
        if (sid != null) {
            claims.put("sid", sid);
        }
        claims.put("iat", iat);
        claims.put("exp", iat + 600);
        claims.put("jti", UUID.randomUUID().toString());
        return sign(header("JWT"), claims);
    }

    /** The claims of a valid logout token for {@code sub} and {@code sid} (either may be null), issued at {@code iat}. */
    public static Map<String, Object> logoutClaims(@Nullable String sub, @Nullable String sid, long iat) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("aud", CLIENT_ID);
        claims.put("iat", iat);
        claims.put("exp", iat + 120);
        claims.put("jti", UUID.randomUUID().toString());
        if (sub != null) {
            claims.put("sub", sub);
        }
        if (sid != null) {
            claims.put("sid", sid);
        }
        claims.put("events", Map.of(LOGOUT_EVENT, Map.of()));
        return claims;
    }

    /** A logout token with {@code claims}, typed {@code logout+jwt}. */
    public String logoutToken(Map<String, Object> claims) {
        return sign(header("logout+jwt"), claims);
    }

    /** A token signed by this provider's key with a header {@code edit} changed. */
    public String sign(Consumer<JWSHeader.Builder> edit, Map<String, Object> claims) {
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID());
        edit.accept(header);
        return sign(header.build(), claims);
    }

    private JWSHeader header(String typ) {
        return new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(new JOSEObjectType(typ)).build();
    }

    private String sign(JWSHeader header, Map<String, Object> claims) {
        try {
            JWSObject jws = new JWSObject(header, new Payload(JSON.writeValueAsString(claims)));
            jws.sign(new RSASSASigner(key));
            return jws.serialize();
        } catch (JOSEException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
