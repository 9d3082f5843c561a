package io.jwtsidecar.tracing;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/**
 * W3C trace context ({@code traceparent}, {@code tracestate}) in Kafka record headers, so that
 * the span applying an event can link to the span that published it. Always the W3C propagator,
 * whatever the instance's own propagators: the headers are a wire format between sidecars, which
 * must agree on it. With tracing off the span context is invalid and nothing is written.
 */
public final class KafkaHeaders {
    private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();

    private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            List<String> keys = new ArrayList<>();
            for (Header h : headers) {
                keys.add(h.key());
            }
            return keys;
        }

        @Override
        public @Nullable String get(@Nullable Headers headers, String key) {
            Header h = headers == null ? null : headers.lastHeader(key);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    };

    private KafkaHeaders() {
    }

    /** Writes the trace context of {@code context} through {@code add} (header name, value). */
    public static void inject(Context context, BiConsumer<String, String> add) {
        W3C.inject(context, add, (carrier, key, value) -> carrier.accept(key, value));
    }

    /** The trace context a record's headers carry; the root context when they carry none. */
    public static Context extract(Headers headers) {
        return W3C.extract(Context.root(), headers, GETTER);
    }
}
