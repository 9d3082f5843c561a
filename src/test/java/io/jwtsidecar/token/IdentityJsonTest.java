package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The /v1/verify body of an accepted token, built once per verified token. */
class IdentityJsonTest {
    private static final byte[] CLAIMS =
            "{\"iss\":\"https://idp.example\",\"sub\":\"alice\",\"roles\":[\"a\",\"b\"],\"n\":1.50}".getBytes(StandardCharsets.UTF_8);

    @Test
    void holds_active_issuer_subject_and_the_claims_as_they_were_signed() {
        String body = new String(IdentityJson.encode("https://idp.example", "alice", CLAIMS), StandardCharsets.UTF_8);

        assertThat(body).isEqualTo("{\"active\":true,\"iss\":\"https://idp.example\",\"sub\":\"alice\",\"claims\":"
                + new String(CLAIMS, StandardCharsets.UTF_8) + "}");
        assertThat(new JsonObject(body).getJsonObject("claims").getJsonArray("roles")).containsExactly("a", "b");
    }

    @Test
    void leaves_out_sub_when_the_token_has_none() {
        JsonObject body = new JsonObject(new String(IdentityJson.encode("https://idp.example", null, CLAIMS),
                StandardCharsets.UTF_8));

        assertThat(body.fieldNames()).containsExactly("active", "iss", "claims");
    }

    @Test
    void escapes_quotes_control_characters_and_keeps_non_ascii_text() {
        String subject = "a\"b\\c\nd é 漢";
        JsonObject body = new JsonObject(new String(IdentityJson.encode("https://idp.example", subject, CLAIMS),
                StandardCharsets.UTF_8));

        assertThat(body.getString("sub")).isEqualTo(subject);
        assertThat(body.getString("iss")).isEqualTo("https://idp.example");
    }

    @Test
    void is_encoded_once_and_its_size_is_known_before() {
        IdentityJson identity = new IdentityJson("https://idp.example", "alice", CLAIMS);

        int estimate = identity.estimatedSize();
        byte[] first = identity.bytes();

        assertThat(estimate).isEqualTo(first.length);
        assertThat(identity.bytes()).isSameAs(first);
        assertThat(new IdentityJson("https://idp.example", null, CLAIMS).estimatedSize())
                .isGreaterThanOrEqualTo(IdentityJson.encode("https://idp.example", null, CLAIMS).length);
    }
}
