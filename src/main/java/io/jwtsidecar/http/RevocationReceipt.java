package io.jwtsidecar.http;

import io.jwtsidecar.feed.EventPosition;
import io.jwtsidecar.feed.PublishReceipt;
import io.jwtsidecar.revocation.RevocationEvent;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The 202 answer to a revoke or restore: which event was published, where it landed, and whether
 * (and with what effect) this sidecar has applied it. Kept typed until it is sent, so that what
 * follows a publication (a revoke published again after a restore overtook it, the wait for the
 * fleet) reads fields rather than the JSON it made.
 *
 * @param type             {@code revoke} or {@code restore}
 * @param publishedAt      the record's Kafka timestamp, wall-clock millis
 * @param effect           what applying it here did ({@code created}, {@code ignored_restored}, …);
 *                         null when not applied here, or not known
 * @param overtakenEventId the revoke this one was published again for, having lost to a restore
 *                         this sidecar had not read yet; null for most
 */
record RevocationReceipt(String eventId, String type, String scope, String issuer, String value, long at,
                         long expiresAt, int partition, long offset, long publishedAt, boolean appliedLocally,
                         @Nullable String effect, @Nullable String overtakenEventId) {

    /** The receipt of {@code event}, published as {@code published}. */
    static RevocationReceipt of(RevocationEvent event, PublishReceipt published, boolean appliedLocally, @Nullable String effect) {
        return new RevocationReceipt(event.eventId(), event.type().name().toLowerCase(Locale.ROOT),
                event.key().scope().wireName(), event.key().issuer(), event.key().value(), event.at(), event.expiresAt(),
                published.partition(), published.offset(), published.timestamp(), appliedLocally, effect, null);
    }

    /** The same receipt, naming the revoke it was published again for. */
    RevocationReceipt overtaking(String firstEventId) {
        return new RevocationReceipt(eventId, type, scope, issuer, value, at, expiresAt, partition, offset, publishedAt,
                appliedLocally, effect, firstEventId);
    }

    /** Where the event landed on the revocation topic, for fleet receipts. */
    EventPosition position() {
        return new EventPosition(partition, offset, publishedAt);
    }

    /**
     * The answer's body (docs/openapi.yaml): every member always present, {@code effect} null
     * when unknown; {@code overtakenEventId} only when set.
     */
    JsonObject toJson() {
        JsonObject json = new JsonObject()
                .put("eventId", eventId)
                .put("type", type)
                .put("scope", scope)
                .put("issuer", issuer)
                .put("value", value)
                .put("at", at)
                .put("expiresAt", expiresAt)
                .put("partition", partition)
                .put("offset", offset)
                .put("publishedAt", publishedAt)
                .put("appliedLocally", appliedLocally)
                .put("effect", effect);
        if (overtakenEventId != null) {
            json.put("overtakenEventId", overtakenEventId);
        }
        return json;
    }
}
