package io.jwtsidecar.bench;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The brokers' own count of requests received, per request type: the cumulative {@code Count}
 * of {@code kafka.network:type=RequestMetrics,name=RequestsPerSec,request=<type>,version=<v>},
 * summed over versions. The brokers run in this JVM and register these meters in one registry,
 * so with several brokers the count is the cluster's. The broker counts a consumer's fetch both
 * as {@code Fetch} and as {@code FetchConsumer}, a replica's as {@code Fetch} and
 * {@code FetchFollower}.
 */
final class BrokerRequests {
    private static final String PATTERN = "kafka.network:type=RequestMetrics,name=RequestsPerSec,*";

    private BrokerRequests() {
    }

    /** Requests received so far by type. */
    static Map<String, Long> counts() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, Long> counts = new TreeMap<>();
        try {
            for (ObjectName name : server.queryNames(new ObjectName(PATTERN), null)) {
                String type = name.getKeyProperty("request");
                if (type == null) {
                    continue;
                }
                long count = ((Number) server.getAttribute(name, "Count")).longValue();
                counts.merge(type, count, Long::sum);
            }
        } catch (JMException e) {
            throw new IllegalStateException("cannot read the brokers' request metrics", e);
        }
        return counts;
    }

    /** {@code after} minus {@code before}, per type; types that did not move are left out. */
    static Map<String, Long> difference(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> diff = new TreeMap<>();
        after.forEach((type, count) -> {
            long d = count - before.getOrDefault(type, 0L);
            if (d != 0) {
                diff.put(type, d);
            }
        });
        return diff;
    }
}
