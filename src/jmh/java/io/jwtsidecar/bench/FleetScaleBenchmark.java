package io.jwtsidecar.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.sun.management.OperatingSystemMXBean;
import io.jwtsidecar.dev.EmbeddedKafkaCluster;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.management.JMException;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.LoggerFactory;

/**
 * The fleet-scale benchmark: many sidecars' Kafka clients (feed consumer, feed admin client,
 * status producer, as {@link FleetSidecar} wires them from a loaded configuration) in one JVM
 * against a real KRaft cluster in the same JVM ({@link EmbeddedKafkaCluster}), measured with the
 * brokers' own metrics. Not a JMH benchmark: it measures a fleet at rest, not an operation.
 *
 * <p>For every configuration ({@code --profile}) the fleet grows through the counts
 * ({@code --counts}); at each count it waits until every sidecar has caught up and a warm-up has
 * passed, then measures an idle window (requests per type, CPU per thread role, connections),
 * then publishes paced revocations and times each until every sidecar has applied it. The fleet
 * is closed before the next configuration starts, so both run against the same brokers in the
 * same run. Prints a markdown table; {@code --out FILE} writes it, with the details, to a file.
 *
 * <pre>
 * java -cp target/benchmarks.jar io.jwtsidecar.bench.FleetScaleBenchmark [--counts 25,50,100,200,400]
 *      [--profile NAME[:key=value,...]]... [--brokers 1] [--partitions 6] [--warmup 20] [--idle 40]
 *      [--events 10] [--pace-ms 200] [--status on|off] [--out FILE]
 * </pre>
 */
public final class FleetScaleBenchmark {
    private static final String TOPIC = "fleet-revocations";
    private static final String STATUS_TOPIC = "fleet-status";
    private static final Duration CATCH_UP = Duration.ofMinutes(3);
    private static final Duration PROPAGATION_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE = Duration.ofMinutes(2);
    /** Sidecars are started and closed by this many threads at once: starting opens a store, closing waits for threads. */
    private static final int STARTERS = 16;

    private final Options options;
    private final EmbeddedKafkaCluster kafka;
    private final Path dir;
    private final ThreadCpu threadCpu = new ThreadCpu();
    private final OperatingSystemMXBean os = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
    private final StringBuilder details = new StringBuilder();
    /** Connections on the client listener before the current configuration's first sidecar started. */
    private long baselineConnections;
    /** CPU of the broker threads with no sidecar, ms/s, measured before the first configuration. */
    private double emptyBrokerCpu;

    /** The command line. */
    record Options(List<Integer> counts, List<FleetProfile> profiles, int brokers, int partitions, Duration warmup,
                   Duration idle, int events, Duration pace, boolean status, Path out) {
        static Options parse(String[] args) {
            List<Integer> counts = List.of(25, 50, 100, 200, 400);
            List<FleetProfile> profiles = new ArrayList<>();
            int brokers = 1;
            int partitions = 6;
            Duration warmup = Duration.ofSeconds(20);
            Duration idle = Duration.ofSeconds(40);
            int events = 10;
            Duration pace = Duration.ofMillis(200);
            boolean status = true;
            Path out = null;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : "";
                switch (args[i]) {
                    case "--counts" -> counts = Arrays.stream(value.split(",")).map(String::strip).map(Integer::valueOf)
                            .sorted().toList();
                    case "--profile" -> profiles.add(FleetProfile.parse(value));
                    case "--brokers" -> brokers = Integer.parseInt(value);
                    case "--partitions" -> partitions = Integer.parseInt(value);
                    case "--warmup" -> warmup = Duration.ofSeconds(Long.parseLong(value));
                    case "--idle" -> idle = Duration.ofSeconds(Long.parseLong(value));
                    case "--events" -> events = Integer.parseInt(value);
                    case "--pace-ms" -> pace = Duration.ofMillis(Long.parseLong(value));
                    case "--status" -> status = value.equals("on");
                    case "--out" -> out = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            if (profiles.isEmpty()) {
                profiles = List.of(FleetProfile.parse(BASELINE), FleetProfile.parse(DEFAULTS));
            }
            return new Options(counts, profiles, brokers, partitions, warmup, idle, events, pace, status, out);
        }
    }

    /**
     * The baseline: the defaults before the idle-load tuning (a fetch held 0.5 s, the log end
     * asked for every second, the partitions counted every 5 s, a status report every second),
     * pinned so that the row keeps its meaning whatever the defaults are.
     */
    static final String BASELINE = "baseline:kafka.consumer.fetch.max.wait.ms=500,revocation.endCheckInterval=1s,"
            + "revocation.partitionCheckInterval=5s,fleet.statusInterval=1s";
    /** Nothing set: whatever the code's defaults are when it runs. */
    static final String DEFAULTS = "defaults";

    private FleetScaleBenchmark(Options options, EmbeddedKafkaCluster kafka, Path dir) {
        this.options = options;
        this.kafka = kafka;
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        // Hundreds of clients would log their settings at start; the figures are what matters here.
        ((Logger) LoggerFactory.getLogger("ROOT")).setLevel(Level.WARN);
        ((Logger) LoggerFactory.getLogger("io.jwtsidecar")).setLevel(Level.WARN);
        ((Logger) LoggerFactory.getLogger("org.apache.kafka")).setLevel(Level.ERROR);
        ((Logger) LoggerFactory.getLogger("kafka")).setLevel(Level.ERROR);
        Path dir = Files.createTempDirectory("fleet-scale");
        List<FleetMeasurement> results = new ArrayList<>();
        Instant started = Instant.now();
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(options.brokers(), dir.resolve("kafka"))) {
            kafka.createRevocationTopic(TOPIC, options.partitions(), 86_400_000L);
            kafka.createStatusTopic(STATUS_TOPIC);
            FleetScaleBenchmark bench = new FleetScaleBenchmark(options, kafka, dir);
            bench.measureEmptyBrokers();
            for (FleetProfile profile : options.profiles()) {
                results.addAll(bench.measure(profile));
            }
            String report = bench.report(results, started, Instant.now());
            System.out.println(report);
            if (options.out() != null) {
                Files.createDirectories(options.out().toAbsolutePath().getParent());
                Files.writeString(options.out(), report + "\n" + bench.details, StandardCharsets.UTF_8);
            }
        }
        // Kafka's and RocksDB's non-daemon threads are gone with the cluster; the data directory is not.
        deleteTree(dir);
        System.exit(0);
    }

