package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Identity header values can never split a response or carry raw non-ASCII bytes. */
class HttpResponsesTest {

    @Test
    void printable_ascii_is_left_alone() {
        String printable = " !\"#$&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
                + "abcdefghijklmnopqrstuvwxyz{|}~";

        assertThat(HttpResponses.headerSafe(printable)).isEqualTo(printable);
        assertThat(HttpResponses.headerSafe("https://issuer.example/realms/main")).isEqualTo("https://issuer.example/realms/main");
        assertThat(HttpResponses.headerSafe("")).isEmpty();
    }

    static Stream<Arguments> encoded() {
        return Stream.of(
                Arguments.of("alice\r\nX-Injected: yes", "alice%0D%0AX-Injected: yes"),
                Arguments.of("a\nb", "a%0Ab"),
                Arguments.of("a\rb", "a%0Db"),
                Arguments.of("100%", "100%25"),
                Arguments.of("%0A", "%250A"),
                Arguments.of("a\tb", "a%09b"),
                Arguments.of("a\u007fb", "a%7Fb"),
                Arguments.of("a\u0000b", "a%00b"));
    }

    @ParameterizedTest(name = "[{index}] becomes \"{1}\"")
    @MethodSource("encoded")
    void control_characters_and_the_percent_sign_are_percent_encoded(String value, String expected) {
        assertThat(HttpResponses.headerSafe(value)).isEqualTo(expected);
    }

    @Test
    void non_ascii_characters_are_percent_encoded_as_their_utf8_bytes() {
        assertThat(HttpResponses.headerSafe("ü")).isEqualTo("%C3%BC");
        assertThat(HttpResponses.headerSafe("Jürgen")).isEqualTo("J%C3%BCrgen");
        assertThat(HttpResponses.headerSafe("€")).isEqualTo("%E2%82%AC");
        assertThat(HttpResponses.headerSafe("\uD83D\uDE00")).isEqualTo("%F0%9F%98%80");
    }

    @Test
    void the_encoding_is_reversible() {
        String original = "Zoë 100% \r\n sure";
        String encoded = HttpResponses.headerSafe(original);

        assertThat(encoded).doesNotContain("\r", "\n").matches("[\\x20-\\x7e]*");
        assertThat(URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8))
                .isEqualTo(original);
    }
}
