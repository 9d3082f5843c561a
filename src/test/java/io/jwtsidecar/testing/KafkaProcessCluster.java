package io.jwtsidecar.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka cluster of {@code n} KRaft nodes, each its own operating-system process (Kafka's
 * own {@code kafka.Kafka} main on this JVM's class path, combined controller and broker), so that
 * one node can be killed with SIGKILL: no controlled shutdown, no leadership handed over, its
 * sockets reset by the kernel, and nodes can be frozen with SIGSTOP (and thawed with SIGCONT), so
 * that they neither fetch nor answer for a while. The in-JVM {@code EmbeddedKafkaCluster} can only
 * stop a broker politely.
 *
 * <p>Every node is a voter of the controller quorum, so three nodes survive the loss of one.
 * Loopback only, free ports, small heaps; each node's output goes to {@code node-<id>.log} in the
 * cluster's directory. Owns its processes and its admin client: {@link #close()} thaws every
 * frozen node and kills every process that is still running, also after a failed start.
 */
public final class KafkaProcessCluster implements AutoCloseable {
    /** The listener clients and the brokers among themselves use. */
    private static final String CLIENT_LISTENER = "EXTERNAL";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final Map<Integer, Path> configs = new LinkedHashMap<>();
    private final Map<Integer, Process> processes = new LinkedHashMap<>();
    /** Nodes sent SIGSTOP and not yet SIGCONT. */
    private final Set<Integer> paused = new LinkedHashSet<>();
    private final String bootstrapServers;
    private Admin admin;

    private KafkaProcessCluster(Path dir, String bootstrapServers) {
        this.dir = dir;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Formats and starts {@code nodes} nodes (ids 1…n) under {@code dir} and waits until every
     * broker is registered.
     *
     * @throws IllegalStateException when a node does not come up in time (its log is named)
     */
    public static KafkaProcessCluster start(int nodes, Path dir) throws Exception {
        Files.createDirectories(dir);
        List<Integer> clientPorts = new ArrayList<>();
        List<Integer> controllerPorts = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            clientPorts.add(freePort());
            controllerPorts.add(freePort());
        }
        String voters = IntStream.range(0, nodes)
                .mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts.get(i)).collect(Collectors.joining(","));
        String bootstrap = clientPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        KafkaProcessCluster cluster = new KafkaProcessCluster(dir, bootstrap);
        try {
            for (int i = 0; i < nodes; i++) {
                int id = i + 1;
                cluster.configs.put(id, cluster.writeConfig(id, voters, clientPorts.get(i), controllerPorts.get(i), nodes));
            }
            cluster.format(Uuid.randomUuid().toString());
            for (int id : cluster.configs.keySet()) {
                cluster.processes.put(id, cluster.java("node-" + id + ".log", "kafka.Kafka",
                        cluster.configs.get(id).toString()));
            }
            cluster.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
            cluster.awaitBrokers(nodes);
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private Path writeConfig(int id, String voters, int clientPort, int controllerPort, int nodes) throws IOException {
        int rf = Math.min(3, nodes);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(id));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", CLIENT_LISTENER + "://127.0.0.1:" + clientPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", CLIENT_LISTENER + "://127.0.0.1:" + clientPort);
        p.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("log.dirs", dir.resolve("node-" + id).toString());
        p.put("offsets.topic.replication.factor", String.valueOf(rf));
        p.put("transaction.state.log.replication.factor", String.valueOf(rf));
        p.put("transaction.state.log.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // A replica that missed acknowledged writes must never become leader: that would lose them.
        p.put("unclean.leader.election.enable", "false");
        // Two cores shared by three nodes and the test: few threads each.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.cleaner.threads", "1");
        // The cleaner allocates its whole dedupe buffer (128 MiB by default) at start: too much for a 256 MiB heap.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
        // Notice a killed node within seconds, not the default 9 s and 30 s.
        p.put("broker.session.timeout.ms", "4000");
        p.put("broker.heartbeat.interval.ms", "500");
        // A follower leaves the ISR after lagging this long. Freezing a follower for less keeps it in
        // the ISR, eligible to lead without an unclean election; BrokerFailoverIT freezes them for 2 s.
        p.put("replica.lag.time.max.ms", "5000");
        Path file = dir.resolve("node-" + id + ".properties");
        Files.writeString(file, p.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "", "\n")));
        return file;
    }

    /** Formats every node's storage with Kafka's own tool, as an operator would ({@code kafka-storage format}). */
    private void format(String clusterId) throws Exception {
        List<Process> formats = new ArrayList<>();
        for (Map.Entry<Integer, Path> node : configs.entrySet()) {
            formats.add(java("format-" + node.getKey() + ".log", "kafka.tools.StorageTool", "format",
                    "-t", clusterId, "-c", node.getValue().toString()));
        }
        try {
            for (int i = 0; i < formats.size(); i++) {
                Process f = formats.get(i);
                if (!f.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || f.exitValue() != 0) {
                    throw new IllegalStateException("formatting node " + (i + 1) + " failed: "
                            + tail("format-" + (i + 1) + ".log"));
                }
            }
        } finally {
            formats.forEach(Process::destroyForcibly);
        }
    }

    private Process java(String log, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                // Surefire and Failsafe put the test class path here (Kafka's server classes are on it).
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(log).toFile())).start();
    }

    private void awaitBrokers(int nodes) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            processes.forEach((id, p) -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException("node " + id + " exited with " + p.exitValue() + ": "
                            + tail("node-" + id + ".log"));
                }
            });
            try {
                if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == nodes) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                // Not up yet: keep waiting until the deadline.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the cluster did not come up within " + START_TIMEOUT.toSeconds()
                        + " s; node 1: " + tail("node-1.log"));
            }
            Thread.sleep(200);
        }
    }

    private String tail(String log) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(log));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** An admin client settings map for this cluster (e.g. for the production topic tool). */
    public Map<String, Object> adminConfig() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }

    /** The id of the node leading a partition now. */
    public int leaderOf(String topic, int partition) throws Exception {
        return partition(topic, partition).leader().id();
    }

    /** The ids of the nodes holding a replica of a partition (its leader among them). */
    public List<Integer> replicasOf(String topic, int partition) throws Exception {
        return partition(topic, partition).replicas().stream().map(Node::id).toList();
    }

    /** The ids of the partition's in-sync replicas now. */
    public List<Integer> inSyncReplicasOf(String topic, int partition) throws Exception {
        return partition(topic, partition).isr().stream().map(Node::id).toList();
    }

    private TopicPartitionInfo partition(String topic, int partition) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().get(partition);
    }

    /**
     * Freezes node {@code id} with SIGSTOP and waits until the kernel reports it stopped: its
     * sockets stay open, but it fetches, answers and heartbeats no more until {@link #resume}.
     */
    public void pause(int id) throws Exception {
        signal(id, "STOP");
        paused.add(id);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!stopped(processes.get(id).pid())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + id + " did not stop");
            }
            Thread.sleep(1);
        }
    }

    /** Thaws node {@code id} (SIGCONT) after {@link #pause}. */
    public void resume(int id) throws Exception {
        signal(id, "CONT");
        paused.remove(id);
    }

    private void signal(int id, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(processes.get(id).pid()))
                .redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new IllegalStateException("kill -" + signal + " of node " + id + " failed");
        }
    }

    /** Whether a process is stopped by a signal: state T in {@code /proc/<pid>/stat} (Linux). */
    private static boolean stopped(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        // The state follows the command name, which is in parentheses and may itself hold spaces.
        return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
    }

    /**
     * Kills node {@code id} with SIGKILL ({@link Process#destroyForcibly()} on Linux) and waits
     * until the process is gone.
     */
    public void kill(int id) throws InterruptedException {
        Process p = processes.get(id);
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("node " + id + " did not die");
        }
    }

    /** The exit status of a node that is gone (137 after SIGKILL). */
    public int exitValue(int id) {
        return processes.get(id).exitValue();
    }

    @Override
    public void close() {
        // The admin client first: it would otherwise retry against nodes that are going away.
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
        // Thawed first, so that no node stays stopped should killing it fail.
        for (int id : List.copyOf(paused)) {
            try {
                resume(id);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // Killed below all the same: SIGKILL ends a stopped process too.
            }
        }
        for (Process p : processes.values()) {
            p.destroyForcibly();
        }
        for (Process p : processes.values()) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
