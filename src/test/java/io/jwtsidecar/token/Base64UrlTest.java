package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Strict base64url: exactly one text per byte string, so a token cannot be altered without
 * changing its meaning (no padding, no standard-alphabet characters, no spare bits).
 */
class Base64UrlTest {
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private static byte[] decode(String s) {
        return Base64Url.decode(s, 0, s.length());
    }

    @Test
    void canonical_base64url_of_every_length_decodes_to_the_original_bytes() {
        Random random = new Random(7);
        for (int length = 0; length <= 40; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            String text = ENCODER.encodeToString(bytes);

            assertThat(decode(text)).as("decoding %s", text).isEqualTo(bytes);
        }
    }

    @Test
    void the_url_safe_characters_minus_and_underscore_are_accepted() {
        // 0xFB 0xFF encodes to "-_8": both characters the URL alphabet adds.
        assertThat(decode("-_8")).containsExactly(0xFB, 0xFF);
    }

    @Test
    void empty_input_decodes_to_no_bytes() {
        assertThat(decode("")).isEmpty();
    }

    @Test
    void only_the_given_range_is_decoded() {
        String token = "eyJ.aGVsbG8.xyz";

        assertThat(Base64Url.decode(token, 4, 11)).isEqualTo("hello".getBytes(StandardCharsets.US_ASCII));
    }

    @ParameterizedTest(name = "padding is refused: \"{0}\"")
    @ValueSource(strings = {"AQ==", "AQI=", "aGVsbG8=", "AA=", "===="})
    void equals_sign_padding_is_refused(String text) {
        assertThat(decode(text)).isNull();
    }

    @ParameterizedTest(name = "the standard alphabet is refused: \"{0}\"")
    @ValueSource(strings = {"+_8A", "-/8A", "ab+c", "ab/c"})
    void plus_and_slash_from_the_standard_alphabet_are_refused(String text) {
        assertThat(decode(text)).isNull();
    }

    @ParameterizedTest(name = "whitespace is refused: \"{0}\"")
    @ValueSource(strings = {"aGVs bG8", "aGVsbG8 ", " aGVsbG8", "aGVs\nbG8", "aGVs\r\nbG8", "aGVs\tbG8"})
    void whitespace_anywhere_is_refused(String text) {
        assertThat(decode(text)).isNull();
    }

    @ParameterizedTest(name = "a length of 1 modulo 4 is refused: \"{0}\"")
    @ValueSource(strings = {"A", "AAAAA", "aGVsbG8hA"})
    void a_length_of_one_modulo_four_is_refused(String text) {
        assertThat(decode(text)).isNull();
    }

    @Test
    void non_zero_trailing_bits_are_refused_where_the_lenient_jdk_decoder_would_accept_them() {
        // "AQ" is 000000 010000: one byte 0x01 and four zero bits. "AR" sets the last of those
        // four unused bits; the JDK decoder silently drops it and yields the same byte.
        assertThat(Base64.getUrlDecoder().decode("AR")).isEqualTo(Base64.getUrlDecoder().decode("AQ"));

        assertThat(decode("AQ")).containsExactly(0x01);
        assertThat(decode("AR")).isNull();
        // Three characters carry two unused bits: "AAE" is canonical, "AAF" is not.
        assertThat(decode("AAE")).containsExactly(0x00, 0x01);
        assertThat(decode("AAF")).isNull();
    }

    @Test
    void exactly_one_text_of_two_or_three_characters_is_accepted_per_byte_string() {
        for (String prefix : new String[] {"A", "AA", "zz"}) {
            for (char last : ALPHABET.toCharArray()) {
                String text = prefix + last;
                byte[] decoded = decode(text);
                boolean canonical = ENCODER.encodeToString(Base64.getUrlDecoder().decode(text)).equals(text);

                if (canonical) {
                    assertThat(decoded).as("canonical %s", text).isNotNull();
                    assertThat(ENCODER.encodeToString(decoded)).isEqualTo(text);
                } else {
                    assertThat(decoded).as("non-canonical %s", text).isNull();
                }
            }
        }
    }

    @Test
    void every_character_outside_the_alphabet_is_refused_in_every_position() {
        for (char c = 0; c < 0x3000; c++) {
            if (ALPHABET.indexOf(c) >= 0) {
                continue;
            }
            // A full group of four at every offset, then the two- and three-character tails.
            for (String canonical : new String[] {"QUJDRA", "QUJDREU"}) {
                for (int at = 0; at < canonical.length(); at++) {
                    String text = canonical.substring(0, at) + c + canonical.substring(at + 1);

                    assertThat(decode(text)).as("U+%04X at %d of %s", (int) c, at, canonical).isNull();
                }
            }
        }
    }

    @Test
    void characters_outside_the_alphabet_are_refused() {
        assertThat(decode("aGVs.G8")).isNull();
        assertThat(decode("aGVsbG8\u00e9")).isNull();
        assertThat(decode("aGVsbG8\u0000")).isNull();
    }
}
