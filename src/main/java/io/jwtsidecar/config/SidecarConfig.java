package io.jwtsidecar.config;

import io.jwtsidecar.token.IssuerPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole validated configuration of one sidecar. Built only by {@link ConfigLoader}, which
 * reports every problem at once; immutable.
 *
 * @param sidecarId   name in logs and fleet status
 * @param api         the sidecar API listener
 * @param claimHeaders extra identity headers: header name → claim name ({@code api.claimHeaders})
 * @param admin       the admin API listener
 * @param adminToken  the admin credential; empty means the admin API stays off
 * @param maxTokenBytes size cap for tokens
 * @param cacheMaxBytes budget of the verified-token cache (0: off)
 * @param kafka       Kafka connection and passthrough settings
 * @param fleet       fleet status settings
 * @param revocation  local store settings
 * @param issuers     trusted issuers with their keys already loaded and checked
 */
public record SidecarConfig(String sidecarId, Listener api, Map<String, String> claimHeaders, Listener admin, Optional<String> adminToken,
                            int maxTokenBytes, long cacheMaxBytes, Kafka kafka, Fleet fleet, Revocation revocation, List<IssuerPolicy> issuers) {

    public SidecarConfig {
        claimHeaders = Map.copyOf(claimHeaders);
        issuers = List.copyOf(issuers);
    }

    /** Fleet status reporting: how often, and when a silent sidecar is forgotten. */
    public record Fleet(java.time.Duration statusInterval, java.time.Duration goneAfter) {
    }

    /** A TCP listener. */
    public record Listener(String host, int port) {
    }

    /**
     * @param bootstrapServers host:port list
     * @param topic            the revocation topic
     * @param statusTopic      the fleet status topic
     * @param consumer         passthrough consumer settings ({@code kafka.consumer.*})
     * @param producer         passthrough producer settings ({@code kafka.producer.*})
     */
    public record Kafka(String bootstrapServers, String topic, String statusTopic, Map<String, String> consumer,
                        Map<String, String> producer) {
        public Kafka {
            consumer = Map.copyOf(consumer);
            producer = Map.copyOf(producer);
        }
    }

    /**
     * Local store and freshness settings.
     *
     * @param failOpen what to do with stale data: false answers 503, true verifies with a warning header
     */
    public record Revocation(Path dataDir, long bloomExpectedRules, double bloomFalsePositiveRate,
                             java.time.Duration sweepInterval, java.time.Duration maxStaleness, boolean failOpen) {
    }
}
