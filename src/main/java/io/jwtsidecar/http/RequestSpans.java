package io.jwtsidecar.http;

import io.jwtsidecar.tracing.TraceAttributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import org.jspecify.annotations.Nullable;

/**
 * One SERVER span per verify or forward-auth request, child of the caller's {@code traceparent}
 * when it sends one, with the verdict code as the metrics count it. On the hot path: with tracing
 * off, {@link #start} hands back the shared invalid span without reading a header, building a
 * name or asking the tracer. Safe on any event loop.
 */
public final class RequestSpans {
    private static final TextMapGetter<MultiMap> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(MultiMap headers) {
            return headers.names();
        }

        @Override
        public @Nullable String get(@Nullable MultiMap headers, String key) {
            return headers == null ? null : headers.get(key);
        }
    };

    private static final RequestSpans OFF = new RequestSpans(null);
    private static final String GET_VERIFY = "GET " + SidecarRoutes.VERIFY_ROUTE;
    private static final String GET_AUTHZ = "GET " + ForwardAuthHandler.PATH;

    /** Null when tracing is off. */
    private final @Nullable Tracer tracer;

    private RequestSpans(@Nullable Tracer tracer) {
        this.tracer = tracer;
    }

    /** Spans from this tracer. */
    public static RequestSpans tracedBy(Tracer tracer) {
        return new RequestSpans(tracer);
    }

    /** No spans at all: tracing is off. */
    public static RequestSpans off() {
        return OFF;
    }

    /** False when tracing is off: callers then answer without a span, a status read or a try block. */
    boolean enabled() {
        return tracer != null;
    }

    /**
     * A started span named {@code METHOD route}. Attributes are set only once the sampler kept the
     * span: set on the builder, they would cost their allocation on every request it drops too.
     */
    Span start(HttpServerRequest request, String route) {
        if (tracer == null) {
            return Span.getInvalid();
        }
        HttpMethod method = request.method();
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), request.headers(), HEADERS);
        Span span = tracer.spanBuilder(name(method, route)).setSpanKind(SpanKind.SERVER).setParent(parent).startSpan();
        if (span.isRecording()) {
            span.setAttribute(TraceAttributes.HTTP_METHOD, method.name());
            span.setAttribute(TraceAttributes.HTTP_ROUTE, route);
        }
        return span;
    }

    /** The span name; the usual ones without building a string per request. */
    private static String name(HttpMethod method, String route) {
        if (method == HttpMethod.GET) {
            return switch (route) {
                case SidecarRoutes.VERIFY_ROUTE -> GET_VERIFY;
                case ForwardAuthHandler.PATH -> GET_AUTHZ;
                default -> "GET " + route;
            };
        }
        return method.name() + " " + route;
    }

    /** Ends the span with the answer's verdict code and status. */
    static void end(Span span, String verdictCode, int status) {
        if (span.isRecording()) {
            span.setAttribute(TraceAttributes.VERDICT, verdictCode);
            span.setAttribute(TraceAttributes.HTTP_STATUS, (long) status);
        }
        span.end();
    }
}
