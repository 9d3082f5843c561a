package io.jwtsidecar.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Outside text in a log line: it cannot start a line of its own, and it is cut where asked. */
class LogSafeTest {
    @Test
    void control_characters_are_escaped_so_no_line_can_be_forged() {
        assertThat(LogSafe.text("a\nINFO forged\r\tb\u0000\u001b[31m")).isEqualTo("a\\nINFO forged\\r\\tb\\u0000\\u001b[31m");
    }

    @Test
    void text_is_cut_at_the_cap_and_says_so() {
        assertThat(LogSafe.text("x".repeat(600))).hasSize(LogSafe.DEFAULT_MAX_CHARS + 1).endsWith("x…");
        assertThat(LogSafe.text("abcdef", 3)).isEqualTo("abc…");
        assertThat(LogSafe.text("abc", 3)).isEqualTo("abc");
        assertThat(LogSafe.text(null)).isEqualTo("null");
    }
}
