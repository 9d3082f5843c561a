package io.jwtsidecar.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What one fleet size in one configuration measured: requests the brokers received per type over
 * the idle window, CPU of broker and sidecar threads over the same window, connections the
 * brokers held at its end, and the propagation of the paced revocations that followed it.
 */
record FleetMeasurement(String profile, int sidecars, double idleSeconds, Map<String, Long> requests,
                        Map<ThreadCpu.Role, Long> cpuNanos, long processCpuNanos, long connections,
                        long baselineConnections, double emptyBrokerCpuMillisPerSecond, long fetchSessions,
                        List<Long> latenciesNanos, int missing, double loadAverage) {
    /** The request types the model names; the rest count as other. */
    static final List<String> NAMED = List.of("ListOffsets", "Produce", "Metadata", "DescribeTopicPartitions",
            "DescribeCluster");
    /** A consumer's fetch is counted twice by the broker, as Fetch and as FetchConsumer. */
    private static final Set<String> FETCH = Set.of("Fetch", "FetchConsumer");
    /**
     * What the brokers and their controller send each other, whatever the fleet's size: no
     * sidecar's. Listed in the details, left out of the per-sidecar figures.
     */
    static final Set<String> CLUSTER_INTERNAL = Set.of("BrokerHeartbeat", "BrokerRegistration", "FetchFollower",
            "Vote", "BeginQuorumEpoch", "EndQuorumEpoch", "DescribeQuorum", "FetchSnapshot", "ControllerRegistration",
            "AlterPartition", "UpdateRaftVoter", "AddRaftVoter", "RemoveRaftVoter");

    FleetMeasurement {
        List<Long> sorted = new ArrayList<>(latenciesNanos);
        Collections.sort(sorted);
        latenciesNanos = List.copyOf(sorted);
        requests = Map.copyOf(requests);
        cpuNanos = Map.copyOf(cpuNanos);
    }

    /** Consumer fetches a second, per sidecar. */
    double fetchRate() {
        long fetches = requests.containsKey("FetchConsumer") ? requests.get("FetchConsumer")
                : requests.getOrDefault("Fetch", 0L);
        return perSidecar(fetches);
    }

    double rate(String type) {
        return perSidecar(requests.getOrDefault(type, 0L));
    }

    /** Every other request type from a client (ApiVersions, InitProducerId …). */
    double otherRate() {
        long other = 0;
        for (Map.Entry<String, Long> e : requests.entrySet()) {
            if (!FETCH.contains(e.getKey()) && !NAMED.contains(e.getKey()) && !CLUSTER_INTERNAL.contains(e.getKey())) {
                other += e.getValue();
            }
        }
        return perSidecar(other);
    }

    double totalRate() {
        double total = fetchRate() + otherRate();
        for (String type : NAMED) {
            total += rate(type);
        }
        return total;
    }

    /** Milliseconds of CPU per second of the window, per sidecar. */
    double cpuMillisPerSecond(ThreadCpu.Role role) {
        return cpuNanos.getOrDefault(role, 0L) / 1e6 / idleSeconds / sidecars;
    }

    /** The broker threads' CPU, milliseconds per second, all sidecars together. */
    double brokerCpuMillisPerSecond() {
        return cpuNanos.getOrDefault(ThreadCpu.Role.BROKER, 0L) / 1e6 / idleSeconds;
    }

    /**
     * The broker threads' CPU above what the same brokers spend with no sidecar at all (their
     * controller, metrics and housekeeping), per sidecar: what one more sidecar costs them.
     */
    double brokerCpuAboveEmptyPerSidecar() {
        return (brokerCpuMillisPerSecond() - emptyBrokerCpuMillisPerSecond) / sidecars;
    }

    /** The whole process's CPU (garbage collection included), milliseconds per second, all sidecars together. */
    double processCpuMillisPerSecond() {
        return processCpuNanos / 1e6 / idleSeconds;
    }

    /** Connections beyond those the harness itself held before the fleet started, per sidecar. */
    double connectionsPerSidecar() {
        return (double) (connections - baselineConnections) / sidecars;
    }

    /** The latency at quantile {@code q} in milliseconds (nearest rank), or NaN with none. */
    double latencyMillis(double q) {
        if (latenciesNanos.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * latenciesNanos.size());
        return latenciesNanos.get(Math.max(0, Math.min(latenciesNanos.size(), rank) - 1)) / 1e6;
    }

    private double perSidecar(long count) {
        return count / idleSeconds / sidecars;
    }

    static String format(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        return String.format(Locale.ROOT, value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f", value);
    }
}
