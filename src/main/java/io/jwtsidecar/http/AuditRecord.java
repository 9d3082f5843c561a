package io.jwtsidecar.http;

import io.jwtsidecar.admin.IssuerLimit;
import io.jwtsidecar.feed.PublishReceipt;
import io.jwtsidecar.logging.JsonLine;
import io.jwtsidecar.revocation.RevocationEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One accepted admin action as the audit log writes it: a JSON object on one line (see
 * docs/CONFIG.md, "Logging"). It replaced {@code key=value} text, where a reason or subject
 * saying {@code x actor=mallory} read as a field of its own.
 */
final class AuditRecord {
    private AuditRecord() {
    }

    /**
     * @param action     {@code revoke} or {@code restore}
     * @param onBehalfOf who the caller says it acts for (the request's actor), may be null
     * @param signal     for a revocation an identity provider asked for: its source, signal id and
     *                   transaction id (appended in this order); empty for an admin's request
     */
    static String line(String action, RevocationEvent event, AdminAuthenticator.Principal principal, @Nullable String onBehalfOf,
                       PublishReceipt receipt, Map<String, Object> signal) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("action", action);
        fields.put("eventId", event.eventId());
        fields.put("scope", event.key().scope().wireName());
        fields.put("issuer", event.key().issuer());
        fields.put("value", event.key().value());
        fields.put("at", event.at());
        fields.put("expiresAt", event.expiresAt());
        fields.put("actor", principal.actor());
        fields.put("via", principal.via().label());
        // "*" for a credential of every issuer, else the list, as IssuerLimit writes it elsewhere.
        fields.put("issuers", principal.issuers().issuers().<Object>map(i -> i.stream().sorted().toList()).orElse("*"));
        fields.put("onBehalfOf", onBehalfOf);
        fields.put("reason", event.reason());
        fields.put("partition", receipt.partition());
        fields.put("offset", receipt.offset());
        fields.putAll(signal);
        return JsonLine.of(fields);
    }
}
