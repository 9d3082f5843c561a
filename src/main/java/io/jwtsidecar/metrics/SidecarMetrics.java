package io.jwtsidecar.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The sidecar's metrics, recorded through typed methods and scraped in Prometheus text format;
 * JVM and process metrics join the same registry through {@link JvmMetricsBinding}.
 * Micrometer stays inside this package. Thread-safe; recording is lock-free.
 */
public final class SidecarMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> verifyByVerdict = new ConcurrentHashMap<>();
    private final Map<String, Counter> adminActions = new ConcurrentHashMap<>();
    private final Map<String, Counter> idpSignals = new ConcurrentHashMap<>();
    private final Map<String, Counter> authzDecisions = new ConcurrentHashMap<>();
    private final Map<String, Counter> withoutEffect = new ConcurrentHashMap<>();
    private final Timer verifyLatency;
    private final Timer propagationDelay;
    private final Counter stalePasses;
    private final Counter adminRefusals;

    public SidecarMetrics() {
        verifyLatency = Timer.builder(Metric.VERIFY_LATENCY.meterName()).description(Metric.VERIFY_LATENCY.help())
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(500))
                .maximumExpectedValue(Duration.ofMillis(100)).register(registry);
        propagationDelay = Timer.builder(Metric.PROPAGATION_DELAY.meterName())
                .description(Metric.PROPAGATION_DELAY.help()).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        stalePasses = Counter.builder(Metric.VERIFY_STALE_PASSES.meterName())
                .description(Metric.VERIFY_STALE_PASSES.help()).register(registry);
        adminRefusals = Counter.builder(Metric.ADMIN_REFUSALS.meterName()).description(Metric.ADMIN_REFUSALS.help())
                .register(registry);
    }

    /** One verification: {@code verdict} is "accepted" or a verdict code. */
    public void verified(String verdict, long nanos, boolean stale) {
        verifyByVerdict.computeIfAbsent(verdict, v -> Counter.builder(Metric.VERIFY.meterName())
                .description(Metric.VERIFY.help()).tag("verdict", v).register(registry)).increment();
        verifyLatency.record(Duration.ofNanos(nanos));
        if (stale) {
            stalePasses.increment();
        }
    }

    /**
     * One forward-auth answer. Route names come from the configuration, so the label set is bounded.
     *
     * @param route    the route's name, or "none"
     * @param decision "allowed" or a refusal code
     */
    public void authorized(String route, String decision) {
        authzDecisions.computeIfAbsent(route + '\n' + decision, k -> Counter.builder(Metric.AUTHZ_DECISIONS.meterName())
                .description(Metric.AUTHZ_DECISIONS.help()).tag("route", route).tag("decision", decision)
                .register(registry)).increment();
    }

    /** An event applied {@code millis} after its Kafka timestamp. */
    public void propagated(long millis) {
        propagationDelay.record(Duration.ofMillis(Math.max(0, millis)));
    }

    /** A valid event changed nothing; {@code effect} says why (e.g. ignored_weaker). */
    public void eventWithoutEffect(String effect) {
        withoutEffect.computeIfAbsent(effect, e -> Counter.builder(Metric.FEED_EVENTS_WITHOUT_EFFECT.meterName())
                .description(Metric.FEED_EVENTS_WITHOUT_EFFECT.help()).tag("effect", e).register(registry)).increment();
    }

    public void adminRefused() {
        adminRefusals.increment();
    }

    public void adminAction(String action) {
        adminActions.computeIfAbsent(action, a -> Counter.builder(Metric.ADMIN_ACTIONS.meterName())
                .description(Metric.ADMIN_ACTIONS.help()).tag("action", a).register(registry)).increment();
    }

    /**
     * One signal from an identity provider and what became of it. Outcomes are a closed set chosen
     * by the receivers (never text from the signal), so the label cannot grow without bound.
     */
    public void idpSignal(String source, String outcome) {
        idpSignals.computeIfAbsent(source + '\u0000' + outcome, k -> Counter.builder(Metric.IDP_SIGNALS.meterName())
                .description(Metric.IDP_SIGNALS.help()).tag("source", source).tag("outcome", outcome)
                .register(registry)).increment();
    }

    /** A counter read from a component's own tally (e.g. the feed's applied events). */
    public <T> void monotonic(Metric metric, T source, ToDoubleFunction<T> count) {
        FunctionCounter.builder(metric.meterName(), source, count).description(metric.help()).register(registry);
    }

    /** A counter read from a component's own tally, one per value of a label. */
    public <T> void monotonic(Metric metric, String label, String value, T source, ToDoubleFunction<T> count) {
        FunctionCounter.builder(metric.meterName(), source, count).description(metric.help()).tag(label, value)
                .register(registry);
    }

    /** A gauge read on scrape, one per value of a label. */
    public <T> void gauge(Metric metric, String label, String value, T source, ToDoubleFunction<T> read) {
        Gauge.builder(metric.meterName(), source, read).description(metric.help()).tag(label, value).register(registry);
    }

    /** A gauge read on scrape. */
    public <T> void gauge(Metric metric, T source, ToDoubleFunction<T> value) {
        Gauge.Builder<T> b = Gauge.builder(metric.meterName(), source, value).description(metric.help());
        if (metric.prometheusName().endsWith("_seconds")) {
            b.baseUnit("seconds");
        }
        b.register(registry);
    }

    /** For {@link JvmMetricsBinding}: Micrometer's binders register straight into the registry. */
    PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Prometheus text exposition format. */
    public String scrape() {
        return registry.scrape();
    }
}
