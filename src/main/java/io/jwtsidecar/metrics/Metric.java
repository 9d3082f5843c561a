package io.jwtsidecar.metrics;

/**
 * Every metric the sidecar exports, in one list (as Envoy's {@code ALL_JWT_AUTHN_FILTER_STATS}):
 * docs/METRICS.md is checked against it. Names are Prometheus names as scraped from
 * {@code /metrics}; counters get Prometheus' {@code _total} suffix from the registry.
 */
public enum Metric {
    VERIFY("jwt_sidecar_verify", "counter", "Verifications by outcome: verdict=accepted or the refusal code."),
    VERIFY_LATENCY("jwt_sidecar_verify_latency_seconds", "histogram",
            "Time to verify one token in process (parse, signature, claims, revocation), without HTTP."),
    VERIFY_CACHE_HITS("jwt_sidecar_verify_cache_hits", "counter",
            "Verifications answered from the verified-token cache (signature check skipped)."),
    DPOP_REPLAY_EVICTIONS("jwt_sidecar_dpop_replay_evictions", "counter",
            "DPoP proof ids dropped from the replay cache before their window ended because it was full "
                    + "(verify.dpopReplayCacheSize); each could be replayed within its window."),
    DPOP_REPLAY_IDS("jwt_sidecar_dpop_replay_ids", "gauge",
            "DPoP proof ids held by the replay cache now."),
    VERIFY_STALE_PASSES("jwt_sidecar_verify_stale_passes", "counter",
            "Tokens accepted with stale revocation data under the fail-open policy."),
    AUTHZ_DECISIONS("jwt_sidecar_authz_decisions", "counter",
            "Forward-auth answers (/v1/authz) by route (the route's name, or none) and decision: allowed, or the "
                    + "refusal code."),
    FEED_EVENTS_APPLIED("jwt_sidecar_feed_events_applied", "counter", "Revocation events applied to the local store."),
    FEED_DEAD_LETTERS("jwt_sidecar_feed_dead_letters", "counter",
            "Records of the revocation topic dead-lettered as poison pills."),
    FEED_SIGNATURE_FAILURES("jwt_sidecar_feed_signature_failures", "counter",
            "Records of the revocation topic dead-lettered because their publisher signature was missing, unknown or bad."),
    FEED_EVENTS_WITHOUT_EFFECT("jwt_sidecar_feed_events_without_effect", "counter",
            "Valid events that changed nothing, by effect: repeated, ignored_weaker, ignored_restored, ignored_expired, "
                    + "ignored_older_restore, nothing_to_lift."),
    FEED_PARTITIONS_ASSIGNED("jwt_sidecar_feed_partitions_assigned", "gauge",
            "Partitions of the revocation topic this sidecar reads."),
    FEED_PARTITIONS_EXISTING("jwt_sidecar_feed_partitions_existing", "gauge",
            "Partitions of the revocation topic at the last count (-1 before the first)."),
    DEAD_LETTER_DROPPED_BYTES("jwt_sidecar_dead_letter_dropped_bytes", "counter",
            "Bytes of poison pills not kept since start: cut from large records, or pruned as the oldest over the budget."),
    FEED_LAG("jwt_sidecar_feed_lag_records", "gauge",
            "Records between the feed's position and the log end, summed over partitions, at the last check."),
    FEED_STALENESS("jwt_sidecar_feed_staleness_seconds", "gauge",
            "Seconds since the feed last confirmed it had read to the log end (-1 before the first time)."),
    PROPAGATION_DELAY("jwt_sidecar_propagation_delay_seconds", "histogram",
            "From an event's Kafka timestamp to its application in this sidecar's store."),
    STORE_RULES("jwt_sidecar_store_rules", "gauge", "Live revocation rules in the local store (RocksDB estimate)."),
    BLOOM_BYTES("jwt_sidecar_bloom_bytes", "gauge", "Size of the Bloom filter's bit array."),
    BLOOM_FALSE_POSITIVE_RATE("jwt_sidecar_bloom_false_positive_rate", "gauge",
            "Estimated false-positive rate of the Bloom filter now."),
    REASSERTION_LAST_PASS("jwt_sidecar_reassertion_last_pass", "gauge",
            "Rules and restores the last re-assertion pass of this admin sidecar found the topic would lose, by reason "
                    + "(not_current, resign, renew); it publishes them again, so the next pass finds 0."),
    FLEET_STATUS_REFUSED("jwt_sidecar_fleet_status_refused", "counter",
            "Status records refused by this admin sidecar, by reason: malformed, key_mismatch, from_the_future, full."),
    FLEET_SIDECARS_TRACKED("jwt_sidecar_fleet_sidecars_tracked", "gauge",
            "Sidecar ids this admin sidecar holds in memory for fleet receipts."),
    SERVED_CLIENTS("jwt_sidecar_served_clients", "gauge",
            "Node-level mode (api.socketPath): clients that named themselves (Jwt-Sidecar-Client) within "
                    + "fleet.clientIdleAfter, as listed in this sidecar's fleet status."),
    SERVED_CLIENTS_REFUSED("jwt_sidecar_served_clients_refused", "counter",
            "Node-level mode: client names not listed, by reason: malformed (not namespace/pod), full (128 listed already)."),
    ADMIN_ACTIONS("jwt_sidecar_admin_actions", "counter", "Accepted admin actions by action."),
    ADMIN_REFUSALS("jwt_sidecar_admin_refusals", "counter",
            "Admin requests refused: no credential or a wrong one, or one without the scope or the issuer asked for."),
    IDP_SIGNALS("jwt_sidecar_idp_signals", "counter",
            "Signals from identity providers by source (backchannel_logout, ssf_push, ssf_poll, token_revocation) and "
                    + "outcome (published, covered, refused_<reason>, replayed, failed, unavailable, unknown_event: a Shared "
                    + "Signals event type that is acknowledged and not enforced).");

    private final String prometheusName;
    private final String type;
    private final String help;

    Metric(String prometheusName, String type, String help) {
        this.prometheusName = prometheusName;
        this.type = type;
        this.help = help;
    }

    /** The name as scraped, without Prometheus' {@code _total} suffix for counters. */
    public String prometheusName() {
        return prometheusName;
    }

    public String type() {
        return type;
    }

    public String help() {
        return help;
    }

    /** The Micrometer name: dots for the registry's naming convention to turn into underscores. */
    String meterName() {
        String base = prometheusName;
        if (base.endsWith("_seconds")) {
            base = base.substring(0, base.length() - "_seconds".length());
        }
        return base.replace('_', '.');
    }
}
