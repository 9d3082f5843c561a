// Token mix for load-tests/run-verify.sh: COUNT distinct tokens, one per line, cycling over three
// issuers (HS256 with a shared secret, RS256 and ES256 with PKCS#8 PEM private keys).
//
//   java -cp target/jwt-sidecar.jar load-tests/peer/MintTokens.java OUT COUNT TTL_SECONDS HS_SECRET RS_PEM ES_PEM
//
// Issuers https://{hs,rs,es}.load.test, audience load-api, subject user-<i>, kid hs-1/rs-1/es-1,
// typ at+jwt, random jti. Uses jjwt from the shaded sidecar jar.

import io.jsonwebtoken.Jwts;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;

public class MintTokens {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        long ttl = Long.parseLong(args[2]);
        javax.crypto.SecretKey hs = new SecretKeySpec(args[3].getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        PrivateKey rs = read(Path.of(args[4]), "RSA");
        PrivateKey es = read(Path.of(args[5]), "EC");
        Instant now = Instant.now();
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.US_ASCII)) {
            for (int i = 0; i < count; i++) {
                var b = Jwts.builder().subject("user-" + i).audience().add("load-api").and()
                        .id(UUID.randomUUID().toString()).issuedAt(Date.from(now))
                        .expiration(Date.from(now.plusSeconds(ttl))).claim("scope", "orders:read");
                String token = switch (i % 3) {
                    case 0 -> b.header().keyId("hs-1").type("at+jwt").and().issuer("https://hs.load.test")
                            .signWith(hs, Jwts.SIG.HS256).compact();
                    case 1 -> b.header().keyId("rs-1").type("at+jwt").and().issuer("https://rs.load.test")
                            .signWith(rs, Jwts.SIG.RS256).compact();
                    default -> b.header().keyId("es-1").type("at+jwt").and().issuer("https://es.load.test")
                            .signWith(es, Jwts.SIG.ES256).compact();
                };
                w.write(token);
                w.newLine();
            }
        }
    }

    private static PrivateKey read(Path pem, String algorithm) throws Exception {
        String body = Files.readString(pem, StandardCharsets.US_ASCII)
                .replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    }
}
