package io.jwtsidecar.app;

import io.jwtsidecar.http.Readiness;
import io.jwtsidecar.token.IssuerPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * When {@code /health/ready} answers ready: the revocation data admits traffic (see
 * {@link RevocationFreshness#admitsTraffic}) and every issuer has a key set. The listeners are
 * bound before this is ever asked ({@link Sidecar#start} returns only then), so they are not a
 * condition. The report also carries the feed's and the store's figures, for an operator reading
 * why; they never change the answer.
 */
final class ReadinessCheck implements Readiness {
    private final RevocationFreshness freshness;
    private final List<IssuerPolicy> issuers;
    private final Supplier<Map<String, Object>> feedFigures;

    /**
     * @param feedFigures the feed's and store's figures, in report order, read on each report
     */
    ReadinessCheck(RevocationFreshness freshness, List<IssuerPolicy> issuers, Supplier<Map<String, Object>> feedFigures) {
        this.freshness = freshness;
        this.issuers = List.copyOf(issuers);
        this.feedFigures = feedFigures;
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
        return new Report(freshness.admitsTraffic(reading) && allKeys, checks);
    }
}
