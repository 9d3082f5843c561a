package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.feed.RevocationFeed;
import io.jwtsidecar.feed.RevocationPublisher;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.LogCapture;
import io.jwtsidecar.testing.RawTopic;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.TestSidecars;
import io.jwtsidecar.tracing.LogTraceIds;
import io.jwtsidecar.tracing.TraceAttributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One admin revoke, traced end to end: the admin sidecar's publish span, and on each of two
 * sidecars an apply span that links to it through the record's {@code traceparent} header. Each
 * sidecar traces into an in-memory exporter of its own, so the spans tell which sidecar applied.
 */
class TracingIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    /** An SDK that hands every ended span to {@code exporter} at once. */
    private static OpenTelemetrySdk sdk(InMemorySpanExporter exporter) {
        return OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
    }

    private static Sidecar startReady(String id, boolean admin, OpenTelemetrySdk otel) throws Exception {
        Sidecar s = Sidecar.start(TestSidecars.config(id, kafka.bootstrapServers(), dir.resolve(id), admin),
                Clock.systemUTC(), otel);
        s.feedCaughtUp().get(60, TimeUnit.SECONDS);
        return s;
    }

    private static List<SpanData> named(InMemorySpanExporter exporter, String name) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
    }

    @Test
    void an_admin_revoke_is_one_publish_span_and_on_each_sidecar_an_apply_span_linked_to_it() throws Exception {
        InMemorySpanExporter exportedA = InMemorySpanExporter.create();
        InMemorySpanExporter exportedB = InMemorySpanExporter.create();
        try (OpenTelemetrySdk otelA = sdk(exportedA); OpenTelemetrySdk otelB = sdk(exportedB)) {
            try (Sidecar a = startReady("trace-a", true, otelA); Sidecar b = startReady("trace-b", false, otelB)) {
                String token = TestSidecars.token("erin", java.time.Instant.now().getEpochSecond() - 60);
                HttpResponse<String> revoked;
                List<ILoggingEvent> audited;
                try (LogCapture audit = LogCapture.info("io.jwtsidecar.audit")) {
                    revoked = Http.postJson(a.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                            "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"erin\",\"reason\":\"logout_all\"}");
                    audited = audit.events();
                }
                assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(202);
                String eventId = new JsonObject(revoked.body()).getString("eventId");

                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(named(exportedA, RevocationFeed.APPLY_SPAN)).hasSize(1);
                    assertThat(named(exportedB, RevocationFeed.APPLY_SPAN)).hasSize(1);
                });
                List<SpanData> publishes = named(exportedA, RevocationPublisher.SPAN_NAME);
                assertThat(publishes).hasSize(1);
                assertThat(named(exportedB, RevocationPublisher.SPAN_NAME)).isEmpty();
                SpanData publish = publishes.get(0);
                assertThat(publish.getKind()).isEqualTo(SpanKind.PRODUCER);
                assertThat(publish.getAttributes().get(TraceAttributes.EVENT_ID)).isEqualTo(eventId);
                assertThat(publish.getAttributes().get(TraceAttributes.SCOPE)).isEqualTo("sub");
                assertThat(publish.getAttributes().get(TraceAttributes.ISSUER)).isEqualTo(ISSUER);
                // The rule's value is a subject id: personal data stays out of traces.
                assertThat(publish.getAttributes().asMap().values()).noneMatch(v -> String.valueOf(v).contains("erin"));

                // The audit line names the publish span: JSON logs carry these under "mdc".
                assertThat(audited).singleElement().extracting(ILoggingEvent::getMDCPropertyMap).satisfies(mdc -> {
                    assertThat(mdc).containsEntry(LogTraceIds.TRACE_ID, publish.getSpanContext().getTraceId());
                    assertThat(mdc).containsEntry(LogTraceIds.SPAN_ID, publish.getSpanContext().getSpanId());
                });

                for (InMemorySpanExporter exported : List.of(exportedA, exportedB)) {
                    SpanData apply = named(exported, RevocationFeed.APPLY_SPAN).get(0);
                    assertThat(apply.getKind()).isEqualTo(SpanKind.CONSUMER);
                    assertThat(apply.getAttributes().get(TraceAttributes.EVENT_ID)).isEqualTo(eventId);
                    assertThat(apply.getParentSpanContext().isValid()).as("a link, not a parent").isFalse();
                    // The same span context, read back from the record's headers (so marked remote).
                    assertThat(apply.getLinks()).singleElement().extracting(LinkData::getSpanContext).satisfies(linked -> {
                        assertThat(linked.getTraceId()).isEqualTo(publish.getSpanContext().getTraceId());
                        assertThat(linked.getSpanId()).isEqualTo(publish.getSpanContext().getSpanId());
                        assertThat(linked.getTraceFlags()).isEqualTo(publish.getSpanContext().getTraceFlags());
                        assertThat(linked.isRemote()).isTrue();
                    });
                }

                // A record the feed cannot read, carrying that publish's trace context: each sidecar's
                // dead-letter line names the same trace, so one trace id finds every line about it.
                try (LogCapture feedLog = LogCapture.warn(RevocationFeed.class.getName());
                     RawTopic raw = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC)) {
                    ProducerRecord<byte[], byte[]> garbage = new ProducerRecord<>(TestSidecars.TOPIC,
                            "not a rule key".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3});
                    garbage.headers().add("traceparent", ("00-" + publish.getSpanContext().getTraceId() + "-"
                            + publish.getSpanContext().getSpanId() + "-01").getBytes(StandardCharsets.UTF_8));
                    raw.write(garbage);
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(feedLog.events())
                            .filteredOn(e -> e.getFormattedMessage().startsWith("dead-lettering"))
                            .hasSize(2)
                            .allSatisfy(e -> assertThat(e.getMDCPropertyMap())
                                    .containsEntry(LogTraceIds.TRACE_ID, publish.getSpanContext().getTraceId())));
                }
                assertThat(org.slf4j.MDC.getCopyOfContextMap()).as("nothing left behind on this thread").isNullOrEmpty();

                // The sidecar API's verify: a SERVER span with the verdict code.
                HttpResponse<String> verified = Http.verify(b.apiPort(), token);
                assertThat(verified.statusCode()).isEqualTo(401);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                        assertThat(named(exportedB, "GET /v1/verify")).singleElement().satisfies(s -> {
                            assertThat(s.getKind()).isEqualTo(SpanKind.SERVER);
                            assertThat(s.getAttributes().get(TraceAttributes.VERDICT)).isEqualTo("revoked");
                            assertThat(s.getAttributes().get(TraceAttributes.HTTP_STATUS)).isEqualTo(401L);
                            assertThat(s.getAttributes().get(TraceAttributes.HTTP_METHOD)).isEqualTo("GET");
                            assertThat(s.getAttributes().get(TraceAttributes.HTTP_ROUTE)).isEqualTo("/v1/verify");
                        }));
                // Forward auth: the same, under its own route.
                assertThat(Http.getWithBearer(b.apiPort(), "/v1/authz/orders", token).statusCode()).isEqualTo(401);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                        assertThat(named(exportedB, "GET /v1/authz")).singleElement().satisfies(s -> {
                            assertThat(s.getKind()).isEqualTo(SpanKind.SERVER);
                            assertThat(s.getAttributes().get(TraceAttributes.VERDICT)).isEqualTo("revoked");
                        }));
            }
        }
    }
}
