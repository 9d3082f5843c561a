package io.jwtsidecar.token;

import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Mints signed tokens with jjwt, for {@code dev} mode, {@code jwt-sidecar token} and {@code warm-up}. This is a
 * development aid: the verifier never uses it, and the tests check the verifier against it as
 * an independent implementation.
 */
public final class TokenMinter {
    private final String issuer;
    private final @Nullable String kid;
    private final PrivateKey key;
    private final Clock clock;

    public TokenMinter(String issuer, @Nullable String kid, PrivateKey key, Clock clock) {
        this.issuer = issuer;
        this.kid = kid;
        this.key = key;
        this.clock = clock;
    }

    /** A token for {@code subject}, valid for {@code ttl} from now, with a random jti. */
    public String mint(String subject, String audience, Duration ttl, Map<String, ?> extraClaims) {
        Instant now = clock.instant();
        JwtBuilder b = Jwts.builder()
                .header().keyId(kid).type("at+jwt").and()
                .issuer(issuer)
                .subject(subject)
                .audience().add(audience).and()
                .id(UUID.randomUUID().toString())
                .issuedAt(Date.from(now))
                .expiration(Date.from(now.plus(ttl)))
                .claims(extraClaims)
                .signWith(key);
        return b.compact();
    }
}
