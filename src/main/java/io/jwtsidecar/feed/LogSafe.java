package io.jwtsidecar.feed;

/**
 * Text from the topic (reasons quoting a record, kids, ids) made safe for one log line: control
 * characters are escaped, so a record cannot forge lines of its own, and the length is capped.
 */
final class LogSafe {
    private static final int MAX_CHARS = 512;

    private LogSafe() {
    }

    static String text(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_CHARS) + 16);
        for (int i = 0; i < s.length() && sb.length() < MAX_CHARS; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (sb.length() >= MAX_CHARS) {
            sb.append('…');
        }
        return sb.toString();
    }
}
