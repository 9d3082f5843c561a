package io.jwtsidecar.http;

import io.jwtsidecar.admin.AdminScope;
import io.jwtsidecar.admin.IssuerLimit;
import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.feed.PublishReceipt;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RuleKey;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The audit line is JSON whatever its text fields say. The admin API refuses control characters
 * in reasons and values, but a JWT's subject becomes the actor unchecked, and the line must not
 * depend on the checks elsewhere.
 */
class AuditRecordTest {
    private static final String HOSTILE = "x actor=mallory via=jwt\n\u001b[2J";
    private static final String ISSUER = "https://idp.example.com";

    private static String line(String actor, String reason, IssuerLimit issuers) {
        RevocationEvent event = new RevocationEvent("7d1b5f2e-8a4c-4d6b-9e3f-0a1b2c3d4e5f", RevocationEvent.Type.REVOKE,
                new RuleKey(RevocationScope.SUB, ISSUER, "erin"), 1_000L, 2_000L, reason, actor);
        AdminAuthenticator.Principal principal = new AdminAuthenticator.Principal(actor, Set.of(AdminScope.REVOCATIONS_WRITE),
                AdminAuthenticator.Via.JWT, issuers);
        return AuditRecord.line("revoke", event, principal, "ticket-42", new PublishReceipt(event.eventId(), 3, 41L, 5L), Map.of());
    }

    @Test
    void a_hostile_reason_and_subject_parse_back_to_exactly_the_same_fields() {
        String line = line(HOSTILE + "\b\u007f\u009b", HOSTILE, IssuerLimit.everyIssuer());

        assertThat(line).doesNotContain("\n", "\u001b", "\b", "\u007f", "\u009b");
        JsonObject json = new JsonObject(line);
        assertThat(json.fieldNames()).containsExactly("action", "eventId", "scope", "issuer", "value", "at",
                "expiresAt", "actor", "via", "issuers", "onBehalfOf", "reason", "partition", "offset");
        assertThat(json.getString("reason")).isEqualTo(HOSTILE);
        assertThat(json.getString("actor")).isEqualTo(HOSTILE + "\b\u007f\u009b");
        assertThat(json.getString("via")).isEqualTo("jwt");
        assertThat(json.getString("action")).isEqualTo("revoke");
        assertThat(json.getString("scope")).isEqualTo("sub");
        assertThat(json.getString("issuer")).isEqualTo(ISSUER);
        assertThat(json.getString("value")).isEqualTo("erin");
        assertThat(json.getLong("at")).isEqualTo(1_000L);
        assertThat(json.getLong("expiresAt")).isEqualTo(2_000L);
        assertThat(json.getString("issuers")).isEqualTo("*");
        assertThat(json.getString("onBehalfOf")).isEqualTo("ticket-42");
        assertThat(json.getInteger("partition")).isEqualTo(3);
        assertThat(json.getLong("offset")).isEqualTo(41L);
    }

    @Test
    void a_limited_credential_lists_its_issuers_and_absent_fields_are_null() {
        JsonObject json = new JsonObject(line("ops", null, IssuerLimit.only(List.of("https://b", "https://a"))));

        assertThat(json.getJsonArray("issuers").getList()).containsExactly("https://a", "https://b");
        assertThat(json.containsKey("reason")).isTrue();
        assertThat(json.getString("reason")).isNull();
        assertThat(json.getString("actor")).isEqualTo("ops");
    }

    @Test
    void a_revocation_an_identity_provider_asked_for_names_its_source_signal_and_transaction() {
        RevocationEvent event = new RevocationEvent("7d1b5f2e-8a4c-4d6b-9e3f-0a1b2c3d4e5f", RevocationEvent.Type.REVOKE,
                new RuleKey(RevocationScope.SID, ISSUER, "s-1"), 1_000L, 2_000L, "backchannel_logout", "idp:" + ISSUER);
        AdminAuthenticator.Principal principal = new AdminAuthenticator.Principal("idp:" + ISSUER,
                Set.of(AdminScope.REVOCATIONS_WRITE), AdminAuthenticator.Via.IDP_SIGNAL, IssuerLimit.only(List.of(ISSUER)));
        Map<String, Object> signal = new LinkedHashMap<>();
        signal.put("source", "backchannel_logout");
        signal.put("signalId", "jti-1");
        signal.put("txn", null);

        JsonObject json = new JsonObject(AuditRecord.line("revoke", event, principal, null,
                new PublishReceipt(event.eventId(), 0, 7L, 5L), signal));

        assertThat(json.fieldNames()).endsWith("offset", "source", "signalId", "txn");
        assertThat(json.getString("via")).isEqualTo("idp-signal");
        assertThat(json.getString("actor")).isEqualTo("idp:" + ISSUER);
        assertThat(json.getString("signalId")).isEqualTo("jti-1");
    }
}
