package io.jwtsidecar.token;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The identity document of an accepted token, as {@code /v1/verify} answers it:
 * {@code {"active":true,"iss":…,"sub":…,"claims":{…}}} ({@code sub} only when the token has one).
 *
 * <p>Encoded on first use and kept with the verified token in the verified-token cache: on the
 * hot path (a cache hit) the answer is then a copy of these bytes. Encoding it on every request
 * took about 7 % of a loaded sidecar's CPU (JFR, the load tests' token mix), the most after the
 * cache lookup. Lazily, because routes that answer without a body ({@code /v1/authz}) never need it.
 */
public final class IdentityJson {
    private static final byte[] CLAIMS_MEMBER = ",\"claims\":".getBytes(StandardCharsets.US_ASCII);
    /**
     * Jackson's streaming writer (thread-safe once built), left from closing what it opened: the
     * document's head is written through it and the claims spliced in after, by hand.
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT).disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();
    /** Everything but the three values: {"active":true,"iss":"","sub":"","claims":}. */
    private static final int FIXED_BYTES = 43;

    private final String issuer;
    private final @Nullable String subject;
    private final byte[] claimsJson;
    // Two threads may both encode it the first time: the same bytes, so the race is harmless.
    private volatile byte @Nullable [] bytes;

    IdentityJson(String issuer, @Nullable String subject, byte[] claimsJson) {
        this.issuer = issuer;
        this.subject = subject;
        this.claimsJson = claimsJson;
    }

    /** The encoded document; the same array on every call after the first. Callers must not modify it. */
    public byte[] bytes() {
        byte[] b = bytes;
        if (b == null) {
            b = encode(issuer, subject, claimsJson);
            bytes = b;
        }
        return b;
    }

    /**
     * The size of {@link #bytes()} without encoding it, for cache weights: exact for a token with
     * a sub and ASCII values that need no escapes, a few bytes over without a sub.
     */
    int estimatedSize() {
        return FIXED_BYTES + issuer.length() + (subject == null ? 0 : subject.length()) + claimsJson.length;
    }

    /**
     * @param claimsJson the claims set, already validated as a JSON object: spliced in as it is
     *                   rather than parsed and encoded again
     */
    public static byte[] encode(String issuer, @Nullable String subject, byte[] claimsJson) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(FIXED_BYTES + issuer.length()
                + (subject == null ? 0 : subject.length()) + claimsJson.length + 16);
        try (JsonGenerator head = JSON.createGenerator(out)) {
            head.writeStartObject();
            head.writeBooleanField("active", true);
            head.writeStringField("iss", issuer);
            if (subject != null) {
                head.writeStringField("sub", subject);
            }
            head.flush(); // the object stays open: the claims member follows
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        out.write(CLAIMS_MEMBER, 0, CLAIMS_MEMBER.length);
        out.write(claimsJson, 0, claimsJson.length);
        out.write('}');
        return out.toByteArray();
    }
}
