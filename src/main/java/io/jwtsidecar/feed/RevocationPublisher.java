package io.jwtsidecar.feed;

import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.EventSigner;
import io.jwtsidecar.revocation.Provenance;
import io.jwtsidecar.tracing.KafkaHeaders;
import io.jwtsidecar.tracing.TraceAttributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.buffer.Buffer;
import java.util.Locale;
import java.time.Clock;
import java.util.Optional;
import io.jwtsidecar.revocation.RevocationEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes revocation events to the topic, keyed by rule key so compaction keeps the latest
 * event of each rule, and signed ({@link EventSigner}) when this sidecar has a signing key. The
 * producer is idempotent with {@code acks=all}: a returned receipt means every in-sync replica
 * has the event, and retries cannot duplicate or reorder it.
 *
 * <p>Each publish is a PRODUCER span {@value #SPAN_NAME} whose W3C trace context travels in the
 * record's headers, for the applying sidecars to link to. Its attributes name the event, its
 * scope and issuer, never the rule's value (a subject or session id is personal data).
 *
 * <p>Safe from any thread; futures complete on the caller's Vert.x context.
 */
public final class RevocationPublisher {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final EventCodec codec;
    private final Optional<EventSigner> signer;
    private final Clock clock;
    private final Tracer tracer;

    public static final String SPAN_NAME = "revocation publish";

    private RevocationPublisher(KafkaProducer<byte[], byte[]> producer, String topic, EventCodec codec,
                                Optional<EventSigner> signer, Clock clock, Tracer tracer) {
        this.producer = producer;
        this.tracer = tracer;
        this.topic = topic;
        this.codec = codec;
        this.signer = signer;
        this.clock = clock;
    }

    /**
     * @param kafkaConfig producer settings (bootstrap servers and any passthrough settings); the
     *                    durability settings are forced, not defaults
     */
    public static RevocationPublisher create(Vertx vertx, Map<String, String> kafkaConfig, String topic,
                                             EventCodec codec, Optional<EventSigner> signer, Clock clock,
                                             Tracer tracer) {
        Map<String, String> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "jwt-sidecar-publisher");
        return new RevocationPublisher(KafkaProducer.create(vertx, config), topic, codec, signer, clock, tracer);
    }

    /** The kid this publisher signs with, or {@link Provenance#UNSIGNED}. */
    public String signerKid() {
        return signer.map(EventSigner::kid).orElse(Provenance.UNSIGNED);
    }

    public Future<PublishReceipt> publish(RevocationEvent event) {
        byte[] key = event.key().toBytes();
        byte[] value = codec.encode(event);
        KafkaProducerRecord<byte[], byte[]> record = KafkaProducerRecord.create(topic, key, value);
        signer.ifPresent(s -> record.addHeader(EventSigner.HEADER,
                Buffer.buffer(s.sign(topic, key, value, clock.instant().getEpochSecond()))));
        Span span = tracer.spanBuilder(SPAN_NAME).setSpanKind(SpanKind.PRODUCER)
                .setAttribute(TraceAttributes.MESSAGING_SYSTEM, "kafka")
                .setAttribute(TraceAttributes.MESSAGING_DESTINATION, topic)
                .setAttribute(TraceAttributes.MESSAGING_OPERATION, "send")
                .setAttribute(TraceAttributes.EVENT_ID, event.eventId())
                .setAttribute(TraceAttributes.EVENT_TYPE, event.type().name().toLowerCase(Locale.ROOT))
                .setAttribute(TraceAttributes.SCOPE, event.key().scope().wireName())
                .setAttribute(TraceAttributes.ISSUER, event.key().issuer())
                .startSpan();
        // The signature covers key and value only, so the trace headers added here never break it.
        KafkaHeaders.inject(Context.root().with(span), record::addHeader);
        return producer.send(record)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        span.setAttribute(TraceAttributes.PARTITION, String.valueOf(ar.result().getPartition()));
                        span.setAttribute(TraceAttributes.OFFSET, ar.result().getOffset());
                    } else {
                        span.recordException(ar.cause());
                        span.setStatus(StatusCode.ERROR);
                    }
                    span.end();
                })
                .map(meta -> new PublishReceipt(event.eventId(), meta.getPartition(), meta.getOffset(),
                        meta.getTimestamp(), span.getSpanContext()));
    }

    public Future<Void> close() {
        return producer.close();
    }
}
