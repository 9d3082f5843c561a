package io.jwtsidecar.feed;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.jwtsidecar.logging.LogSafe;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.revocation.DeadLetter;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.EventRecord;
import io.jwtsidecar.revocation.EventSignatureCheck;
import io.jwtsidecar.revocation.RevocationStore;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.RuleMerge;
import io.jwtsidecar.revocation.StoreBatch;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.StoreException;
import io.jwtsidecar.tracing.KafkaHeaders;
import io.jwtsidecar.tracing.LogTraceIds;
import io.jwtsidecar.tracing.TraceAttributes;
import io.jwtsidecar.tracing.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of the revocation topic into the {@link RevocationStore}.
 *
 * <p>No consumer group: the consumer assigns itself all partitions, because every sidecar must
 * see every event. It resumes from the offsets stored with the rules (never from Kafka's
 * committed offsets), so a restart re-reads nothing it has applied. Partitions added to the
 * live topic are found by asking the brokers for the partition count every
 * {@code partitionCheckInterval} ({@link PartitionTracker}) and read from their beginning.
 * Freshness is measured against the log end of every partition ({@link Freshness}); until the
 * first catch-up the sidecar is not ready and verification answers {@code revocation_data_stale}.
 *
 * <p>A record that does not decode, is not keyed by its rule, or is not signed as the
 * configuration requires is a poison pill ({@link RecordReader}): logged with partition and
 * offset, dead-lettered in the same write that advances the offset, counted, and skipped. It
 * never stalls the partition and never grants or removes access. Events merge into the store
 * monotonically; one that changes nothing because it is weaker or older than what is stored is
 * counted and logged.
 *
 * <p>Threads: the Kafka consumer, the admin client that counts partitions and every store write
 * live on the feed's own thread ({@link KafkaLoop}), started by {@link #start()}. The getters are
 * safe from any thread. {@link #close()} stops the thread and waits for it.
 */
public final class RevocationFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RevocationFeed.class);
    private static final Duration POLL = Duration.ofMillis(100);
    /** The poll while the brokers owe the feed an answer ({@link PendingQuery}). */
    private static final Duration QUESTION_POLL = Duration.ofMillis(5);
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
    /** How long a new consumer waits for the positions of partitions sent to their beginning. */
    private static final Duration POSITION_WAIT = Duration.ofSeconds(2);
    private static final String CONFIG_PROVIDERS_PREFIX = AbstractConfig.CONFIG_PROVIDERS_CONFIG + ".";
    private static final long NEVER = Long.MIN_VALUE;

    private final Map<String, Object> consumerConfig;
    private final Map<String, Object> adminConfig;
    private final String topic;
    private final RevocationStore store;
    private final RecordReader reader;
    private final Tracer tracer;
    public static final String APPLY_SPAN = "revocation apply";
    private final KafkaLoop loop;
    private final LongSupplier nanoTime;
    private final Clock wallClock;
    private final SidecarMetrics metrics;
    private final Freshness freshness;
    private final PartitionTracker partitions;
    private final AtomicLong recordsConsumed = new AtomicLong();
    private final AtomicLong eventsApplied = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong signatureFailures = new AtomicLong();
    /** When the store started refusing writes without a success since, or NEVER. */
    private volatile long failingSinceNanos = NEVER;
    private final AppliedOffsets applied = new AppliedOffsets();
    /** The partition count asked for and not yet answered, if any; feed thread only. */
    private @Nullable PendingQuery<TopicDescription> partitionCount;
    /** The end offsets asked for and not yet answered, if any; feed thread only. */
    private @Nullable PendingQuery<Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo>> endOffsetQuery;
    /**
     * Set when the consumer must be replaced before the next poll; feed thread only. A broker holds a
     * fetch up to fetch.max.wait.ms when it has nothing to return, and the consumer sends nothing else
     * to that broker meanwhile: a partition it was just given, or a position it was sent back to, would
     * be read only after the hold. A new consumer has no fetch in flight and reads them at once.
     */
    private boolean renewConsumer;
    /** {@link PartitionTracker#confirmedAtNanos()} when the end offsets were asked for; feed thread only. */
    private long endOffsetsPartitionsConfirmedAt = PartitionTracker.NEVER;
    /** Where recent events landed and what they did, for fleet receipts and admin answers by event id; bounded. */
    private final Cache<String, AppliedEvent> recentEvents = Caffeine.newBuilder().maximumSize(200_000).build();
    /** Why recent records were dead-lettered, by position, for the admin API's answer; bounded. */
    private final Cache<RecordPosition, String> recentDeadLetters = Caffeine.newBuilder().maximumSize(1_000).build();
    private volatile Runnable onApplied = () -> { };

    private record RecordPosition(int partition, long offset) {
    }

    /** Where a recent event landed, and what it did here. */
    private record AppliedEvent(EventPosition position, RuleMerge.Effect effect) {
    }

    /**
     * The feed's settings besides the Kafka client's.
     *
     * @param partitionCheckInterval how often to ask for the partition count
     * @param endCheckInterval       how often to ask for the log end offsets, also when the topic is quiet
     */
    public record Settings(String topic, String sidecarId, Duration partitionCheckInterval, Duration endCheckInterval) {
    }

    /**
     * @param kafkaConfig consumer settings (bootstrap servers and any passthrough settings); the
     *                    feed adds deserializers, turns auto-commit off and reads committed data only
     * @param signatures  which publishers may sign events, and whether unsigned ones count
     * @param nanoTime    monotonic clock for freshness
     * @param wallClock   wall clock: the propagation delay, and whether an event is already expired
     */
    public RevocationFeed(Map<String, Object> kafkaConfig, Settings settings, RevocationStore store, EventCodec codec,
                          EventSignatureCheck signatures, SidecarMetrics metrics, LongSupplier nanoTime, Clock wallClock) {
        this(kafkaConfig, settings, store, codec, signatures, metrics, nanoTime, wallClock,
                OpenTelemetry.noop().getTracer(Tracing.SCOPE));
    }

    /** @param tracer makes one {@value #APPLY_SPAN} span per applied event */
    public RevocationFeed(Map<String, Object> kafkaConfig, Settings settings, RevocationStore store, EventCodec codec,
                          EventSignatureCheck signatures, SidecarMetrics metrics, LongSupplier nanoTime, Clock wallClock,
                          Tracer tracer) {
        this.tracer = tracer;
        this.nanoTime = nanoTime;
        this.wallClock = wallClock;
        this.metrics = metrics;
        Map<String, Object> config = AssignedConsumers.config(kafkaConfig, "jwt-sidecar-feed-" + settings.sidecarId());
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        this.consumerConfig = config;
        this.adminConfig = adminConfig(kafkaConfig, "jwt-sidecar-feed-admin-" + settings.sidecarId());
        this.topic = settings.topic();
        this.store = store;
        this.reader = new RecordReader(settings.topic(), codec, signatures);
        this.partitions = new PartitionTracker(settings.partitionCheckInterval(), RETRY);
        this.freshness = new Freshness(settings.endCheckInterval(), RETRY);
        this.loop = new KafkaLoop("revocation-feed-" + settings.sidecarId(), RETRY, Duration.ofSeconds(30), this::run);
    }

    /**
     * The settings of an admin client made from consumer settings: the connection and security ones
     * only. Package-private for its test.
     */
    static Map<String, Object> adminConfig(Map<String, Object> kafkaConfig, String clientId) {
        Map<String, Object> config = new HashMap<>();
        kafkaConfig.forEach((k, v) -> {
            // A config provider is declared by keys the admin's names do not list (config.providers.<name>.class,
            // .param.*); dropping them would hand the admin a ${provider:path:key} value unresolved, such as a
            // keystore password read from a mounted Secret.
            if (AdminClientConfig.configNames().contains(k) || k.startsWith(CONFIG_PROVIDERS_PREFIX)) {
                config.put(k, v);
            }
        });
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis() * 2);
        config.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        return config;
    }

    public void start() {
        loop.start();
    }

    /** Completes once the feed has first confirmed it read to the log end of every partition. */
    public CompletableFuture<Void> caughtUp() {
        return freshness.caughtUp();
    }

    public boolean isCaughtUp() {
        return freshness.caughtUp().isDone();
    }

    /** Records read from Kafka since this feed started (valid or not). */
    public long recordsConsumed() {
        return recordsConsumed.get();
    }

    public long eventsApplied() {
        return eventsApplied.get();
    }

    /** Poison pills dead-lettered since this feed started. */
    public long deadLettered() {
        return deadLettered.get();
    }

    /** Records dead-lettered since this feed started because their signature was missing, unknown or bad. */
    public long signatureFailures() {
        return signatureFailures.get();
    }

    /** Partitions read against partitions that exist, as of the last count. */
    public PartitionCounts partitionCounts() {
        PartitionTracker.View v = partitions.view();
        return new PartitionCounts(v.assigned(), v.existing(), v.confirmedAtNanos() == PartitionTracker.NEVER ? null
                : Duration.ofNanos(nanoTime.getAsLong() - v.confirmedAtNanos()));
    }

    /**
     * @param assigned       partitions this feed reads
     * @param existing       partitions the brokers said exist at the last count (-1: not yet known)
     * @param sinceConfirmed time since the feed last knew it read every existing partition, or null
     */
    public record PartitionCounts(int assigned, int existing, @Nullable Duration sinceConfirmed) {
    }

    /**
     * Completes once the record at {@code offset} of {@code partition} is applied to the store
     * (at once if it already is). Callers add their own timeout; a timed-out waiter is dropped.
     */
    public CompletableFuture<Void> whenApplied(int partition, long offset) {
        return applied.whenApplied(partition, offset);
    }

    /** Called after every applied batch (the status reporter's nudge). Set before {@link #start()}. */
    public void onApplied(Runnable listener) {
        this.onApplied = listener;
    }

    /** Next applied offset per partition. */
    public Map<Integer, Long> appliedNextOffsets() {
        return applied.nextOffsets();
    }

    /** Wall-clock millis when each partition last advanced. */
    public Map<Integer, Long> appliedAtMillis() {
        return applied.advancedAtMillis();
    }

    /** What a recently applied event did to its rule here, if this feed has applied it. */
    public Optional<RuleMerge.Effect> effectOf(String eventId) {
        return Optional.ofNullable(recentEvents.getIfPresent(eventId)).map(AppliedEvent::effect);
    }

    /**
     * Why the record at {@code partition} and {@code offset} was dead-lettered, if it was one of
     * the recent ones this feed dead-lettered.
     */
    public Optional<String> deadLetterReason(int partition, long offset) {
        return Optional.ofNullable(recentDeadLetters.getIfPresent(new RecordPosition(partition, offset)));
    }

    /** Where a recently read event landed, if this feed has seen it. */
    public Optional<EventPosition> positionOf(String eventId) {
        return Optional.ofNullable(recentEvents.getIfPresent(eventId)).map(AppliedEvent::position);
    }

    private void markApplied(Map<Integer, Long> nextOffsets) {
        applied.advance(nextOffsets, wallClock.millis());
    }

    /** One life of the clients: from creating them to the loop's stop (or an unexpected error). */
    private void run() throws InterruptedException {
        try (Admin admin = Admin.create(adminConfig)) {
            partitionCount = null;
            endOffsetQuery = null;
            while (loop.running()) {
                KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig);
                try {
                    consume(c, admin);
                } finally {
                    AssignedConsumers.close(c);
                }
            }
        }
    }

    /** One life of a consumer: until the loop stops or the consumer must be replaced ({@link #renewConsumer}). */
    private void consume(KafkaConsumer<byte[], byte[]> c, Admin admin) throws InterruptedException {
        loop.onStop(c::wakeup);
        renewConsumer = false;
        // A new consumer (first start, a restart after an error, a replacement) reads what the store does not hold yet.
        List<Integer> resumed = partitions.assigned();
        if (!resumed.isEmpty()) {
            c.assign(topicPartitions(resumed));
            seekToStoredOffsets(c, resumed);
            positionsKnown(c, resumed);
        }
        while (loop.running() && !renewConsumer) {
            runOnce(c, admin);
        }
    }

    /**
     * One step: poll and apply, then look after the partition count and freshness. The questions
     * to the brokers those need go through the admin client and are answered on its thread
     * ({@link PendingQuery}): the only call this thread waits in is the poll, so a revocation is
     * applied the moment it arrives, never after a slow broker's answer to something else.
     */
    private void runOnce(KafkaConsumer<byte[], byte[]> c, Admin admin) throws InterruptedException {
        long now = nanoTime.getAsLong();
        learnPartitions(c, admin, now);
        List<Integer> assigned = partitions.assigned();
        if (assigned.isEmpty()) {
            // Nothing to read: wait for the count, or before asking again.
            loop.pause(partitionCount != null ? QUESTION_POLL : RETRY);
            return;
        }
        // Shorter polls while the brokers owe an answer, so it is taken up soon after it comes
        // (at start, readiness waits for it); a poll returns at once when records arrive either way.
        ConsumerRecords<byte[], byte[]> records = c.poll(
                partitionCount != null || endOffsetQuery != null ? QUESTION_POLL : POLL);
        if (!records.isEmpty()) {
            applyOrRewind(c, records, assigned);
            freshness.lags(consumerLags(c, records));
        }
        freshness.positions(positions(c, assigned));
        checkEnds(c, admin, assigned, nanoTime.getAsLong());
    }

    /** Asks for the partition count when due, and starts reading new partitions once it is answered. */
    private void learnPartitions(KafkaConsumer<byte[], byte[]> c, Admin admin, long now) {
        PendingQuery<TopicDescription> asked = partitionCount;
        if (asked == null) {
            if (partitions.checkDue(now)) {
                partitionCount = PendingQuery.asked(Objects.requireNonNull(
                        admin.describeTopics(List.of(topic)).topicNameValues().get(topic), topic), now, CALL_TIMEOUT);
            }
            return;
        }
        PendingQuery.Outcome<TopicDescription> outcome = asked.outcome(now);
        if (outcome == null) {
            return;
        }
        partitionCount = null;
        if (outcome.succeeded()) {
            learned(c, asked.askedAtNanos(), Objects.requireNonNull(outcome.value()).partitions().size());
        } else if (outcome.failure() instanceof UnknownTopicOrPartitionException) {
            learned(c, asked.askedAtNanos(), 0);
        } else {
            log.debug("cannot count the partitions of {}: {}", topic, String.valueOf(outcome.failure()));
            partitions.failed(now);
        }
    }

    /** The brokers said the topic has {@code count} partitions as of {@code askedAt}: read any new ones from their beginning. */
    private void learned(KafkaConsumer<byte[], byte[]> c, long askedAt, int count) {
        List<Integer> before = partitions.assigned();
        if (count == 0 && before.isEmpty()) {
            log.warn("revocation topic {} does not exist yet; waiting for it", topic);
        } else if (count < before.size()) {
            log.error("revocation topic {} has {} partitions but this sidecar reads {}: was the topic deleted and "
                    + "created again? Revocation data stays stale until the sidecar restarts with an empty store",
                    topic, count, before.size());
        }
        List<Integer> added = partitions.learn(askedAt, count);
        if (added.isEmpty()) {
            return;
        }
        c.assign(topicPartitions(partitions.assigned()));
        seekToStoredOffsets(c, added);
        if (before.isEmpty()) {
            // The first assignment: no fetch is held yet, so knowing every position first makes the
            // first one ask for every partition.
            positionsKnown(c, added);
        } else {
            log.info("revocation topic {} grew from {} to {} partitions; reading partitions {} from their beginning",
                    topic, before.size(), count, added);
            // The consumer fetches the new partitions only once the fetches held for the old ones return.
            renewConsumer = true;
        }
    }

    /**
     * Asks for the log end offsets when due, and gives the answer to {@link Freshness} as of the
     * moment it was asked (read_committed, as the consumer reads: the last stable offsets).
     */
    private void checkEnds(KafkaConsumer<byte[], byte[]> c, Admin admin, List<Integer> assigned, long now) {
        PendingQuery<Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo>> asked = endOffsetQuery;
        if (asked == null) {
            if (freshness.checkDue(now)) {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                topicPartitions(assigned).forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                endOffsetQuery = PendingQuery.asked(admin.listOffsets(latest,
                        new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all(), now, CALL_TIMEOUT);
                endOffsetsPartitionsConfirmedAt = partitions.confirmedAtNanos();
            }
            return;
        }
        PendingQuery.Outcome<Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo>> outcome = asked.outcome(now);
        if (outcome == null) {
            return;
        }
        endOffsetQuery = null;
        if (!outcome.succeeded()) {
            log.debug("cannot read the end offsets of {}: {}", topic, String.valueOf(outcome.failure()));
            freshness.failed(now);
            return;
        }
        Map<Integer, Long> ends = new HashMap<>();
        Objects.requireNonNull(outcome.value()).forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
        boolean wasCaughtUp = isCaughtUp();
        freshness.ended(asked.askedAtNanos(), ends, positions(c, assigned), endOffsetsPartitionsConfirmedAt);
        if (!wasCaughtUp && isCaughtUp()) {
            log.info("revocation feed caught up with {} ({} partitions, {} records read)", topic,
                    assigned.size(), recordsConsumed.get());
        }
    }

    private List<TopicPartition> topicPartitions(List<Integer> ids) {
        List<TopicPartition> result = new ArrayList<>(ids.size());
        ids.forEach(p -> result.add(new TopicPartition(topic, p)));
        return result;
    }

    /**
     * Waits (briefly) until the consumer knows where to read every partition. A partition sent to
     * its beginning has no position until a ListOffsets answers, and the consumer's first fetch
     * leaves out partitions without one: held by the broker up to fetch.max.wait.ms, that fetch
     * would keep a partition just added from being read for as long (a revocation on a new
     * partition, late by the hold). Brokers that do not answer in time are no reason to stop: the
     * polls go on and the freshness rules say how old the data is.
     */
    private void positionsKnown(KafkaConsumer<byte[], byte[]> c, List<Integer> ids) {
        for (int p : ids) {
            try {
                c.position(new TopicPartition(topic, p), POSITION_WAIT);
            } catch (TimeoutException e) {
                log.debug("no position for partition {} of {} within {}; polling on", p, topic, POSITION_WAIT);
                return;
            }
        }
    }

    /** Seeks each partition to the offset the store holds for it, or to its beginning when it holds none. */
    private void seekToStoredOffsets(KafkaConsumer<byte[], byte[]> c, List<Integer> ids) {
        Map<Integer, Long> stored = store.nextOffsets(topic);
        markApplied(stored);
        List<TopicPartition> fresh = new ArrayList<>();
        for (int p : ids) {
            Long next = stored.get(p);
            if (next == null) {
                fresh.add(new TopicPartition(topic, p));
            } else {
                c.seek(new TopicPartition(topic, p), next);
            }
        }
        if (!fresh.isEmpty()) {
            c.seekToBeginning(fresh);
        }
    }

    private void applyOrRewind(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records,
                               List<Integer> assigned) throws InterruptedException {
        List<EventRecord> events = new ArrayList<>();
        List<ConsumerRecord<byte[], byte[]>> eventRecords = new ArrayList<>();
        List<DeadLetter> deadLetters = new ArrayList<>();
        Map<Integer, Long> nextOffsets = new HashMap<>();
        // Rule keys whose newest record here could not be applied (a forged record, a tombstone): compaction
        // would keep that record and drop the good one, so the admin plane must say the stored state again.
        Map<RuleKey, Long> unreadable = new HashMap<>();
        int badSignatures = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            recordsConsumed.incrementAndGet();
            nextOffsets.put(r.partition(), r.offset() + 1);
            RecordReader.Read read = reader.read(r);
            EventRecord event = read.event();
            if (event != null) {
                events.add(event);
                eventRecords.add(r);
                unreadable.remove(event.event().key());
            } else {
                ruleKeyOf(r.key()).ifPresent(k -> unreadable.put(k, r.timestamp()));
                DeadLetter d = Objects.requireNonNull(read.deadLetter(), "a record is an event or a dead letter");
                try (LogTraceIds.Scope traced = LogTraceIds.of(publishSpan(r))) {
                    log.warn("dead-lettering revocation record {}-{} at offset {}: {}", topic, r.partition(), r.offset(),
                            LogSafe.text(d.reason()));
                }
                deadLetters.add(d);
                if (d.reason().startsWith("signature: ")) {
                    badSignatures++;
                }
            }
        }
        long nowMillis = wallClock.millis();
        long batchStartNanos = nowMillis * 1_000_000L;
        List<RuleMerge.Effect> effects;
        try {
            effects = store.apply(new StoreBatch(topic, events, deadLetters, nextOffsets, nowMillis / 1000, unreadable));
        } catch (StoreException e) {
            // Nothing of the batch was written: go back to what the store holds and try again.
            if (failingSinceNanos == NEVER) {
                failingSinceNanos = nanoTime.getAsLong();
            }
            log.error("cannot apply revocation batch; retrying in {}", RETRY, e);
            loop.pause(RETRY);
            seekToStoredOffsets(c, assigned);
            // The consumer has the next fetch in flight already: the positions sought would be read after its hold.
            renewConsumer = true;
            return;
        }
        failingSinceNanos = NEVER;
        eventsApplied.addAndGet(events.size());
        deadLettered.addAndGet(deadLetters.size());
        signatureFailures.addAndGet(badSignatures);
        // What an admin answer reads (the effect, a dead letter's reason) is recorded first, then the
        // waiting answers are released; metrics, spans and log lines come after, off their path.
        for (DeadLetter d : deadLetters) {
            recentDeadLetters.put(new RecordPosition(d.partition(), d.offset()), d.reason());
        }
        for (int i = 0; i < events.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = eventRecords.get(i);
            recentEvents.put(events.get(i).event().eventId(),
                    new AppliedEvent(new EventPosition(r.partition(), r.offset(), r.timestamp()), effects.get(i)));
        }
        markApplied(nextOffsets);
        for (int i = 0; i < events.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = eventRecords.get(i);
            RuleMerge.Effect effect = effects.get(i);
            if (!effect.changedEnforcement()) {
                metrics.eventWithoutEffect(effect.name().toLowerCase(Locale.ROOT));
            }
            traceApplied(r, events.get(i).event(), effect, batchStartNanos);
            if (effect.refused()) {
                try (LogTraceIds.Scope traced = LogTraceIds.of(publishSpan(r))) {
                    log.info("revocation event {} ({} of {}) at {}-{} offset {} changed nothing: {}",
                            events.get(i).event().eventId(), events.get(i).event().type().name().toLowerCase(Locale.ROOT),
                            events.get(i).event().key(), topic, r.partition(), r.offset(),
                            effect.name().toLowerCase(Locale.ROOT));
                }
            }
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
            metrics.propagated(nowMillis - r.timestamp());
        }
        onApplied.run();
    }

    /**
     * A CONSUMER span for one applied event, spanning its batch's store write. It links to the
     * publish span whose context the record carries rather than taking it as parent, as the
     * messaging conventions have it: the publish has long ended, and one publish is applied by
     * every sidecar. The replay before the first catch-up is not traced: a start (or a rebuilt
     * store) reads the whole topic again, one span per historical event would flood the collector,
     * and those events were applied and traced before.
     */
    private void traceApplied(ConsumerRecord<byte[], byte[]> r, RevocationEvent event, RuleMerge.Effect effect,
                              long startEpochNanos) {
        if (!isCaughtUp()) {
            return;
        }
        SpanBuilder builder = tracer.spanBuilder(APPLY_SPAN).setSpanKind(SpanKind.CONSUMER).setNoParent()
                .setStartTimestamp(startEpochNanos, TimeUnit.NANOSECONDS);
        SpanContext published = publishSpan(r);
        if (published.isValid()) {
            builder.addLink(published);
        }
        builder.setAttribute(TraceAttributes.MESSAGING_SYSTEM, "kafka")
                .setAttribute(TraceAttributes.MESSAGING_DESTINATION, topic)
                .setAttribute(TraceAttributes.MESSAGING_OPERATION, "process")
                .setAttribute(TraceAttributes.PARTITION, String.valueOf(r.partition()))
                .setAttribute(TraceAttributes.OFFSET, r.offset())
                .setAttribute(TraceAttributes.EVENT_ID, event.eventId())
                .setAttribute(TraceAttributes.EFFECT, effect.name().toLowerCase(Locale.ROOT))
                .startSpan().end();
    }

    /**
     * The publish span a record's headers name; invalid when they name none. The feed's log lines
     * about a record carry its ids, so that one trace id finds the admin's audit line and every
     * sidecar's lines about the same event.
     */
    private static SpanContext publishSpan(ConsumerRecord<byte[], byte[]> r) {
        return Span.fromContext(KafkaHeaders.extract(r.headers())).getSpanContext();
    }

    /** The rule key a record key names, if it names one. */
    private static Optional<RuleKey> ruleKeyOf(byte[] key) {
        if (key == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(RuleKey.fromBytes(key));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Records between the position and the log end of each partition a poll returned records of
     * (local state: the fetch response that brought them carried the last stable offset). Between
     * end checks this keeps the lag current without asking the brokers.
     */
    private Map<Integer, Long> consumerLags(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) {
        Map<Integer, Long> result = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            c.currentLag(tp).ifPresent(lag -> result.put(tp.partition(), lag));
        }
        return result;
    }

    /** The consumer's position on each partition (local state: no broker round trip once known). */
    private Map<Integer, Long> positions(KafkaConsumer<byte[], byte[]> c, List<Integer> assigned) {
        Map<Integer, Long> result = new HashMap<>();
        try {
            for (int p : assigned) {
                result.put(p, c.position(new TopicPartition(topic, p), CALL_TIMEOUT));
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            // A partition whose position is not known yet counts as unread.
        }
        return result;
    }

    /**
     * How long the store has been refusing every write (a full disk, an I/O error), or zero.
     * RocksDB stays in its error state once a write-ahead-log append fails, so only a restart
     * (reopening the store) recovers; liveness uses this to ask the orchestrator for one.
     */
    public Duration storeFailingFor() {
        long since = failingSinceNanos;
        return since == NEVER ? Duration.ZERO : Duration.ofNanos(nanoTime.getAsLong() - since);
    }

    /** Records between the position and the log end, summed; -1 when unknown. */
    public long lag() {
        return freshness.lag();
    }

    /**
     * How long ago the feed last confirmed, with the brokers, that it had read to the log end of
     * every partition that existed; measured on a monotonic clock, so a quiet topic stays fresh and
     * a lost broker makes it age. {@link Duration#ofSeconds(long) Long.MAX_VALUE} seconds before
     * the first confirmation.
     */
    public Duration staleness() {
        return freshness.staleness(nanoTime.getAsLong());
    }

    @Override
    public void close() {
        loop.close();
    }
}
