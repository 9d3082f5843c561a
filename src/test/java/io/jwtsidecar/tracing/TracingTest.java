package io.jwtsidecar.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.config.SidecarConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TracingTest {
    @TempDir
    Path dir;

    @Test
    void with_the_default_configuration_the_opentelemetry_in_use_is_the_noop_one() {
        SidecarConfig config = new ConfigLoader(Map.of()).parse("kafka:\n  bootstrapServers: b:9092\n"
                + "issuers:\n  - issuer: https://hs.example\n    audiences: [a]\n    keys:\n      - kid: k\n"
                + "        alg: HS256\n        secret: \"0123456789abcdef0123456789abcdef-hs\"\n", dir);

        try (Tracing tracing = Tracing.from(config.tracing())) {
            assertThat(tracing.openTelemetry()).isSameAs(OpenTelemetry.noop());
            assertThat(tracing.enabled()).isFalse();
            Span span = tracing.tracer().spanBuilder("x").startSpan();
            assertThat(span.isRecording()).isFalse();
            assertThat(span.getSpanContext().isValid()).isFalse();
        }
    }

    @Test
    void with_an_endpoint_it_is_an_sdk_that_the_owner_shuts_down() {
        Tracing tracing = Tracing.from(new SidecarConfig.Tracing(Optional.of(URI.create("http://127.0.0.1:1")), "t", 1.0));
        assertThat(tracing.enabled()).isTrue();
        assertThat(tracing.openTelemetry()).isInstanceOf(OpenTelemetrySdk.class);
        tracing.close();

        assertThat(tracing.tracer().spanBuilder("after close").startSpan().isRecording()).isFalse();
    }

    @Test
    void a_borrowed_instance_is_left_open() {
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().build();
        Tracing.borrowed(sdk).close();

        assertThat(sdk.getSdkTracerProvider().shutdown().isSuccess()).isTrue();
    }

    @Test
    void the_traces_path_goes_below_the_configured_base() {
        assertThat(Tracing.tracesUrl(URI.create("http://c:4318"))).isEqualTo("http://c:4318/v1/traces");
        assertThat(Tracing.tracesUrl(URI.create("http://c:4318/"))).isEqualTo("http://c:4318/v1/traces");
        assertThat(Tracing.tracesUrl(URI.create("https://c/otel/v1/traces"))).isEqualTo("https://c/otel/v1/traces");
    }

    @Test
    void the_trace_context_round_trips_through_kafka_headers_and_nothing_is_written_without_one() {
        var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        KafkaHeaders.inject(Context.root(), (k, v) -> headers.add(k, v.getBytes()));
        assertThat(headers.toArray()).isEmpty();

        Map<String, String> written = new HashMap<>();
        try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(
                io.opentelemetry.sdk.trace.SdkTracerProvider.builder().addSpanProcessor(
                        io.opentelemetry.sdk.trace.export.SimpleSpanProcessor.create(
                                io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter.create())).build()).build()) {
            Span span = sdk.getTracer("t").spanBuilder("p").startSpan();
            KafkaHeaders.inject(Context.root().with(span), written::put);
            written.forEach((k, v) -> headers.add(k, v.getBytes()));
            assertThat(written).containsKey("traceparent");
            assertThat(Span.fromContext(KafkaHeaders.extract(headers)).getSpanContext().getSpanId())
                    .isEqualTo(span.getSpanContext().getSpanId());
            span.end();
        }
    }
}
