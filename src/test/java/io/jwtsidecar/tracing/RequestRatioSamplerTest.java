package io.jwtsidecar.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.config.SidecarConfig;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** tracing.requestSampleRatio thins request spans only; a revocation's spans are always kept. */
class RequestRatioSamplerTest {
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";

    /** A tracer as the sidecar builds it, exporting nowhere reachable (nothing is ended here). */
    private static Tracing tracing(double ratio) {
        return Tracing.from(new SidecarConfig.Tracing(Optional.of(URI.create("http://127.0.0.1:1")), "t", ratio));
    }

    private static boolean recorded(Tracer tracer, SpanKind kind, Context parent) {
        return tracer.spanBuilder("s").setSpanKind(kind).setParent(parent).startSpan().isRecording();
    }

    private static Context callerSent(TraceFlags flags) {
        return Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(TRACE, "b7ad6b7169203331", flags,
                TraceState.getDefault())));
    }

    @Test
    void at_ratio_0_requests_are_not_traced_but_publishes_and_applies_are() {
        try (Tracing tracing = tracing(0)) {
            Tracer tracer = tracing.tracer();
            assertThat(recorded(tracer, SpanKind.SERVER, Context.root())).isFalse();
            assertThat(recorded(tracer, SpanKind.PRODUCER, Context.root())).isTrue();
            assertThat(recorded(tracer, SpanKind.CONSUMER, Context.root())).isTrue();
        }
    }

    @Test
    void a_caller_s_traceparent_decides_for_its_request_whatever_the_ratio() {
        try (Tracing none = tracing(0); Tracing all = tracing(1)) {
            assertThat(recorded(none.tracer(), SpanKind.SERVER, callerSent(TraceFlags.getSampled()))).isTrue();
            assertThat(recorded(all.tracer(), SpanKind.SERVER, callerSent(TraceFlags.getDefault()))).isFalse();
        }
    }

    @Test
    void at_ratio_1_every_request_is_traced() {
        try (Tracing tracing = tracing(1)) {
            for (int i = 0; i < 100; i++) {
                assertThat(recorded(tracing.tracer(), SpanKind.SERVER, Context.root())).isTrue();
            }
        }
    }

    @Test
    void in_between_about_that_share_of_requests_is_traced() {
        try (Tracing tracing = tracing(0.25)) {
            int traced = 0;
            for (int i = 0; i < 4000; i++) {
                traced += recorded(tracing.tracer(), SpanKind.SERVER, Context.root()) ? 1 : 0;
            }
            // Random trace ids: 1000 expected, and 4000 draws fall within ±150 of it but about once in 10^5 runs.
            assertThat(traced).isBetween(850, 1150);
        }
    }
}
