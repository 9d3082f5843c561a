package io.jwtsidecar.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this JVM's threads, attributed by thread name. Sidecar threads have names of their
 * own ({@link #CLIENT_PREFIXES}: the feed and status loops, and the admin client's and producer's
 * network threads, whose names end in the sidecar's client id); the harness names its publisher
 * and the cluster's admin client; the JVM's compiler and service threads are known by name.
 * Every other thread belongs to the brokers (network and request handler threads, purgatory
 * reapers, the controller, the log manager). Garbage collection runs on native threads, which
 * are not Java threads and not counted here: the process CPU shows it.
 */
final class ThreadCpu {
    /** Who a thread works for. */
    enum Role { CLIENT, BROKER, HARNESS, JVM }

    static final List<String> CLIENT_PREFIXES = List.of("revocation-feed-", "status-reporter-",
            "kafka-admin-client-thread | jwt-sidecar-", "kafka-producer-network-thread | jwt-sidecar-");
    private static final List<String> HARNESS_PREFIXES = List.of("main", "kafka-producer-network-thread | fleet-bench",
            "kafka-admin-client-thread | adminclient-");
    private static final List<String> JVM_PREFIXES = List.of("C1 CompilerThread", "C2 CompilerThread",
            "Reference Handler", "Finalizer", "Signal Dispatcher", "Common-Cleaner", "Notification Thread",
            "Attach Listener", "process reaper");

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    /** CPU nanoseconds per live thread id, with its name. */
    record Snapshot(Map<Long, Long> cpuNanos, Map<Long, String> names) {
    }

    Snapshot snapshot() {
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long nanos = threads.getThreadCpuTime(info.getThreadId());
            if (nanos >= 0) {
                cpu.put(info.getThreadId(), nanos);
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
        return new Snapshot(cpu, names);
    }

    /**
     * CPU nanoseconds spent between two snapshots, per role. A thread that started in between
     * counts from zero; one that ended in between is lost (none should in an idle window).
     */
    static Map<Role, Long> byRole(Snapshot before, Snapshot after) {
        Map<Role, Long> result = new EnumMap<>(Role.class);
        for (Role r : Role.values()) {
            result.put(r, 0L);
        }
        after.cpuNanos().forEach((id, nanos) ->
                result.merge(roleOf(after.names().get(id)), nanos - before.cpuNanos().getOrDefault(id, 0L), Long::sum));
        return result;
    }

    /**
     * CPU nanoseconds of broker threads between two snapshots, per thread name with its digits
     * taken out (so that eight request handler threads make one line), largest first.
     */
    static Map<String, Long> brokerGroups(Snapshot before, Snapshot after) {
        Map<String, Long> groups = new TreeMap<>();
        after.cpuNanos().forEach((id, nanos) -> {
            String name = after.names().get(id);
            if (roleOf(name) == Role.BROKER) {
                groups.merge(name.replaceAll("[0-9]+", "#"), nanos - before.cpuNanos().getOrDefault(id, 0L), Long::sum);
            }
        });
        return groups;
    }

    static Role roleOf(String name) {
        if (CLIENT_PREFIXES.stream().anyMatch(name::startsWith)) {
            return Role.CLIENT;
        }
        if (HARNESS_PREFIXES.stream().anyMatch(name::startsWith)) {
            return Role.HARNESS;
        }
        if (JVM_PREFIXES.stream().anyMatch(name::startsWith)) {
            return Role.JVM;
        }
        return Role.BROKER;
    }
}
