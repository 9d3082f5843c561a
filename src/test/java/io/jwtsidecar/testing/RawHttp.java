package io.jwtsidecar.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 exactly as written: the request target, duplicated and malformed headers go out byte
 * for byte, which no HTTP client library allows (they normalise paths, refuse Host and merge
 * headers). For hostile-traffic tests against the sidecar and real proxies.
 */
public final class RawHttp {
    private RawHttp() {
    }

    /** A response: its status, its header lines in order, and its body. */
    public record Response(int status, List<String[]> headers, String body) {
        /** Every value of a header, in order (names compared case-insensitively). */
        public List<String> all(String name) {
            List<String> values = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    values.add(h[1]);
                }
            }
            return values;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder().append(status);
            headers.forEach(h -> sb.append("\n").append(h[0]).append(": ").append(h[1]));
            return sb.append("\n\n").append(body).toString();
        }
    }

    /**
     * @param target  the request target exactly as sent, e.g. {@code /v1/authz/%2e%2e/metrics}
     * @param headers header lines {@code Name: value}; a Host line is added unless one is given
     */
    public static Response send(int port, String method, String target, String... headers) throws IOException {
        return exchange(port, method, target, "", headers);
    }

    /** As {@link #send}, with {@code body} after the headers and a Content-Length giving its size. */
    public static Response sendWithBody(int port, String method, String target, String body, String... headers)
            throws IOException {
        String[] all = java.util.Arrays.copyOf(headers, headers.length + 1);
        all[headers.length] = "Content-Length: " + body.getBytes(StandardCharsets.ISO_8859_1).length;
        return exchange(port, method, target, body, all);
    }

    private static Response exchange(int port, String method, String target, String body, String... headers)
            throws IOException {
        StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (String h : headers) {
            host |= h.toLowerCase(Locale.ROOT).startsWith("host:");
            request.append(h).append("\r\n");
        }
        if (!host) {
            request.append("Host: 127.0.0.1:").append(port).append("\r\n");
        }
        request.append("Connection: close\r\n\r\n").append(body);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(socket.getInputStream(), method.equals("HEAD"));
        }
    }

    /** Reads one response from a connection the caller owns (to keep it open afterwards, say). */
    public static Response readResponse(InputStream in) throws IOException {
        return read(in, false);
    }

    private static Response read(InputStream in, boolean head) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("connection closed before a status line");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        List<String[]> headers = new ArrayList<>();
        int length = -1;
        boolean chunked = false;
        for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            String name = l.substring(0, colon).strip();
            String value = l.substring(colon + 1).strip();
            headers.add(new String[] {name, value});
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Integer.parseInt(value);
            }
            chunked |= name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked");
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (head || status == 204 || status == 304) {
            return new Response(status, headers, "");
        }
        if (chunked) {
            for (int size = Integer.parseInt(line(in).split(";")[0].strip(), 16); size > 0;
                 size = Integer.parseInt(line(in).split(";")[0].strip(), 16)) {
                body.write(in.readNBytes(size));
                line(in);
            }
        } else if (length >= 0) {
            body.write(in.readNBytes(length));
        } else {
            body.write(in.readAllBytes());
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int end = sb.length();
                return end > 0 && sb.charAt(end - 1) == '\r' ? sb.substring(0, end - 1) : sb.toString();
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }
}
