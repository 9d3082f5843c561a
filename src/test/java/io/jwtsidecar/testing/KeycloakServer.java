package io.jwtsidecar.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Keycloak ({@code kc.sh start-dev}, offline, on 127.0.0.1 and a free port) for one test
 * class. Use as {@code @RegisterExtension static final KeycloakServer keycloak = new KeycloakServer();}
 * and talk to it through {@link #admin()}.
 *
 * <p>The distribution is the one Maven unpacks before the integration tests (system property
 * {@code keycloak.home}). Each run gets a copy of its own, made from a template that has been
 * started once: a fresh distribution spends most of its first start augmenting Quarkus and
 * creating its H2 database, which took 40-100 s on a busy two-core machine; a copy of the
 * template starts with both done. A copy per run rather than one shared directory (with a fresh
 * realm name per run) because two test JVMs run side by side and H2 locks its database file:
 * two Keycloaks on one directory would not both start; and no realm from an earlier run leaks in.
 *
 * <p>Keycloak's output goes to {@code target/keycloak-runs/<run>.log}; a start that fails or
 * times out says so with the end of that log. The whole process tree (kc.sh relaunches Java
 * after an augmentation) is stopped in {@link #afterAll}, or by a shutdown hook if the test JVM
 * ends first.
 */
public final class KeycloakServer implements BeforeAllCallback, AfterAllCallback {
    public static final String ADMIN_USER = "admin";
    public static final String ADMIN_PASSWORD = "admin-password-for-tests";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final String TEMPLATE_DONE = ".template-ready";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Path runDir;
    private Path log;
    private Process process;
    private Thread shutdownHook;
    private int port;
    private Duration startTime;
    private KeycloakAdmin admin;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path dist = distribution();
        Path runs = dist.getParent().getParent().resolve("keycloak-runs");
        Files.createDirectories(runs);
        Path template = template(dist, runs);
        String name = context.getRequiredTestClass().getSimpleName() + "-" + ProcessHandle.current().pid()
                + "-" + System.currentTimeMillis();
        runDir = runs.resolve(name);
        copyTree(template, runDir);
        log = runs.resolve(name + ".log");
        port = freePort();
        long started = System.nanoTime();
        process = start(runDir, port, log);
        shutdownHook = new Thread(() -> stop(process), "keycloak-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        awaitReady(process, port, log);
        startTime = Duration.ofNanos(System.nanoTime() - started);
        admin = new KeycloakAdmin(http, baseUrl(), ADMIN_USER, ADMIN_PASSWORD);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (process != null) {
            stop(process);
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        if (runDir != null) {
            deleteTree(runDir); // the log, beside it, stays
        }
    }

    /** {@code http://127.0.0.1:<port>}, with no trailing slash. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public KeycloakAdmin admin() {
        return admin;
    }

    /** From the launch of {@code kc.sh} to the first answer of the master realm. */
    public Duration startTime() {
        return startTime;
    }

    /** Where Keycloak's output goes. */
    public Path log() {
        return log;
    }

    /** The resident set size of Keycloak's Java process (kB), from /proc; empty where there is none. */
    public Optional<Long> residentKilobytes() {
        return Stream.concat(Stream.of(process.toHandle()), process.toHandle().descendants())
                .map(ProcessHandle::pid)
                .flatMap(pid -> residentKilobytes(pid).stream())
                .max(Long::compare);
    }

    private static Optional<Long> residentKilobytes(long pid) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/" + pid + "/status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                    .findFirst();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty(); // gone, or no /proc here
        }
    }

    private static Path distribution() {
        String home = System.getProperty("keycloak.home");
        if (home == null) {
            throw new IllegalStateException("system property keycloak.home is not set: run the integration tests"
                    + " through Maven (mvn verify), which unpacks Keycloak and sets it");
        }
        Path dist = Path.of(home).toAbsolutePath();
        if (!Files.isExecutable(dist.resolve("bin/kc.sh"))) {
            throw new IllegalStateException("no Keycloak distribution at keycloak.home=" + dist
                    + " (bin/kc.sh missing): run mvn verify, which unpacks it in pre-integration-test");
        }
        return dist;
    }

    /**
     * The started-once copy of the distribution, made by whichever test JVM gets here first; a
     * file lock makes the other wait for it rather than build a second one.
     */
    private Path template(Path dist, Path runs) throws Exception {
        // Named after the distribution (keycloak-<version>): a version bump gets a template of its own.
        Path template = runs.resolve("template-" + dist.getFileName());
        try (FileChannel lockFile = FileChannel.open(runs.resolve("template.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            if (Files.exists(template.resolve(TEMPLATE_DONE))) {
                return template;
            }
            if (Files.exists(template)) {
                deleteTree(template); // a template whose first start did not finish
            }
            copyTree(dist, template);
            int templatePort = freePort();
            Path templateLog = runs.resolve(template.getFileName() + ".log");
            Process first = start(template, templatePort, templateLog);
            try {
                awaitReady(first, templatePort, templateLog);
            } finally {
                stop(first); // a clean stop, so H2 closes its file
            }
            Files.createFile(template.resolve(TEMPLATE_DONE));
            return template;
        }
    }

    private static Process start(Path home, int port, Path log) throws IOException {
        Path java = KeycloakJava.home();
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-host", "127.0.0.1", "--http-port", String.valueOf(port))
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", java.toString());
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USER);
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
        // Keycloak's own settings only: none inherited from whoever runs the build.
        env.keySet().removeIf(k -> k.startsWith("KC_") && !k.startsWith("KC_BOOTSTRAP_ADMIN_"));
        env.remove("JAVA_OPTS");
        // The first JIT tier only: a test Keycloak answers a few dozen requests, and without C2
        // compiling its start-up code it answered in 13-16 s instead of 25-29 s on a busy two-core
        // machine, with a smaller RSS.
        env.put("JAVA_OPTS_APPEND", "-XX:TieredStopAtLevel=1");
        return pb.start();
    }

    /** Polls the master realm until it answers 200, the process dies, or the start timeout passes. */
    private void awaitReady(Process p, int port, Path log) throws InterruptedException {
        HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/realms/master"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String lastProbe = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + p.exitValue() + " before answering on port "
                        + port + "; end of " + log + ":\n" + tail(log));
            }
            try {
                HttpResponse<Void> r = http.send(probe, HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
                lastProbe = "HTTP " + r.statusCode();
            } catch (IOException e) {
                lastProbe = e.toString();
            }
            Thread.sleep(200);
        }
        stop(p);
        throw new IllegalStateException("Keycloak did not answer 200 on " + probe.uri() + " within " + START_TIMEOUT
                + " (last probe: " + lastProbe + "); end of " + log + ":\n" + tail(log));
    }

    /** SIGTERM to the script and the Java it runs, then SIGKILL to whatever is left after a while. */
    private static void stop(Process p) {
        List<ProcessHandle> tree = Stream.concat(p.toHandle().descendants(), Stream.of(p.toHandle())).toList();
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                // COPY_ATTRIBUTES keeps kc.sh executable.
                Files.copy(file, to.resolve(from.relativize(file)), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
