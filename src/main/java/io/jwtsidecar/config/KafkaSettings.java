package io.jwtsidecar.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The passthrough Kafka settings ({@code kafka.consumer.*}, {@code kafka.producer.*}) that would
 * break the feed's guarantees, refused at load with the reason. Everything else passes through
 * untouched. One table, so the loader, the tests and docs/CONFIG.md agree.
 */
public final class KafkaSettings {

    /**
     * A refused setting.
     *
     * @param section  {@code kafka.consumer} or {@code kafka.producer}
     * @param name     the Kafka setting
     * @param allowed  which values may be given (the value the sidecar uses among them)
     * @param why      what another value would break
     */
    public record Refusal(String section, String name, Predicate<String> allowed, String allowedText, String why) {
    }

    private static final Predicate<String> NEVER = v -> false;
    /**
     * The longest fetch hold allowed: twice the sidecar's 10 s (docs/SCALE.md, "Ways down", step 1),
     * well below the consumer's default request.timeout.ms, within which a held fetch must return.
     */
    private static final int MAX_FETCH_WAIT_MILLIS = 20_000;
    /**
     * How long a broker holds an idle fetch of the sidecar's consumers when fetch.max.wait.ms is
     * unset, not Kafka's 500 ms (docs/SCALE.md, "Ways down", step 1); the feed's consumers use it.
     */
    public static final int SIDECAR_FETCH_MAX_WAIT_MILLIS = 10_000;
    /** The consumer's own default of request.timeout.ms. */
    private static final int DEFAULT_REQUEST_TIMEOUT_MILLIS = 30_000;

    /** Every refused setting; docs/CONFIG.md lists the same. */
    public static final List<Refusal> REFUSED = List.of(
            new Refusal("kafka.consumer", "auto.offset.reset", is("earliest"), "earliest",
                    "any other reset skips revocations published before the sidecar first read a partition"),
            new Refusal("kafka.consumer", "isolation.level", is("read_committed"), "read_committed",
                    "read_uncommitted applies records of transactions that were later aborted"),
            new Refusal("kafka.consumer", "enable.auto.commit", is("false"), "false",
                    "the feed keeps its offsets in its store, in the same write as the rules"),
            new Refusal("kafka.consumer", "group.id", NEVER, "(not settable)",
                    "every sidecar reads every partition itself; a consumer group would split them"),
            new Refusal("kafka.consumer", "allow.auto.create.topics", is("false"), "false",
                    "reading would create a missing topic with the broker's defaults instead of waiting for it"),
            new Refusal("kafka.consumer", "check.crcs", is("true"), "true",
                    "corrupted records would be read as events"),
            new Refusal("kafka.consumer", "fetch.min.bytes", is("1"), "1",
                    "a broker holds a fetch until that much is there, so a lone revocation would wait up to fetch.max.wait.ms"),
            new Refusal("kafka.consumer", "fetch.max.wait.ms", v -> between(v, 0, MAX_FETCH_WAIT_MILLIS), "0 to 20000",
                    "a held fetch must come back well within request.timeout.ms (30000 by default); a longer hold saves "
                    + "the brokers little more"),
            new Refusal("kafka.consumer", "key.deserializer", NEVER, "(not settable)", "records are read as raw bytes"),
            new Refusal("kafka.consumer", "value.deserializer", NEVER, "(not settable)", "records are read as raw bytes"),
            new Refusal("kafka.producer", "acks", v -> v.equals("all") || v.equals("-1"), "all",
                    "an acknowledged revocation must be on every in-sync replica"),
            new Refusal("kafka.producer", "enable.idempotence", is("true"), "true",
                    "retries could duplicate or reorder the events of one rule"),
            new Refusal("kafka.producer", "transactional.id", NEVER, "(not settable)",
                    "the publisher is not transactional; its sends would fail"),
            new Refusal("kafka.producer", "partitioner.class", NEVER, "(not settable)",
                    "the events of one rule must land on one partition, in order (the default partitioner hashes the rule key)"),
            new Refusal("kafka.producer", "partitioner.ignore.keys", is("false"), "false",
                    "the events of one rule must land on one partition, in order"),
            new Refusal("kafka.producer", "retries", v -> isPositive(v), "a positive number",
                    "an acknowledged revocation must survive a leader change"),
            new Refusal("kafka.producer", "max.in.flight.requests.per.connection", v -> between(v, 1, 5), "1 to 5",
                    "more breaks the ordering that idempotence guarantees"),
            new Refusal("kafka.producer", "key.serializer", NEVER, "(not settable)", "records are written as raw bytes"),
            new Refusal("kafka.producer", "value.serializer", NEVER, "(not settable)", "records are written as raw bytes"));

    private KafkaSettings() {
    }

    /** One message per refused setting found, naming the key, the value and why. */
    public static List<String> problems(Map<String, String> consumer, Map<String, String> producer) {
        List<String> problems = new ArrayList<>();
        for (Refusal r : REFUSED) {
            Map<String, String> section = r.section().equals("kafka.consumer") ? consumer : producer;
            String value = section.get(r.name());
            if (value != null && !r.allowed().test(value.strip().toLowerCase(Locale.ROOT))) {
                problems.add(r.section() + "." + r.name() + ": '" + value + "' is not allowed ("
                        + (r.allowed() == NEVER ? "the sidecar sets it" : "allowed: " + r.allowedText()) + "): " + r.why());
            }
        }
        fetchWaitBelowRequestTimeout(consumer).ifPresent(problems::add);
        return problems;
    }

    /**
     * A held fetch that is not answered within request.timeout.ms counts as failed: the consumer
     * drops the connection and fetches again, every time the topic is quiet.
     */
    private static Optional<String> fetchWaitBelowRequestTimeout(Map<String, String> consumer) {
        String given = consumer.get("fetch.max.wait.ms");
        String timeout = consumer.get("request.timeout.ms");
        if (given != null && !between(given.strip(), 0, MAX_FETCH_WAIT_MILLIS)) {
            return Optional.empty(); // refused above
        }
        String wait = given == null ? String.valueOf(SIDECAR_FETCH_MAX_WAIT_MILLIS) : given;
        int timeoutMillis;
        try {
            timeoutMillis = timeout == null ? DEFAULT_REQUEST_TIMEOUT_MILLIS : Integer.parseInt(timeout.strip());
        } catch (NumberFormatException e) {
            return Optional.empty(); // the consumer refuses it itself, naming it
        }
        if (Integer.parseInt(wait.strip()) < timeoutMillis) {
            return Optional.empty();
        }
        if (given == null) {
            return Optional.of("kafka.consumer.request.timeout.ms: '" + timeout + "' is not allowed (allowed: above "
                    + "kafka.consumer.fetch.max.wait.ms, " + wait + " unless set): a fetch held that long times out "
                    + "whenever the topic is quiet");
        }
        return Optional.of("kafka.consumer.fetch.max.wait.ms: '" + wait + "' is not allowed (allowed: below "
                + "kafka.consumer.request.timeout.ms, " + timeoutMillis + "): a fetch held that long times out "
                + "whenever the topic is quiet");
    }

    private static Predicate<String> is(String expected) {
        return expected::equals;
    }

    private static boolean isPositive(String v) {
        try {
            return Long.parseLong(v) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean between(String v, int min, int max) {
        try {
            int n = Integer.parseInt(v);
            return n >= min && n <= max;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
