package io.jwtsidecar.tracing;

import io.jwtsidecar.config.SidecarConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The OpenTelemetry instance of one sidecar, and who closes it. Built from {@code tracing.*}: with
 * an endpoint, an SDK that batches spans to an OTLP/HTTP collector, sampling requests as
 * {@link RequestRatioSampler} says; without, {@link OpenTelemetry#noop()},
 * whose spans cost an allocation-free check on the hot path. A test may hand in an instance of its
 * own ({@link #borrowed}); then the test owns it and {@link #close()} leaves it alone.
 *
 * <p>Nothing here touches {@code GlobalOpenTelemetry}: two sidecars in one JVM (the tests) each
 * trace into their own instance.
 */
public final class Tracing implements AutoCloseable {
    /** The instrumentation scope of every span the sidecar makes. */
    public static final String SCOPE = "io.jwtsidecar";
    private static final String TRACES_PATH = "/v1/traces";

    private final OpenTelemetry openTelemetry;
    private final @Nullable OpenTelemetrySdk owned;

    private Tracing(OpenTelemetry openTelemetry, @Nullable OpenTelemetrySdk owned) {
        this.openTelemetry = openTelemetry;
        this.owned = owned;
    }

    /** From the configuration: an exporting SDK when {@code tracing.otlpEndpoint} is set, else no-op. */
    public static Tracing from(SidecarConfig.Tracing config) {
        if (config.otlpEndpoint().isEmpty()) {
            return new Tracing(OpenTelemetry.noop(), null);
        }
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(tracesUrl(config.otlpEndpoint().get())).build();
        Resource resource = Resource.getDefault().merge(Resource.create(
                Attributes.of(AttributeKey.stringKey("service.name"), config.serviceName())));
        SdkTracerProvider provider = SdkTracerProvider.builder().setResource(resource)
                .setSampler(new RequestRatioSampler(config.requestSampleRatio()))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build()).build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        return new Tracing(sdk, sdk);
    }

    /** An instance someone else owns and closes (tests with an in-memory exporter). */
    public static Tracing borrowed(OpenTelemetry openTelemetry) {
        return new Tracing(openTelemetry, null);
    }

    /**
     * The collector's traces URL: {@code /v1/traces} below the configured base, as the OTLP
     * exporter environment variables take a base; a URL that already ends in it is kept.
     */
    static String tracesUrl(URI endpoint) {
        String url = endpoint.toString();
        if (url.endsWith(TRACES_PATH)) {
            return url;
        }
        return (url.endsWith("/") ? url.substring(0, url.length() - 1) : url) + TRACES_PATH;
    }

    public OpenTelemetry openTelemetry() {
        return openTelemetry;
    }

    /** Whether spans go anywhere: false for {@link OpenTelemetry#noop()}, so the hot path can skip them outright. */
    public boolean enabled() {
        return openTelemetry != OpenTelemetry.noop();
    }

    public Tracer tracer() {
        return openTelemetry.getTracer(SCOPE);
    }

    /** Flushes the spans still batched, within a bound: a collector that is down must not hold up a stop. */
    @Override
    public void close() {
        if (owned != null) {
            owned.shutdown().join(5, TimeUnit.SECONDS);
        }
    }
}
