package io.jwtsidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.jwtsidecar.app.IssuerPolicies;
import io.jwtsidecar.testing.MinimalConfig;
import io.jwtsidecar.token.EncryptionPolicy;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.Verdict;
import io.jwtsidecar.token.keys.ContentEncryption;
import io.jwtsidecar.token.keys.Pem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code issuers[].decryptionKeys}, {@code encryption} and {@code contentEncryption}: what loads,
 * the defaults, each bad value reported with its key path and the value (never key material),
 * and a loaded configuration opening a token nimbus-jose-jwt encrypted.
 */
class EncryptionConfigTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef-hs";
    private static final String ISS = "https://hs.example";

    @TempDir
    Path dir;

    private KeyPair rsa;
    private ECKey ec;

    @BeforeEach
    void writeKeyFiles() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        rsa = gen.generateKeyPair();
        Files.writeString(dir.resolve("enc-rsa.pem"), Pem.encode("PRIVATE KEY", rsa.getPrivate().getEncoded()));
        Files.writeString(dir.resolve("enc-rsa.pub.pem"), Pem.encode("PUBLIC KEY", rsa.getPublic().getEncoded()));
        KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
        small.initialize(1024);
        Files.writeString(dir.resolve("small.pem"), Pem.encode("PRIVATE KEY", small.generateKeyPair().getPrivate().getEncoded()));
        ec = new ECKeyGenerator(Curve.P_384).keyID("enc-ec").algorithm(JWEAlgorithm.ECDH_ES_A256KW).keyUse(KeyUse.ENCRYPTION)
                .generate();
        Files.writeString(dir.resolve("enc.jwks.json"), "{\"keys\":[" + ec.toJSONString() + "]}");
        Files.writeString(dir.resolve("public.jwks.json"), "{\"keys\":[" + ec.toPublicJWK().toJSONString() + "]}");
        ECKey sig = new ECKeyGenerator(Curve.P_256).keyID("sig").algorithm(JWEAlgorithm.ECDH_ES).keyUse(KeyUse.SIGNATURE)
                .generate();
        Files.writeString(dir.resolve("sig.jwks.json"), "{\"keys\":[" + sig.toJSONString() + "]}");
    }

    /** One HS256 issuer with {@code extra} lines appended to its entry. */
    private static String config(String... extra) {
        return MinimalConfig.KAFKA + "issuers:\n"
                + "  - issuer: " + ISS + "\n"
                + "    audiences: [orders-api]\n"
                + "    keys:\n"
                + "      - kid: hs-1\n"
                + "        alg: HS256\n"
                + "        secret: \"" + SECRET + "\"\n"
                + Arrays.stream(extra).map(l -> "    " + l + "\n").collect(Collectors.joining());
    }

    private static final String[] BOTH_KEYS = {
        "decryptionKeys:",
        "  - kid: enc-rsa",
        "    alg: RSA-OAEP-256",
        "    pemFile: enc-rsa.pem",
        "  - jwksFile: enc.jwks.json",
    };

    private SidecarConfig parse(String yaml) {
        return new ConfigLoader(Map.of()).parse(yaml, dir);
    }

    private List<String> errors(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).errors();
    }

    private static String[] with(String[] lines, String... more) {
        String[] all = Arrays.copyOf(lines, lines.length + more.length);
        System.arraycopy(more, 0, all, lines.length, more.length);
        return all;
    }

    @Test
    void pem_and_jwks_decryption_keys_load_with_their_kids_and_algorithms() {
        EncryptionPolicy enc = parse(config(with(BOTH_KEYS, "encryption: required", "contentEncryption: [A256GCM]")))
                .issuers().get(0).encryption();

        assertThat(enc.mode()).isEqualTo(EncryptionPolicy.Mode.REQUIRED);
        assertThat(enc.keys()).extracting(k -> k.kid() + " " + k.alg())
                .containsExactly("enc-rsa RSA-OAEP-256", "enc-ec ECDH-ES+A256KW");
        assertThat(enc.contentEncryption()).containsExactly(ContentEncryption.A256GCM);
    }

    @Test
    void without_encryption_settings_an_issuer_takes_no_encrypted_tokens_and_with_keys_allows_both() {
        assertThat(parse(config()).issuers().get(0).encryption()).isEqualTo(EncryptionPolicy.NONE);

        EncryptionPolicy withKeys = parse(config(BOTH_KEYS)).issuers().get(0).encryption();
        assertThat(withKeys.mode()).isEqualTo(EncryptionPolicy.Mode.ALLOWED);
        assertThat(withKeys.contentEncryption()).isEqualTo(ContentEncryption.ALL);
    }

    @Test
    void a_bad_mode_is_named_with_its_key_and_value() {
        assertThat(errors(config(with(BOTH_KEYS, "encryption: always"))))
                .anySatisfy(e -> assertThat(e).startsWith("issuers[0].encryption: ").contains("'always'"));
    }

    @Test
    void encryption_required_without_keys_is_refused() {
        assertThat(errors(config("encryption: required")))
                .anySatisfy(e -> assertThat(e).startsWith("issuers[0].encryption: ").contains("decryptionKeys"));
    }

    @Test
    void an_unknown_content_encryption_is_named() {
        assertThat(errors(config(with(BOTH_KEYS, "contentEncryption: [A256GCM, A192GCM]"))))
                .anySatisfy(e -> assertThat(e).startsWith("issuers[0].contentEncryption: ").contains("'A192GCM'"));
    }

    @Test
    void rsa1_5_pbes2_and_unknown_algorithms_are_refused_naming_the_entry_and_the_value() {
        for (String alg : List.of("RSA1_5", "PBES2-HS256+A128KW", "A128KW", "RS256")) {
            assertThat(errors(config("decryptionKeys:", "  - kid: k", "    alg: " + alg, "    pemFile: enc-rsa.pem")))
                    .as(alg).anySatisfy(e -> assertThat(e).startsWith("issuers[0].decryptionKeys[0]: ").contains("'" + alg + "'"));
        }
    }

    @Test
    void each_bad_key_is_refused_with_what_is_wrong_and_never_the_key_material() throws Exception {
        String privateLine = Files.readString(dir.resolve("enc-rsa.pem")).lines().skip(1).findFirst().orElseThrow();
        Map<List<String>, String> cases = Map.of(
                List.of("kid: k", "alg: RSA-OAEP-256", "pemFile: enc-rsa.pub.pem"), "'PUBLIC KEY' is not supported",
                List.of("kid: k", "alg: RSA-OAEP-256", "pemFile: small.pem"), "at least 2048",
                List.of("kid: k", "alg: ECDH-ES", "pemFile: enc-rsa.pem"), "private key for ECDH-ES",
                List.of("kid: k", "alg: dir", "pemFile: enc-rsa.pem"), "dir takes a symmetric key",
                List.of("kid: k", "pemFile: enc-rsa.pem"), "alg is required for pemFile",
                List.of("jwksFile: public.jwks.json"), "is a public key",
                List.of("jwksFile: sig.jwks.json"), "not encryption",
                List.of("kid: k", "alg: RSA-OAEP-256", "pemFile: missing.pem"), "missing.pem",
                List.of("kid: k", "pemFile: enc-rsa.pem", "jwksFile: enc.jwks.json"), "exactly one of pemFile, jwksFile",
                List.of("kid: k", "alg: RSA-OAEP-256", "pemFile: enc-rsa.pem", "use: enc"), "unknown key 'use'");
        cases.forEach((entry, problem) -> {
            StringBuilder yaml = new StringBuilder(config("decryptionKeys:"));
            for (int i = 0; i < entry.size(); i++) {
                yaml.append(i == 0 ? "      - " : "        ").append(entry.get(i)).append('\n');
            }
            List<String> errors = errors(yaml.toString());

            assertThat(errors).as(entry.toString())
                    .anySatisfy(e -> assertThat(e).startsWith("issuers[0].decryptionKeys[0]").contains(problem));
            assertThat(String.join("\n", errors)).doesNotContain(privateLine);
        });
    }

    /** CONFIG.md: dir takes "a kty: oct JWK with alg: dir in a jwksFile". */
    @Test
    void a_dir_key_is_a_kty_oct_jwk_with_alg_dir() throws Exception {
        byte[] secret = new byte[32];
        secret[0] = 7;
        Files.writeString(dir.resolve("dir.jwks.json"), "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"enc-dir\",\"alg\":\"dir\","
                + "\"use\":\"enc\",\"k\":\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret) + "\"}]}");

        SidecarConfig config = parse(config("decryptionKeys:", "  - jwksFile: dir.jwks.json"));

        assertThat(config.issuers().get(0).encryption().keys()).extracting(k -> k.kid() + " " + k.alg())
                .containsExactly("enc-dir dir");
        TokenVerifier verifier = new TokenVerifier(IssuerPolicies.build(config.issuers(), System::nanoTime),
                8192, Clock.systemUTC(), RevocationCheck.NONE);
        SignedJWT inner = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("hs-1").build(),
                new JWTClaimsSet.Builder().issuer(ISS).audience("orders-api").subject("alice")
                        .expirationTime(new Date(System.currentTimeMillis() + 600_000)).build());
        inner.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        for (EncryptionMethod enc : List.of(EncryptionMethod.A128CBC_HS256, EncryptionMethod.A256GCM)) {
            JWEObject jwe = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.DIR, enc).keyID("enc-dir").contentType("JWT")
                    .build(), new Payload(inner));
            jwe.encrypt(new DirectEncrypter(secret));

            assertThat(verifier.verify(jwe.serialize()).verdict()).as(enc.getName()).isNull();
        }
    }

    @Test
    void a_pem_file_whose_begin_line_lacks_its_closing_dashes_is_refused_without_the_key_material() throws Exception {
        String pem = Files.readString(dir.resolve("enc-rsa.pem"));
        String privateLine = pem.lines().skip(1).findFirst().orElseThrow();
        Files.writeString(dir.resolve("broken.pem"), pem.replaceFirst("-----BEGIN PRIVATE KEY-----", "-----BEGIN PRIVATE KEY"));

        List<String> errors = errors(config("decryptionKeys:", "  - kid: k", "    alg: RSA-OAEP-256", "    pemFile: broken.pem"));

        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("issuers[0].decryptionKeys[0]"));
        assertThat(String.join("\n", errors)).doesNotContain(privateLine);
    }

    @Test
    void a_kid_may_name_one_decryption_key_across_all_issuers() {
        String yaml = config(BOTH_KEYS) + "  - issuer: https://two.example\n"
                + "    audiences: [orders-api]\n"
                + "    keys:\n"
                + "      - kid: hs-2\n"
                + "        alg: HS256\n"
                + "        secret: \"" + SECRET + "\"\n"
                + "    decryptionKeys:\n"
                + "      - kid: enc-rsa\n"
                + "        alg: RSA-OAEP-256\n"
                + "        pemFile: enc-rsa.pem\n";

        assertThat(errors(yaml)).anySatisfy(e -> assertThat(e).contains("decryption key id 'enc-rsa' is configured twice"));
    }

    @Test
    void a_loaded_configuration_opens_tokens_encrypted_to_either_key_and_refuses_plain_ones_when_required() throws Exception {
        SidecarConfig config = parse(config(with(BOTH_KEYS, "encryption: required")));
        TokenVerifier verifier = new TokenVerifier(IssuerPolicies.build(config.issuers(), System::nanoTime),
                8192, Clock.systemUTC(), RevocationCheck.NONE);
        SignedJWT inner = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("hs-1").build(),
                new JWTClaimsSet.Builder().issuer(ISS).audience("orders-api").subject("alice")
                        .expirationTime(new Date(System.currentTimeMillis() + 600_000)).build());
        inner.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));

        JWEObject toRsa = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM)
                .keyID("enc-rsa").contentType("JWT").build(), new Payload(inner));
        toRsa.encrypt(new RSAEncrypter((RSAPublicKey) rsa.getPublic()));
        JWEObject toEc = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES_A256KW, EncryptionMethod.A128CBC_HS256)
                .keyID("enc-ec").contentType("JWT").build(), new Payload(inner));
        toEc.encrypt(new ECDHEncrypter(ec.toECPublicKey()));

        assertThat(verifier.verify(toRsa.serialize()).verdict()).isNull();
        assertThat(verifier.verify(toEc.serialize()).verdict()).isNull();
        assertThat(verifier.verify(inner.serialize()).verdict()).isEqualTo(Verdict.ENCRYPTION_REQUIRED);
    }
}
