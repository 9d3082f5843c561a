package io.jwtsidecar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * Real proxies for edge tests: nginx and Caddy from the operating system's packages (.ci/run
 * installs them), each started from a shipped configuration on free loopback ports, and an
 * upstream that records the headers of every request that reaches it.
 */
public final class EdgeProxies {
    public static final Path NGINX = Path.of("/usr/sbin/nginx");
    public static final Path CADDY = Path.of("/usr/bin/caddy");

    private EdgeProxies() {
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The service behind the proxy: answers 200 and keeps the header lines of every request it got. */
    public static final class Upstream implements AutoCloseable {
        private final HttpServer server;
        private final BlockingDeque<List<String[]>> seen = new LinkedBlockingDeque<>();

        public Upstream() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", ex -> {
                List<String[]> headers = new ArrayList<>();
                ex.getRequestHeaders().forEach((name, values) -> values.forEach(v -> headers.add(new String[] {name, v})));
                seen.add(headers);
                byte[] body = "upstream".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        }

        public int port() {
            return server.getAddress().getPort();
        }

        /** Forgets what it saw so far. */
        public void clear() {
            seen.clear();
        }

        /** The headers of the request that reached it since the last {@link #clear()}, or null if none did. */
        public List<String[]> lastRequest() {
            return seen.peekLast();
        }

        /** Every value the last request had for a header, names compared with '_' as '-' and ignoring case. */
        public List<String> lastValues(String name) {
            List<String[]> last = lastRequest();
            List<String> values = new ArrayList<>();
            if (last != null) {
                String wanted = name.toLowerCase(Locale.ROOT).replace('_', '-');
                for (String[] h : last) {
                    if (h[0].toLowerCase(Locale.ROOT).replace('_', '-').equals(wanted)) {
                        values.add(h[1]);
                    }
                }
            }
            return values;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** A proxy process, stopped on close. */
    public record Proxy(Process process, int port, Path log) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * nginx with one server block, run as the current user from {@code dir}.
     *
     * @param site the server block (a shipped template with its variables filled in)
     */
    public static Proxy nginx(Path dir, String site, int port) throws Exception {
        assertThat(NGINX).as("nginx is needed for this test: apt-get install nginx-light (as .ci/run does)").exists();
        Files.writeString(dir.resolve("site.conf"), site);
        for (String temp : List.of("body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            Files.createDirectories(dir.resolve(temp));
        }
        Files.writeString(dir.resolve("nginx.conf"), "daemon off;\nworker_processes 1;\npid " + dir.resolve("nginx.pid")
                + ";\nerror_log " + dir.resolve("error.log") + " warn;\nevents { worker_connections 64; }\nhttp {\n"
                + "  access_log off;\n  client_body_temp_path " + dir.resolve("body") + ";\n  proxy_temp_path "
                + dir.resolve("proxy") + ";\n  fastcgi_temp_path " + dir.resolve("fastcgi") + ";\n  uwsgi_temp_path "
                + dir.resolve("uwsgi") + ";\n  scgi_temp_path " + dir.resolve("scgi") + ";\n  include "
                + dir.resolve("site.conf") + ";\n}\n");
        Path log = dir.resolve("nginx.out");
        Process p = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return started(new Proxy(p, port, log), dir.resolve("error.log"));
    }

    /**
     * Caddy from a Caddyfile, with its {@code {$VAR}} placeholders from {@code env}; its admin API
     * off and its state kept under {@code dir}.
     */
    public static Proxy caddy(Path dir, String caddyfile, Map<String, String> env, int port) throws Exception {
        assertThat(CADDY).as("caddy is needed for this test: apt-get install caddy (as .ci/run does)").exists();
        Path file = dir.resolve("Caddyfile");
        Files.writeString(file, "{\n\tadmin off\n\tauto_https off\n}\n\n" + caddyfile);
        Path log = dir.resolve("caddy.out");
        ProcessBuilder pb = new ProcessBuilder(CADDY.toString(), "run", "--adapter", "caddyfile", "--config", file.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("HOME", dir.toString());
        pb.environment().put("XDG_DATA_HOME", dir.resolve("data").toString());
        pb.environment().put("XDG_CONFIG_HOME", dir.resolve("config").toString());
        return started(new Proxy(pb.start(), port, log), log);
    }

    private static Proxy started(Proxy proxy, Path errors) throws Exception {
        try {
            // An AssertionError thrown by the condition (the proxy exited) ends the wait at once.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> listening(proxy, errors));
            return proxy;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            proxy.close();
            throw new AssertionError("the proxy did not listen on " + proxy.port() + ":\n" + read(proxy.log()) + read(errors));
        }
    }

    private static boolean listening(Proxy proxy, Path errors) throws IOException {
        if (!proxy.process().isAlive()) {
            throw new AssertionError("the proxy exited with " + proxy.process().exitValue() + ":\n"
                    + read(proxy.log()) + read(errors));
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
