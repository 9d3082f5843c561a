package io.jwtsidecar.token;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * A JWS in compact serialization (RFC 7515 §7.1), split and decoded strictly.
 *
 * <p>Parsing refuses everything a lenient parser would let through and an attacker could use:
 * anything but exactly three segments (so JWE and the JSON serialization are refused),
 * non-canonical base64url, a header or payload that is not one JSON object, invalid UTF-8
 * (strictly: no overlong forms or encoded surrogates),
 * duplicate member names (RFC 7515 §5.2; CVE-2022-39227 polyglots rely on them), nesting
 * deeper than {@value #MAX_NESTING} and trailing content. The caller caps the length first, so
 * every step is linear in a bounded input.
 *
 * @param header    the JOSE header
 * @param claims    the JWT claims set
 * @param payloadSegment the base64url payload exactly as received (the identity header reuses it)
 * @param claimsJson the decoded payload bytes (valid JSON)
 * @param signingInput ASCII bytes of {@code header.payload}
 * @param signature the decoded signature
 */
record CompactJws(ObjectNode header, ObjectNode claims, String payloadSegment, byte[] claimsJson,
                  byte[] signingInput, byte[] signature) {

    static final int MAX_NESTING = 32;

    private static final ObjectMapper JSON = strictMapper();
    /** Decoders keep state between calls, so one per thread. */
    private static final ThreadLocal<CharsetDecoder> UTF8 = ThreadLocal.withInitial(() -> StandardCharsets.UTF_8
            .newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));

    /** Thrown for any structural defect; the message says which, for logs and the verdict detail. */
    static final class MalformedTokenException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String reason;

        MalformedTokenException(String message) {
            super(message, null, false, false);
            this.reason = message;
        }

        /** What is wrong with the token (the message, never null). */
        String reason() {
            return reason;
        }
    }

    static CompactJws parse(String token) throws MalformedTokenException {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first < 0 || second < 0) {
            throw new MalformedTokenException("a JWS has three segments");
        }
        if (token.indexOf('.', second + 1) >= 0) {
            throw new MalformedTokenException("more than three segments (JWE or garbage)");
        }
        if (first == 0 || second == first + 1 || second == token.length() - 1) {
            throw new MalformedTokenException("empty segment");
        }
        byte[] headerBytes = decode(token, 0, first, "header");
        byte[] claimsBytes = decode(token, first + 1, second, "payload");
        byte[] signature = decode(token, second + 1, token.length(), "signature");
        ObjectNode header = parseObject(headerBytes, "header");
        ObjectNode claims = parseObject(claimsBytes, "payload");
        byte[] signingInput = token.substring(0, second).getBytes(StandardCharsets.US_ASCII);
        return new CompactJws(header, claims, token.substring(first + 1, second), claimsBytes,
                signingInput, signature);
    }

    /**
     * One base64url segment of {@code token} that must hold one JSON object, read as strictly as
     * a JWS header (for the protected header of a JWE).
     */
    static ObjectNode object(String token, int from, int to, String what) throws MalformedTokenException {
        return parseObject(decode(token, from, to, what), what);
    }

    private static byte[] decode(String token, int from, int to, String what) throws MalformedTokenException {
        byte[] bytes = Base64Url.decode(token, from, to);
        if (bytes == null) {
            throw new MalformedTokenException(what + " is not canonical base64url");
        }
        return bytes;
    }

    private static ObjectNode parseObject(byte[] json, String what) throws MalformedTokenException {
        JsonNode node;
        try {
            // Printable ASCII (and JSON's whitespace) is valid UTF-8 as it is, so Jackson reads
            // the bytes of most tokens without decoding them into a String first. Only such bytes:
            // given bytes, Jackson guesses UTF-16 or UTF-32 from zero bytes and skips a byte order
            // mark, where the strict path refuses both.
            node = plainAscii(json) ? JSON.readTree(json) : JSON.readTree(strictUtf8(json, what));
        } catch (IOException | RuntimeException e) {
            throw new MalformedTokenException(what + " is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new MalformedTokenException(what + " is not a JSON object");
        }
        return (ObjectNode) node;
    }

    /** Whether every byte is printable ASCII, tab, line feed or carriage return. */
    static boolean plainAscii(byte[] bytes) {
        for (byte b : bytes) {
            if ((b < 0x20 || b == 0x7F) && b != '\t' && b != '\n' && b != '\r') {
                return false; // negative bytes (0x80 and up) land here too
            }
        }
        return true;
    }

    /**
     * Java's decoder is strict where Jackson is not: overlong forms, encoded surrogates and code
     * points above U+10FFFF are errors, so the sidecar reads exactly what it forwards.
     */
    private static String strictUtf8(byte[] json, String what) throws MalformedTokenException {
        try {
            return UTF8.get().decode(ByteBuffer.wrap(json)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedTokenException(what + " is not valid UTF-8");
        }
    }

    private static String firstLine(@Nullable String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static ObjectMapper strictMapper() {
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING)
                        .maxNumberLength(64)
                        .maxStringLength(16 * 1024)
                        .build())
                .build();
        ObjectMapper mapper = new ObjectMapper(factory);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(JsonParser.Feature.ALLOW_COMMENTS);
        return mapper;
    }
}
