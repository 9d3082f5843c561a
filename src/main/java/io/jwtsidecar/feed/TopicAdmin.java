package io.jwtsidecar.feed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;

/**
 * Creates and checks the two topics the sidecar needs, so their settings cannot silently lose
 * live revocation rules:
 * <ul>
 *   <li>the revocation topic: {@code cleanup.policy=compact,delete} (latest event per rule, old
 *       ones dropped); {@code retention.ms} at least twice the longest token lifetime of any issuer
 *       (the admin plane asserts a rule again half a lifetime after its newest record when the rule
 *       would outlive it; shorter, and a sidecar that rebuilds from the topic misses rules);
 *       {@code min.compaction.lag.ms} of an hour, so a record that changed nothing (a replay, a
 *       forgery) cannot make compaction drop a rule's good record before the admin plane says the
 *       rule again; {@code message.timestamp.type=LogAppendTime}, so retention counts from when the
 *       broker took a record, not from a time its writer chose;</li>
 *   <li>the status topic: {@code cleanup.policy=compact} (latest report per sidecar) and
 *       {@code message.timestamp.type=LogAppendTime}: each record carries the broker's clock
 *       at append, which no client can set, and {@link FleetView} judges a sidecar's silence by
 *       it (with producer timestamps it must trust the report's own time, within a small skew).</li>
 * </ul>
 * Owns an Admin client for the duration of one call sequence; {@link #close()} releases it.
 */
