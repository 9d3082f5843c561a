package io.jwtsidecar.revocation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jwtsidecar.revocation.EventCodec.MalformedEventException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a revocation record comes from a trusted publisher ({@link EventSigner} says
 * what a signature is). A record with a signature that does not verify, names an unknown key,
 * or is bound to another topic, key or value is a poison pill, whatever the policy; a record
 * without a signature is one too when signatures are required.
 *
 * <p>When no publisher key is configured (and signatures are not required) nothing can be
 * checked: every record counts as unsigned, the state of releases before signing.
 *
 * <p>Immutable; thread-safe.
 */
public final class EventSignatureCheck {
    /** Longer header values are refused before any parsing. */
    static final int MAX_SIGNATURE_BYTES = 4096;
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Base64.Decoder B64 = Base64.getUrlDecoder();
    private static final Base64.Encoder B64_OUT = Base64.getUrlEncoder().withoutPadding();

    private final Map<String, PublisherKey> keys;
    private final boolean required;
    private final ObjectMapper json;

    /**
     * @param keys     the trusted publisher keys
     * @param required whether unsigned records are poison pills
     * @throws IllegalArgumentException when two keys share a kid, or signatures are required without any key
     */
    public EventSignatureCheck(List<PublisherKey> keys, boolean required) {
        Map<String, PublisherKey> byKid = new HashMap<>();
        for (PublisherKey k : keys) {
            if (byKid.putIfAbsent(k.kid(), k) != null) {
                throw new IllegalArgumentException("two publisher keys share the kid '" + k.kid() + "'");
            }
        }
        if (required && byKid.isEmpty()) {
            throw new IllegalArgumentException("signed events are required but no publisher key is trusted");
        }
        this.keys = Map.copyOf(byKid);
        this.required = required;
        this.json = new ObjectMapper(JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** No keys, nothing required: every record is unsigned (releases before signing behaved so). */
    public static EventSignatureCheck none() {
        return new EventSignatureCheck(List.of(), false);
    }

    /** How far a signer is trusted, or null for a key that is not trusted at all (or {@link Provenance#UNSIGNED}). */
    public PublisherKey.@Nullable Trust trustOf(String kid) {
        PublisherKey k = keys.get(kid);
        return k == null ? null : k.trust();
    }

    /** Whether a signer's records are trusted and need no re-signing. */
    public boolean isCurrentSigner(String kid) {
        return trustOf(kid) == PublisherKey.Trust.CURRENT;
    }

    /**
     * @param signatures the values of every {@value EventSigner#HEADER} header of the record
     * @return the kid of the publisher key that signed it, or {@link Provenance#UNSIGNED}
     * @throws MalformedEventException naming what is wrong, starting with "signature: "
     */
    public String check(String topic, byte[] key, byte[] value, List<byte[]> signatures) throws MalformedEventException {
        if (signatures.size() > 1) {
            throw bad("the record has " + signatures.size() + " " + EventSigner.HEADER + " headers");
        }
        if (signatures.isEmpty()) {
            if (required) {
                throw bad("missing (revocation.requireSignedEvents is on)");
            }
            return Provenance.UNSIGNED;
        }
        if (keys.isEmpty()) {
            return Provenance.UNSIGNED;
        }
        byte[] raw = signatures.get(0);
        if (raw == null || raw.length == 0 || raw.length > MAX_SIGNATURE_BYTES) {
            throw bad("empty or longer than " + MAX_SIGNATURE_BYTES + " bytes");
        }
        String jws = new String(raw, StandardCharsets.US_ASCII);
        String[] parts = jws.split("\\.", -1);
        if (parts.length != 3 || !SEGMENT.matcher(parts[0]).matches() || !SEGMENT.matcher(parts[1]).matches()
                || !SEGMENT.matcher(parts[2]).matches()) {
            throw bad("not a compact JWS");
        }
        JsonNode header = parse(parts[0], "header");
        String kid = text(header, "kid", "header");
        PublisherKey publisher = keys.get(kid);
        if (publisher == null) {
            throw bad("signed by unknown publisher key '" + abbreviate(kid) + "'");
        }
        if (!EventSigner.TYPE.equals(text(header, "typ", "header"))) {
            throw bad("typ is not " + EventSigner.TYPE);
        }
        if (!publisher.key().algorithm().name().equals(text(header, "alg", "header"))) {
            throw bad("alg is not " + publisher.key().algorithm() + ", the algorithm of publisher key '" + kid + "'");
        }
        if (header.has("crit")) {
            throw bad("crit is not supported");
        }
        byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        if (!publisher.key().verify(input, decode(parts[2], "signature"))) {
            throw bad("does not verify with publisher key '" + kid + "'");
        }
        JsonNode payload = parse(parts[1], "payload");
        JsonNode v = payload.get("v");
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() != 1) {
            throw bad("payload v is not 1");
        }
        if (!topic.equals(text(payload, "topic", "payload"))) {
            throw bad("made for another topic");
        }
        if (key == null || !B64_OUT.encodeToString(key).equals(text(payload, "key", "payload"))) {
            throw bad("made for another record key");
        }
        if (value == null || !B64_OUT.encodeToString(EventSigner.sha256(value)).equals(text(payload, "sha256", "payload"))) {
            throw bad("made for another record value");
        }
        return kid;
    }

    private JsonNode parse(String segment, String what) throws MalformedEventException {
        try {
            JsonNode n = json.readTree(decode(segment, what));
            if (n == null || !n.isObject()) {
                throw bad(what + " is not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw bad(what + " is not JSON");
        }
    }

    private static byte[] decode(String segment, String what) throws MalformedEventException {
        try {
            return B64.decode(segment);
        } catch (IllegalArgumentException e) {
            throw bad(what + " is not base64url");
        }
    }

    private static String text(JsonNode n, String field, String where) throws MalformedEventException {
        JsonNode f = n.get(field);
        if (f == null || !f.isTextual()) {
            throw bad(where + " has no " + field + " string");
        }
        return f.textValue();
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    private static MalformedEventException bad(String why) {
        return new MalformedEventException("signature: " + why);
    }
}