    /** What the brokers' own threads spend with no sidecar: their controller, metrics and housekeeping. */
    private void measureEmptyBrokers() throws InterruptedException {
        progress("no sidecars: idle window of " + options.idle().toSeconds() + " s");
        ThreadCpu.Snapshot before = threadCpu.snapshot();
        Map<String, Long> requestsBefore = BrokerRequests.counts();
        long t0 = System.nanoTime();
        TimeUnit.MILLISECONDS.sleep(options.idle().toMillis());
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<ThreadCpu.Role, Long> cpu = ThreadCpu.byRole(before, threadCpu.snapshot());
        emptyBrokerCpu = cpu.get(ThreadCpu.Role.BROKER) / 1e6 / seconds;
        String text = "No sidecars: broker threads " + FleetMeasurement.format(emptyBrokerCpu) + " CPU ms/s; requests "
                + BrokerRequests.difference(requestsBefore, BrokerRequests.counts());
        details.append("\n").append(text).append("\n");
        progress(text);
    }

    /** Grows a fleet of this configuration through the counts, measuring each; closes it at the end. */
    private List<FleetMeasurement> measure(FleetProfile profile) throws Exception {
        List<FleetSidecar> fleet = new ArrayList<>();
        List<FleetMeasurement> results = new ArrayList<>();
        baselineConnections = 0;
        ExecutorService starters = Executors.newFixedThreadPool(STARTERS);
        try (PropagationProbe probe = new PropagationProbe(kafka.bootstrapServers(), TOPIC)) {
            describe(profile);
            // The publisher's and the cluster's own connections, which are no sidecar's.
            probe.run(List.of(), 1, options.pace(), PROPAGATION_TIMEOUT);
            TimeUnit.SECONDS.sleep(2);
            baselineConnections = kafka.clientConnections();
            for (int count : options.counts()) {
                try {
                    grow(profile, fleet, count, starters);
                } catch (TimeoutException e) {
                    // The machine cannot carry this many: the report keeps the sizes it could, and says so.
                    String text = profile.name() + ": " + count + " sidecars did not all catch up within "
                            + CATCH_UP.toMinutes() + " min; larger fleets not measured";
                    details.append("\n").append(text).append("\n");
                    progress(text);
                    break;
                }
                progress(profile.name() + ": " + count + " sidecars caught up; warming up " + options.warmup().toSeconds() + " s");
                TimeUnit.MILLISECONDS.sleep(options.warmup().toMillis());
                results.add(idleWindow(profile, fleet, probe));
            }
        } finally {
            progress(profile.name() + ": closing " + fleet.size() + " sidecars");
            starters.shutdown();
            // All at once: a close mostly waits (for a held fetch to be woken, a producer to flush), and on a
            // saturated machine a few closers in turn would take minutes.
            ExecutorService closers = Executors.newCachedThreadPool();
            List<CompletableFuture<Void>> closing = new ArrayList<>();
            for (FleetSidecar s : fleet) {
                closing.add(CompletableFuture.runAsync(s::close, closers));
            }
            try {
                CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(CLOSE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                progress(profile.name() + ": sidecars still closing after " + CLOSE.toSeconds() + " s; going on");
            }
            closers.shutdown();
            // Lets the brokers see the closed connections go before the next configuration is counted.
            TimeUnit.SECONDS.sleep(5);
        }
        return results;
    }

    /** Starts sidecars until the fleet has {@code count}, and waits until all have caught up. */
    private void grow(FleetProfile profile, List<FleetSidecar> fleet, int count, ExecutorService starters)
            throws Exception {
        List<CompletableFuture<FleetSidecar>> starting = new ArrayList<>();
        for (int i = fleet.size(); i < count; i++) {
            String id = profile.name() + "-" + i;
            Path data = dir.resolve("stores").resolve(id);
            starting.add(CompletableFuture.supplyAsync(() -> FleetSidecar.start(
                    profile.sidecar(id, kafka.bootstrapServers(), TOPIC, STATUS_TOPIC, data), options.status()), starters));
        }
        for (CompletableFuture<FleetSidecar> s : starting) {
            fleet.add(s.get(CATCH_UP.toMillis(), TimeUnit.MILLISECONDS));
        }
        for (FleetSidecar s : fleet) {
            s.caughtUp().get(CATCH_UP.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Measures the fleet at rest, then the propagation of paced revocations. */
    private FleetMeasurement idleWindow(FleetProfile profile, List<FleetSidecar> fleet, PropagationProbe probe)
            throws Exception {
        progress(profile.name() + ": " + fleet.size() + " sidecars, idle window of " + options.idle().toSeconds() + " s");
        Map<String, Long> requestsBefore = BrokerRequests.counts();
        ThreadCpu.Snapshot cpuBefore = threadCpu.snapshot();
        long processBefore = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        TimeUnit.MILLISECONDS.sleep(options.idle().toMillis());
        long t1 = System.nanoTime();
        Map<String, Long> requestsAfter = BrokerRequests.counts();
        ThreadCpu.Snapshot cpuAfter = threadCpu.snapshot();
        long processAfter = os.getProcessCpuTime();
        long connections = kafka.clientConnections();
        long sessions = fetchSessions();
        double load = os.getSystemLoadAverage();
        Map<String, Long> requests = BrokerRequests.difference(requestsBefore, requestsAfter);
        progress(profile.name() + ": " + fleet.size() + " sidecars, propagating " + options.events() + " revocations");
        PropagationProbe.Result propagation = probe.run(fleet, options.events(), options.pace(), PROPAGATION_TIMEOUT);
        FleetMeasurement m = new FleetMeasurement(profile.name(), fleet.size(), (t1 - t0) / 1e9, requests,
                ThreadCpu.byRole(cpuBefore, cpuAfter), processAfter - processBefore, connections, baselineConnections, emptyBrokerCpu, sessions,
                propagation.latenciesNanos(), propagation.missing(), load);
        details.append("\n### ").append(profile.name()).append(", ").append(fleet.size()).append(" sidecars\n\n")
                .append("Requests in the idle window (").append(FleetMeasurement.format(m.idleSeconds()))
                .append(" s), by type: ").append(requests).append("\n\nBroker threads, CPU ms in the window: ");
        ThreadCpu.brokerGroups(cpuBefore, cpuAfter).entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(8)
                .forEach(e -> details.append("`").append(e.getKey()).append("` ").append(e.getValue() / 1_000_000).append("; "));
        details.append("\n\nCPU ms by role: ").append(m.cpuNanos().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue() / 1_000_000).toList())
                .append("; process ").append((processAfter - processBefore) / 1_000_000).append("\n\nPropagation, ms, ")
                .append(m.latenciesNanos().size()).append(" pairs (").append(m.missing()).append(" missing): ");
        for (double q : new double[] {0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0}) {
            details.append("p").append(FleetMeasurement.format(q * 100)).append(" ")
                    .append(FleetMeasurement.format(m.latencyMillis(q))).append("; ");
        }
        details.append("\n");
        progress(line(m));
        return m;
    }

    /** What the sidecars of a configuration are given, as the loader read it for the first of them. */
    private void describe(FleetProfile profile) {
        var config = profile.sidecar(profile.name() + "-probe", kafka.bootstrapServers(), TOPIC, STATUS_TOPIC,
                dir.resolve("probe"));
        Object fetchWait = config.kafka().consumer().getOrDefault(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "not set (the feed's default)");
        String text = profile.name() + ": settings " + profile.settings() + "; fetch.max.wait.ms " + fetchWait
                + ", fleet.statusInterval " + config.fleet().statusInterval() + ", revocation.maxStaleness "
                + config.revocation().maxStaleness() + ", revocation.endCheckInterval "
                + config.revocation().endCheckInterval() + ", revocation.partitionCheckInterval "
                + config.revocation().partitionCheckInterval();
        details.append("\n").append(text).append("\n");
        progress(text);
    }

    /** Incremental fetch sessions the brokers hold (their FetchSessionCache gauge). */
    private static long fetchSessions() {
        try {
            var server = ManagementFactory.getPlatformMBeanServer();
            long total = 0;
            for (ObjectName n : server.queryNames(
                    new ObjectName("kafka.server:type=FetchSessionCache,name=NumIncrementalFetchSessions,*"), null)) {
                total += ((Number) server.getAttribute(n, "Value")).longValue();
            }
            return total;
        } catch (JMException e) {
            return -1;
        }
    }

    private String report(List<FleetMeasurement> results, Instant started, Instant ended) {
        StringBuilder out = new StringBuilder();
        out.append("Fleet scale: ").append(options.brokers()).append(" broker(s), ").append(options.partitions())
                .append(" revocation partitions, status reporting ").append(options.status() ? "on" : "off")
                .append("; warm-up ").append(options.warmup().toSeconds()).append(" s, idle window ")
                .append(options.idle().toSeconds()).append(" s, ").append(options.events()).append(" revocations every ")
                .append(options.pace().toMillis()).append(" ms; ").append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs; ").append(started).append(" to ").append(ended).append("\n\n");
        out.append("Per sidecar at rest, from the brokers' request metrics (requests/s):\n\n");
        out.append("| config | sidecars | Fetch | ListOffsets | Produce | Metadata | DescribeTopicPartitions "
                + "| DescribeCluster | other | total | cluster total | broker CPU ms/s, all | broker CPU ms/s above empty "
                + "| client CPU ms/s | process CPU ms/s "
                + "| connections | fetch sessions | propagation p50 / p99 / max ms | load avg |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
        for (FleetMeasurement m : results) {
            out.append(line(m)).append("\n");
        }
        out.append("\nRequests: counted by the brokers over the idle window, per second and per sidecar; Fetch is consumer "
                + "fetches (FetchConsumer); other is every other client request; what the brokers and their controller "
                + "send each other (" + String.join(", ", FleetMeasurement.CLUSTER_INTERNAL.stream().sorted().toList())
                + ") is left out. Broker CPU, all: CPU time of the broker's threads over the idle window, per second; above "
                + "empty: less what they spent with no sidecar (" + FleetMeasurement.format(emptyBrokerCpu) + " ms/s, "
                + "measured first), per sidecar. Client CPU: the sidecars' threads, per second and per sidecar; process CPU: the whole JVM (garbage collection and RocksDB's "
                + "native threads included), per second, all sidecars together. Connections: held by the brokers on the "
                + "client listener at the end of the window, less those held before the configuration's first sidecar "
                + "started, per sidecar. Propagation: publish to applied, every (sidecar, revocation) pair.\n");
        return out.toString();
    }

    private static String line(FleetMeasurement m) {
        String propagation = FleetMeasurement.format(m.latencyMillis(0.5)) + " / "
                + FleetMeasurement.format(m.latencyMillis(0.99)) + " / " + FleetMeasurement.format(m.latencyMillis(1.0))
                + (m.missing() > 0 ? " (" + m.missing() + " missing)" : "");
        return "| " + m.profile() + " | " + m.sidecars() + " | " + FleetMeasurement.format(m.fetchRate())
                + " | " + FleetMeasurement.format(m.rate("ListOffsets")) + " | " + FleetMeasurement.format(m.rate("Produce"))
                + " | " + FleetMeasurement.format(m.rate("Metadata"))
                + " | " + FleetMeasurement.format(m.rate("DescribeTopicPartitions"))
                + " | " + FleetMeasurement.format(m.rate("DescribeCluster"))
                + " | " + FleetMeasurement.format(m.otherRate()) + " | " + FleetMeasurement.format(m.totalRate())
                + " | " + FleetMeasurement.format(m.totalRate() * m.sidecars())
                + " | " + FleetMeasurement.format(m.brokerCpuMillisPerSecond())
                + " | " + FleetMeasurement.format(m.brokerCpuAboveEmptyPerSidecar())
                + " | " + FleetMeasurement.format(m.cpuMillisPerSecond(ThreadCpu.Role.CLIENT))
                + " | " + FleetMeasurement.format(m.processCpuMillisPerSecond())
                + " | " + FleetMeasurement.format(m.connectionsPerSidecar()) + " | " + m.fetchSessions()
                + " | " + propagation + " | " + FleetMeasurement.format(m.loadAverage()) + " |";
    }

    private static void progress(String text) {
        System.err.println(Instant.now() + " " + text);
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