public final class TopicAdmin implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String TIMESTAMP_TYPE = "message.timestamp.type";
    private static final String LOG_APPEND_TIME = "LogAppendTime";
    private static final String COMPACTION_LAG = "min.compaction.lag.ms";
    /** Longer than the admin plane's re-assertion pass (revocation.sweepInterval, 10 min by default). */
    static final Duration MIN_COMPACTION_LAG = Duration.ofHours(1);

    private final Admin admin;

    public TopicAdmin(Map<String, Object> adminConfig) {
        this.admin = Admin.create(adminConfig);
    }

    /**
     * Whether a broker answers within {@code timeout}: the cluster's id, or an
     * IllegalStateException naming the addresses tried and the last reason, so that a command
     * says "cannot reach" in one sentence instead of timing out in every later call.
     */
    public String clusterId(String bootstrapServers, Duration timeout) {
        try {
            return admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reaching Kafka at " + bootstrapServers, e);
        } catch (TimeoutException e) {
            throw notWithin(bootstrapServers, timeout, e);
        } catch (ExecutionException e) {
            // The client's own deadline (default.api.timeout.ms, set to the same timeout) may pass first.
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw notWithin(bootstrapServers, timeout, e);
            }
            throw new IllegalStateException("cannot reach Kafka at " + bootstrapServers + ": "
                    + causeMessage(e) + "; check kafka.bootstrapServers and the kafka.consumer security settings", e);
        }
    }

    private static IllegalStateException notWithin(String bootstrapServers, Duration timeout, Exception cause) {
        return new IllegalStateException("cannot reach Kafka at " + bootstrapServers + " within " + timeout.toSeconds()
                + " s: check kafka.bootstrapServers, that the brokers are up, and the kafka.consumer security settings",
                cause);
    }

    /** What to create. */
    public record Plan(String topic, String statusTopic, int partitions, short replicationFactor, Duration retention,
                       int minInsyncReplicas) {
    }

    /** Creates both topics; an existing topic is left as it is (and reported). Returns one line per topic. */
    public List<String> create(Plan plan) {
        List<String> report = new ArrayList<>();
        Map<String, String> revocation = new HashMap<>();
        revocation.put("cleanup.policy", "compact,delete");
        revocation.put("retention.ms", String.valueOf(plan.retention().toMillis()));
        revocation.put("min.insync.replicas", String.valueOf(plan.minInsyncReplicas()));
        revocation.put(COMPACTION_LAG, String.valueOf(MIN_COMPACTION_LAG.toMillis()));
        revocation.put(TIMESTAMP_TYPE, LOG_APPEND_TIME);
        report.add(createOne(new NewTopic(plan.topic(), plan.partitions(), plan.replicationFactor()).configs(revocation)));
        report.add(createOne(new NewTopic(plan.statusTopic(), 1, plan.replicationFactor())
                .configs(Map.of("cleanup.policy", "compact", TIMESTAMP_TYPE, LOG_APPEND_TIME))));
        return report;
    }

    private String createOne(NewTopic topic) {
        try {
            admin.createTopics(List.of(topic)).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return "created " + topic.name() + " " + topic.configs();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return "exists " + topic.name() + " (left unchanged; run 'topic check')";
            }
            throw new IllegalStateException("Error creating topic " + topic.name() + ": " + causeMessage(e), e);
        } catch (InterruptedException | TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Error creating topic " + topic.name() + ": " + e, e);
        }
    }

    /**
     * Problems with the topics' settings, each a sentence naming the topic, the setting and the
     * fix; empty when both are fine.
     *
     * @param longestTokenLifetime the longest maxTokenLifetime of any issuer
     */
    public List<String> check(String topic, String statusTopic, Duration longestTokenLifetime) {
        List<String> problems = new ArrayList<>();
        Map<String, String> rev = configOf(topic, problems);
        if (rev != null) {
            Set<String> policy = Set.of(rev.getOrDefault("cleanup.policy", "delete").replace(" ", "").split(","));
            if (!policy.contains("compact")) {
                problems.add(topic + ": cleanup.policy=" + rev.get("cleanup.policy")
                        + " keeps every event forever or drops rules by age alone; set compact,delete");
            }
            long retention = Long.parseLong(rev.getOrDefault("retention.ms", "604800000"));
            if (policy.contains("delete") && retention >= 0 && retention < 2 * longestTokenLifetime.toMillis()) {
                problems.add(topic + ": retention.ms=" + retention + " is shorter than twice the longest token lifetime ("
                        + 2 * longestTokenLifetime.toMillis() + " ms): a sidecar rebuilding from the topic could miss "
                        + "rules for tokens still valid");
            }
            long lag = Long.parseLong(rev.getOrDefault(COMPACTION_LAG, "0"));
            if (policy.contains("compact") && lag < MIN_COMPACTION_LAG.toMillis()) {
                problems.add(topic + ": " + COMPACTION_LAG + "=" + lag + " lets compaction drop a rule's record as soon as "
                        + "a later record of the rule (a replay, a forgery) exists, before the admin sidecars say the rule "
                        + "again; set " + MIN_COMPACTION_LAG.toMillis());
            }
            if (!LOG_APPEND_TIME.equals(rev.get(TIMESTAMP_TYPE))) {
                problems.add(topic + ": " + TIMESTAMP_TYPE + "=" + rev.get(TIMESTAMP_TYPE) + " lets each "
                        + "writer choose its records' times, which decide how long retention keeps a record and how far "
                        + "ahead an event may be dated; set " + LOG_APPEND_TIME);
            }
            describe(topic).ifPresent(d -> {
                int rf = d.partitions().get(0).replicas().size();
                int minIsr = Integer.parseInt(rev.getOrDefault("min.insync.replicas", "1"));
                if (rf >= 3 && minIsr < 2) {
                    problems.add(topic + ": min.insync.replicas=" + minIsr + " with replication factor " + rf
                            + ": an acknowledged revocation could live on one broker only; set 2");
                }
            });
        }
        Map<String, String> status = configOf(statusTopic, problems);
        if (status != null && !status.getOrDefault("cleanup.policy", "delete").contains("compact")) {
            problems.add(statusTopic + ": cleanup.policy=" + status.get("cleanup.policy")
                    + " should be compact (one latest report per sidecar)");
        }
        if (status != null && !LOG_APPEND_TIME.equals(status.get(TIMESTAMP_TYPE))) {
            problems.add(statusTopic + ": " + TIMESTAMP_TYPE + "=" + status.get(TIMESTAMP_TYPE)
                    + " lets each sidecar's clock say how fresh its report is; set " + LOG_APPEND_TIME
                    + " so fleet receipts judge silence by the broker's clock");
        }
        return problems;
    }

    private Optional<TopicDescription> describe(String topic) {
        try {
            return Optional.ofNullable(admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(topic));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private @Nullable Map<String, String> configOf(String topic, List<String> problems) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config config = Objects.requireNonNull(admin.describeConfigs(List.of(resource)).all()
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(resource), topic);
            Map<String, String> values = new HashMap<>();
            for (ConfigEntry e : config.entries()) {
                values.put(e.name(), e.value());
            }
            return values;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                problems.add(topic + ": does not exist; create it with 'jwt-sidecar topic create'");
            } else {
                problems.add(topic + ": cannot read its settings: " + causeMessage(e));
            }
            return null;
        } catch (InterruptedException | TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            problems.add(topic + ": cannot read its settings: " + e);
            return null;
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }

    /** The message of the broker's answer inside a failed call. */
    private static String causeMessage(ExecutionException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
