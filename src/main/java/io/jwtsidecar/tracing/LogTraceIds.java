package io.jwtsidecar.tracing;

import io.opentelemetry.api.trace.SpanContext;
import org.slf4j.MDC;

/**
 * Puts a span's trace and span ids in the logging MDC while a few lines are written, so that JSON
 * log lines ({@code logging.format: json}, field {@code mdc}) name the trace they belong to. The
 * keys are the ones OpenTelemetry's own Logback MDC instrumentation uses, which log backends
 * already link to traces.
 *
 * <p>The sidecar's work hops between event loops and Kafka threads, so no span is ever "current"
 * on the thread that logs; each caller names the span instead. Used in try-with-resources around
 * the log call, on the logging thread. With tracing off the span context is invalid and nothing
 * is put.
 */
public final class LogTraceIds {
    /** The MDC key of the 32-hex-digit trace id. */
    public static final String TRACE_ID = "trace_id";
    /** The MDC key of the 16-hex-digit span id. */
    public static final String SPAN_ID = "span_id";

    private static final Scope NOTHING = () -> { };

    private LogTraceIds() {
    }

    /** What {@link #of} put, taken out again by {@link #close()}. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * The ids of {@code span} in the MDC until the scope closes. A valid context's ids are hex by
     * construction (the W3C propagator rejects anything else), so a hostile record's
     * {@code traceparent} cannot put text of its choosing in a log line.
     */
    public static Scope of(SpanContext span) {
        if (!span.isValid()) {
            return NOTHING;
        }
        MDC.put(TRACE_ID, span.getTraceId());
        MDC.put(SPAN_ID, span.getSpanId());
        return () -> {
            MDC.remove(TRACE_ID);
            MDC.remove(SPAN_ID);
        };
    }
}
