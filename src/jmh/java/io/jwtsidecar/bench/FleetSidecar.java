package io.jwtsidecar.bench;

import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.feed.RevocationFeed;
import io.jwtsidecar.feed.StatusReporter;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.EventSignatureCheck;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.CommonClientConfigs;
import org.jspecify.annotations.Nullable;

/**
 * The Kafka side of one sidecar, wired from its {@link SidecarConfig} as {@code Sidecar} wires
 * it: its own RocksDB store in {@code revocation.dataDir}, a {@link RevocationFeed} with the
 * consumer settings of {@code kafka.consumer.*}, and (unless left out) a {@link StatusReporter}
 * with those of {@code kafka.producer.*}, nudged by the feed. No HTTP listener, issuers or
 * maintenance: they ask nothing of the brokers.
 */
final class FleetSidecar implements AutoCloseable {
    private final RocksDbRevocationStore store;
    private final RevocationFeed feed;
    private final @Nullable StatusReporter reporter;

    private FleetSidecar(RocksDbRevocationStore store, RevocationFeed feed, @Nullable StatusReporter reporter) {
        this.store = store;
        this.feed = feed;
        this.reporter = reporter;
    }

    /** Opens the store and starts the feed (and the reporter when {@code withStatus}). */
    static FleetSidecar start(SidecarConfig config, boolean withStatus) {
        SidecarConfig.Revocation rc = config.revocation();
        RocksDbRevocationStore store = RocksDbRevocationStore.open(rc.dataDir(), rc.bloomExpectedRules(),
                rc.bloomFalsePositiveRate(), rc.deadLetterMaxBytes());
        Map<String, Object> consumerConfig = new HashMap<>(config.kafka().consumer());
        consumerConfig.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        RevocationFeed feed = new RevocationFeed(consumerConfig,
                new RevocationFeed.Settings(config.kafka().topic(), config.sidecarId(), rc.partitionCheckInterval(),
                        rc.endCheckInterval()),
                store, new EventCodec(), new EventSignatureCheck(rc.publisherKeys(), rc.requireSignedEvents()),
                new SidecarMetrics(), System::nanoTime, Clock.systemUTC());
        @Nullable StatusReporter reporter = null;
        if (withStatus) {
            Map<String, Object> reporterConfig = new HashMap<>(config.kafka().producer());
            reporterConfig.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
            reporter = new StatusReporter(reporterConfig, config.kafka().statusTopic(), config.sidecarId(), feed,
                    Clock.systemUTC(), config.fleet().statusInterval());
            feed.onApplied(reporter::nudge);
        }
        feed.start();
        if (reporter != null) {
            reporter.start();
        }
        return new FleetSidecar(store, feed, reporter);
    }

    CompletableFuture<Void> caughtUp() {
        return feed.caughtUp();
    }

    /** Completes once this sidecar has applied the record at {@code offset} of {@code partition}. */
    CompletableFuture<Void> whenApplied(int partition, long offset) {
        return feed.whenApplied(partition, offset);
    }

    @Override
    public void close() {
        // The store last: its native handles must outlive the feed's thread, as in the sidecar.
        if (reporter != null) {
            reporter.close();
        }
        feed.close();
        store.close();
    }
}
