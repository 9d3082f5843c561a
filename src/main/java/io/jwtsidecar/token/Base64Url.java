package io.jwtsidecar.token;

import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * Strict base64url (RFC 7515 §2, RFC 4648 §5 without padding).
 *
 * <p>{@link Base64#getUrlDecoder()} alone is too lenient for a verifier: it accepts {@code =}
 * padding and ignores non-zero trailing bits, so two different strings decode to the same
 * bytes (signature malleability). This class rejects padding, {@code +}, {@code /},
 * whitespace, a length of 1 modulo 4, and non-canonical trailing bits. Stateless; safe from
 * any thread.
 */
final class Base64Url {
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final String ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private Base64Url() {
    }

    /**
     * Decodes {@code s[from, to)}.
     *
     * @return the bytes, or {@code null} when the text is not canonical base64url
     */
    static byte @Nullable [] decode(String s, int from, int to) {
        int len = to - from;
        if (len % 4 == 1) {
            return null;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_';
            if (!ok) {
                return null;
            }
        }
        if (len % 4 != 0) {
            // The last character carries 2 (len%4==2) or 4 (len%4==3) unused low bits: they must be 0.
            int last = ALPHABET.indexOf(s.charAt(to - 1));
            int unusedBits = (len % 4 == 2) ? 4 : 2;
            if ((last & ((1 << unusedBits) - 1)) != 0) {
                return null;
            }
        }
        return DECODER.decode(s.substring(from, to));
    }
}
