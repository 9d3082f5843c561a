package io.jwtsidecar.app;

import io.jwtsidecar.http.Readiness;
import io.jwtsidecar.token.IssuerPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * When {@code /health/ready} answers ready: the revocation data admits traffic (see
 * {@link RevocationFreshness#admitsTraffic}) and every issuer has a key set. The listeners are
 * bound before this is ever asked ({@link Sidecar#start} returns only then), so they are not a
 * condition. The report also carries the feed's and the store's figures, for an operator reading
 * why; they never change the answer. Nor do the signal sources (a Shared Signals transmitter
 * polled for revocations): one that is down is named under {@code signalSources} with why, and
 * listed in {@code degradedSources}, while the sidecar stays ready. Verification never waits on
 * an identity provider, and the revocation feed's freshness, which does decide, is unaffected.
 */
final class ReadinessCheck implements Readiness {
    private final RevocationFreshness freshness;
    private final List<IssuerPolicy> issuers;
    private final Supplier<Map<String, Object>> feedFigures;
    private final Supplier<Map<String, SourceState>> signalSources;

    /** A signal source's state: healthy or not, and in words. */
    record SourceState(boolean healthy, String description) {
    }

    /**
     * @param feedFigures the feed's and store's figures, in report order, read on each report
     */
    ReadinessCheck(RevocationFreshness freshness, List<IssuerPolicy> issuers, Supplier<Map<String, Object>> feedFigures) {
        this(freshness, issuers, feedFigures, Map::of);
    }

    /** @param signalSources the signal sources by name, read on each report */
    ReadinessCheck(RevocationFreshness freshness, List<IssuerPolicy> issuers, Supplier<Map<String, Object>> feedFigures,
                   Supplier<Map<String, SourceState>> signalSources) {
        this.freshness = freshness;
        this.issuers = List.copyOf(issuers);
        this.feedFigures = feedFigures;
        this.signalSources = signalSources;
    }

    @Override
    public Report report() {
        RevocationFreshness.Reading reading = freshness.read();
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("revocationFeed", reading.state().label());
        checks.put("stalenessSeconds", reading.staleness() == null ? null : reading.staleness().toMillis() / 1000.0);
        checks.putAll(feedFigures.get());
        Map<String, Object> keys = new LinkedHashMap<>();
        boolean allKeys = true;
        for (IssuerPolicy p : issuers) {
            keys.put(p.issuer(), p.keys().describe());
            allKeys &= p.keys().current() != null;
        }
        checks.put("keys", keys);
        Map<String, SourceState> sources = signalSources.get();
        if (!sources.isEmpty()) {
            Map<String, Object> described = new LinkedHashMap<>();
            List<String> degraded = new ArrayList<>();
            sources.forEach((name, state) -> {
                described.put(name, state.description());
                if (!state.healthy()) {
                    degraded.add(name);
                }
            });
            checks.put("signalSources", described);
            checks.put("degradedSources", degraded);
        }
        return new Report(freshness.admitsTraffic(reading) && allKeys, checks);
    }
}
