package io.jwtsidecar.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Base64;
import java.util.Optional;

/**
 * AdmissionReview bodies as the API server (or anyone who reaches the webhook's port) sends
 * them: {@link AdmissionWebhook#review} answers every body, never throws, with either a 400 and
 * a JSON error or a 200 AdmissionReview that answers the request's own uid, in either mode; a fail-open webhook
 * admits every pod, and a patch is always base64 of a JSON Patch array.
 */
class AdmissionWebhookFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final InjectionSettings SETTINGS = new InjectionSettings("registry.example.com/jwt-sidecar:0.1.0",
            "jwt-sidecar-config", Optional.empty(), 8181);

    private final AdmissionWebhook failOpen = new AdmissionWebhook(new SidecarInjector(SETTINGS), false);
    private final AdmissionWebhook failClosed = new AdmissionWebhook(new SidecarInjector(SETTINGS), true);
    private final InjectionSettings nodeSettings = new InjectionSettings(SETTINGS.image(), SETTINGS.configMap(),
            Optional.empty(), SETTINGS.apiPort(), InjectionMode.NODE);
    private final AdmissionWebhook nodeFailOpen = new AdmissionWebhook(new SidecarInjector(nodeSettings), false);
    private final AdmissionWebhook nodeFailClosed = new AdmissionWebhook(new SidecarInjector(nodeSettings), true);

    @FuzzTest(maxDuration = "2s")
    void everyBodyGetsAnAnswer(FuzzedDataProvider data) throws Exception {
        boolean closed = data.consumeBoolean();
        boolean node = data.consumeBoolean();
        byte[] body = data.consumeRemainingAsBytes();

        AdmissionWebhook webhook = node ? (closed ? nodeFailClosed : nodeFailOpen) : (closed ? failClosed : failOpen);
        AdmissionWebhook.Reply reply = webhook.review(body);

        assertThat(reply.status()).isIn(200, 400);
        JsonNode answer = JSON.readTree(reply.body());
        if (reply.status() == 400) {
            assertThat(answer.path("error").asText()).isEqualTo("invalid_review");
            return;
        }
        JsonNode response = answer.get("response");
        assertThat(answer.path("kind").asText()).isEqualTo("AdmissionReview");
        assertThat(response.path("uid").asText()).isEqualTo(JSON.readTree(body).path("request").path("uid").asText());
        if (!closed) {
            assertThat(response.path("allowed").asBoolean()).as(reply.body()).isTrue();
        }
        if (response.has("patch")) {
            assertThat(JSON.readTree(Base64.getDecoder().decode(response.get("patch").asText())).isArray()).isTrue();
        }
    }
}
