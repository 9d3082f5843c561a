package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import io.jwtsidecar.app.IssuerPolicies;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.testing.MinimalConfig;
import io.jwtsidecar.testing.SelfSignedTls;
import io.jwtsidecar.token.CertificateBinding;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.Verdict;
import io.jwtsidecar.token.VerificationOutcome;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mutual-TLS certificate-bound access tokens (RFC 8705 §3), one row per MUST a resource server
 * has, with tokens made by nimbus-jose-jwt and real certificates: the verdict of
 * {@link CertificateBinding}, and how {@link ClientCertificates} reads the certificate a trusted
 * proxy passes on. The listener side (TLS peer, trusted and untrusted proxies, the 401) is
 * {@code CertificateBoundTokenIT}'s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CertificateBoundTokenTest {
    private static final String ISSUER = "https://hs.example";
    private static final String SECRET = "0123456789abcdef0123456789abcdef-hs";
    private static final long NOW = 1_800_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TokenVerifier verifier = verifier();
    private SelfSignedTls client;
    private SelfSignedTls other;

    @BeforeAll
    void certificates() throws Exception {
        Path dir = Files.createTempDirectory("mtls-binding");
        client = SelfSignedTls.generate(dir, "client");
        other = SelfSignedTls.generate(dir, "other");
    }

    Stream<Arguments> rows() throws Exception {
        byte[] mine = sha256(client);
        String bound = x5t(mine);
        return Stream.of(
                row("§3: a bound token with the certificate it names is accepted", cnf(bound), mine, null),
                row("§3: a bound token without a client certificate is refused", cnf(bound), null, Verdict.CERTIFICATE_MISSING),
                row("§3: a bound token with another client certificate is refused", cnf(bound), sha256(other),
                        Verdict.CERTIFICATE_MISMATCH),
                row("§3.1: the thumbprint is of the DER, not the PEM text", cnf(x5t(digest(pem(client)))), mine,
                        Verdict.CERTIFICATE_MISMATCH),
                row("§3.1: the thumbprint is SHA-256, not SHA-1", cnf(x5t(sha1(client))), mine, Verdict.MALFORMED),
                row("§3.1: the thumbprint is base64url without padding", cnf(bound + "="), mine, Verdict.MALFORMED),
                row("§3.1: the thumbprint is a string", Map.of("cnf", Map.of("x5t#S256", 7)), mine, Verdict.MALFORMED),
                row("a token without cnf is a bearer token, certificate or not", Map.of(), null, null),
                row("a cnf without x5t#S256 is not a certificate binding: a jkt-bound token needs DPoP",
                        Map.of("cnf", Map.of("jkt", bound)), null, Verdict.DPOP_REQUIRED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void each_rfc8705_rule_gets_its_verdict(String rule, Map<String, Object> extra, byte @Nullable [] presented,
                                            @Nullable Verdict expected) throws Exception {
        VerificationOutcome outcome = CertificateBinding.check(verifier.verify(token(extra)), () -> presented);

        assertThat(outcome.verdict()).as(rule + ": " + outcome.detail()).isEqualTo(expected);
    }

    @Test
    void the_certificate_is_never_looked_for_when_the_token_is_not_bound() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        Supplier<byte @Nullable []> certificate = () -> {
            asked.incrementAndGet();
            return null;
        };

        assertThat(CertificateBinding.check(verifier.verify(token(Map.of())), certificate).isAccepted()).isTrue();
        assertThat(asked).hasValue(0);
    }

    @Test
    void a_refused_token_stays_refused_whatever_the_certificate() throws Exception {
        Map<String, Object> expired = new LinkedHashMap<>(cnf(x5t(sha256(client))));
        expired.put("exp", NOW - 60);

        byte[] mine = sha256(client);
        VerificationOutcome outcome = CertificateBinding.check(verifier.verify(token(expired)), () -> mine);

        assertThat(outcome.verdict()).isEqualTo(Verdict.EXPIRED);
    }

    @Test
    void a_bound_token_refused_for_its_certificate_is_a_401_invalid_token() {
        assertThat(Verdict.CERTIFICATE_MISSING.kind()).isEqualTo(Verdict.Kind.REJECTED);
        assertThat(Verdict.CERTIFICATE_MISMATCH.kind()).isEqualTo(Verdict.Kind.REJECTED);
    }

    Stream<Arguments> headers() throws Exception {
        byte[] mine = sha256(client);
        String hex = HexFormat.of().formatHex(mine);
        String escaped = URLEncoder.encode(pem(client), StandardCharsets.UTF_8).replace("+", "%20");
        return Stream.of(
                Arguments.of("XFCC Hash= (hex SHA-256 of the DER)", "By=spiffe://rs;Hash=" + hex + ";Subject=\"CN=client\"", mine),
                Arguments.of("XFCC Hash= in upper case hex", "Hash=" + hex.toUpperCase(Locale.ROOT), mine),
                Arguments.of("XFCC Cert= (URL-encoded PEM, quoted)", "By=spiffe://rs;Cert=\"" + escaped + "\"", mine),
                Arguments.of("XFCC with a comma inside a quoted Subject", "Hash=" + hex + ";Subject=\"CN=a,O=b\"", mine),
                Arguments.of("nginx $ssl_client_escaped_cert (URL-encoded PEM)", escaped, mine),
                Arguments.of("a plain PEM", pem(client), mine),
                Arguments.of("XFCC of two hops: ambiguous, no certificate", "Hash=" + hex + ",Hash=" + hex, null),
                Arguments.of("XFCC naming Hash twice", "Hash=" + hex + ";Hash=" + hex, null),
                Arguments.of("XFCC with an open quote", "Hash=" + hex + ";Subject=\"CN=a", null),
                Arguments.of("a hash of the wrong length", "Hash=" + hex.substring(2), null),
                Arguments.of("a hash that is not hex", "Hash=" + "zz" + hex.substring(2), null),
                Arguments.of("a PEM that is no certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", null),
                Arguments.of("XFCC with neither Hash nor Cert", "By=spiffe://rs;Subject=\"CN=client\"", null),
                Arguments.of("empty", " ", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headers")
    void the_proxy_header_gives_the_certificates_sha256(String form, String value, byte @Nullable [] expected) {
        assertThat(ClientCertificates.fromHeader(value)).as(form).isEqualTo(expected);
    }

    private static Arguments row(String rule, Map<String, Object> extra, byte @Nullable [] presented,
                                 @Nullable Verdict expected) {
        return Arguments.of(rule, extra, presented, expected);
    }

    private static Map<String, Object> cnf(String thumbprint) {
        return Map.of("cnf", Map.of("x5t#S256", thumbprint));
    }

    private static String x5t(byte[] digest) {
        return Base64URL.encode(digest).toString();
    }

    private static byte[] sha256(SelfSignedTls tls) throws Exception {
        return digest(tls.certificate().getEncoded());
    }

    private static byte[] digest(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static byte[] digest(String text) throws Exception {
        return digest(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] sha1(SelfSignedTls tls) throws Exception {
        return MessageDigest.getInstance("SHA-1").digest(tls.certificate().getEncoded());
    }

    private static String pem(SelfSignedTls tls) throws Exception {
        return Files.readString(tls.certFile());
    }

    private static String token(Map<String, Object> extra) throws Exception {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", ISSUER);
        c.put("aud", "orders-api");
        c.put("sub", "user-1");
        c.put("iat", NOW - 10);
        c.put("exp", NOW + 300);
        c.putAll(extra);
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("hs-1").build(),
                new Payload(JSON.writeValueAsString(c)));
        jws.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jws.serialize();
    }

    private static TokenVerifier verifier() {
        SidecarConfig config = new ConfigLoader(Map.of()).parse(MinimalConfig.KAFKA + MinimalConfig.ISSUERS, Path.of("."));
        return new TokenVerifier(IssuerPolicies.build(config.issuers(), System::nanoTime), 8192,
                Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC), RevocationCheck.NONE);
    }
}
