package io.jwtsidecar.logging;

/**
 * Text from outside (a record's reason, a sidecar id, a signer's kid, an admin's name) made safe
 * for one log line: control characters are escaped ({@code \n}, {@code \r}, {@code \t}, else a
 * backslash, {@code u} and four hex digits, e.g. {@code \}{@code u001b} for ESC), so the text
 * cannot forge lines of its own, and the length is capped.
 */
public final class LogSafe {
    /** The cap of {@link #text(String)}. */
    public static final int DEFAULT_MAX_CHARS = 512;

    private LogSafe() {
    }

    /** At most {@value #DEFAULT_MAX_CHARS} characters of {@code s}, escaped; "null" for null. */
    public static String text(String s) {
        return text(s, DEFAULT_MAX_CHARS);
    }

    /** At most {@code maxChars} characters of {@code s}, escaped, and "…" when cut; "null" for null. */
    public static String text(String s, int maxChars) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(s.length(), maxChars) + 16);
        int i = 0;
        for (; i < s.length() && i < maxChars; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        if (i < s.length()) {
            sb.append('…');
        }
        return sb.toString();
    }
}
