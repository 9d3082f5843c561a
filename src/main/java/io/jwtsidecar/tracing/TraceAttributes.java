package io.jwtsidecar.tracing;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The attribute keys of the sidecar's spans: OpenTelemetry's messaging and HTTP semantic
 * conventions where they have a name, {@code jwt_sidecar.*} for the rest. The rule's value (a
 * subject, session or token id) is never an attribute: traces leave the sidecar, and the value is
 * personal data.
 */
public final class TraceAttributes {
    public static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    public static final AttributeKey<String> MESSAGING_DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    public static final AttributeKey<String> MESSAGING_OPERATION = AttributeKey.stringKey("messaging.operation.type");
    public static final AttributeKey<String> PARTITION = AttributeKey.stringKey("messaging.destination.partition.id");
    public static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");

    public static final AttributeKey<String> EVENT_ID = AttributeKey.stringKey("jwt_sidecar.event.id");
    public static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("jwt_sidecar.event.type");
    public static final AttributeKey<String> SCOPE = AttributeKey.stringKey("jwt_sidecar.revocation.scope");
    public static final AttributeKey<String> ISSUER = AttributeKey.stringKey("jwt_sidecar.revocation.issuer");
    /** What applying the event did (RuleMerge.Effect), e.g. revoked, already_revoked. */
    public static final AttributeKey<String> EFFECT = AttributeKey.stringKey("jwt_sidecar.event.effect");

    public static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    public static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    public static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    /** The verdict code of a verify or forward-auth answer, as the metrics count it: accepted, allowed, expired, ... */
    public static final AttributeKey<String> VERDICT = AttributeKey.stringKey("jwt_sidecar.verdict");

    private TraceAttributes() {
    }
}
