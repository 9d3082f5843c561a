package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.feed.EventPosition;
import io.jwtsidecar.feed.PublishReceipt;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RuleKey;
import org.junit.jupiter.api.Test;

/** The 202 answer to a revoke or restore, byte for byte: clients read its members by name. */
class RevocationReceiptTest {
    private static final RevocationEvent REVOKE = new RevocationEvent("e-1", RevocationEvent.Type.REVOKE,
            new RuleKey(RevocationScope.SUB, "https://idp.example.com", "alice"), 1_700_000_000L, 1_700_003_660L,
            "logout", "admin");
    private static final PublishReceipt PUBLISHED = new PublishReceipt("e-1", 3, 41L, 1_700_000_000_123L);

    @Test
    void a_receipt_renders_every_member_in_the_order_the_api_has_always_had() {
        RevocationReceipt receipt = RevocationReceipt.of(REVOKE, PUBLISHED, true, "created");

        assertThat(receipt.toJson().encode()).isEqualTo("{\"eventId\":\"e-1\",\"type\":\"revoke\",\"scope\":\"sub\","
                + "\"issuer\":\"https://idp.example.com\",\"value\":\"alice\",\"at\":1700000000,\"expiresAt\":1700003660,"
                + "\"partition\":3,\"offset\":41,\"publishedAt\":1700000000123,\"appliedLocally\":true,"
                + "\"effect\":\"created\"}");
    }

    @Test
    void an_effect_not_known_here_is_null_not_absent() {
        RevocationReceipt receipt = RevocationReceipt.of(REVOKE, PUBLISHED, false, null);

        assertThat(receipt.toJson().encode()).endsWith(",\"appliedLocally\":false,\"effect\":null}");
    }

    @Test
    void a_revoke_published_again_names_the_overtaken_one_last() {
        RevocationReceipt receipt = RevocationReceipt.of(REVOKE, PUBLISHED, true, "created").overtaking("e-0");

        assertThat(receipt.toJson().encode()).endsWith(",\"effect\":\"created\",\"overtakenEventId\":\"e-0\"}");
        assertThat(receipt.eventId()).isEqualTo("e-1");
    }

    @Test
    void the_position_is_where_kafka_put_the_record() {
        assertThat(RevocationReceipt.of(REVOKE, PUBLISHED, true, null).position())
                .isEqualTo(new EventPosition(3, 41L, 1_700_000_000_123L));
    }

    @Test
    void a_restore_is_typed_restore() {
        RevocationEvent restore = new RevocationEvent("e-2", RevocationEvent.Type.RESTORE, REVOKE.key(), 1_700_000_100L,
                0L, null, "admin");

        assertThat(RevocationReceipt.of(restore, PUBLISHED, true, null).type()).isEqualTo("restore");
    }
}
