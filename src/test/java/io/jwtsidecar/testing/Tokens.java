package io.jwtsidecar.testing;

import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import java.security.Key;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Mints well-formed tokens with jjwt (an implementation independent of the verifier). */
public final class Tokens {
    private Tokens() {
    }

    /** Claims a policy for {@code issuer} and {@code audience} accepts at {@code now}. */
    public static Map<String, Object> validClaims(String issuer, String audience, long now) {
        Map<String, Object> claims = new HashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", "alice");
        claims.put("aud", List.of(audience));
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("iat", now - 10);
        claims.put("exp", now + 600);
        return claims;
    }

    /** {@code claims} with one claim set to {@code value}, or removed when {@code value} is null. */
    public static Map<String, Object> with(Map<String, Object> claims, String name, Object value) {
        if (value == null) {
            claims.remove(name);
        } else {
            claims.put(name, value);
        }
        return claims;
    }

    /** Signs {@code claims} with the keys' algorithm; {@code kid} may be null. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static String mint(TestKeys keys, String kid, Map<String, ?> claims) {
        SecureDigestAlgorithm alg = (SecureDigestAlgorithm) Jwts.SIG.get().get(keys.algorithm().name());
        JwtBuilder b = Jwts.builder().claims(claims);
        if (kid != null) {
            b.header().keyId(kid).and();
        }
        return b.signWith((Key) keys.signingKey(), alg).compact();
    }
}
