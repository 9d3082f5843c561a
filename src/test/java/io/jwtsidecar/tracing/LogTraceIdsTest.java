package io.jwtsidecar.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LogTraceIdsTest {
    private static final SpanContext SPAN = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
            TraceFlags.getSampled(), TraceState.getDefault());

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void a_span_s_ids_are_in_the_mdc_while_the_scope_is_open_and_gone_after() {
        MDC.put("other", "kept");
        try (LogTraceIds.Scope scope = LogTraceIds.of(SPAN)) {
            assertThat(MDC.getCopyOfContextMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "trace_id", "0af7651916cd43dd8448eb211c80319c", "span_id", "b7ad6b7169203331", "other", "kept"));
        }
        assertThat(MDC.getCopyOfContextMap()).containsExactlyEntriesOf(Map.of("other", "kept"));
    }

    @Test
    void with_tracing_off_nothing_is_put() {
        try (LogTraceIds.Scope scope = LogTraceIds.of(SpanContext.getInvalid())) {
            assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
        }
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }
}
