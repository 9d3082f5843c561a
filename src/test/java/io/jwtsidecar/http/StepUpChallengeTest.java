package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.authz.AuthzDecision;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The step-up challenge, byte for byte against RFC 9470 §3's examples (Figures 2 and 3, with the
 * line folding of the RFC's layout joined into one header value).
 */
class StepUpChallengeTest {

    @Test
    void a_different_authentication_level_exactly_as_rfc_9470_figure_2() {
        String challenge = HttpResponses.stepUpChallenge(new AuthzDecision.StepUp(List.of("myACR"), null, true));

        assertThat(challenge).isEqualTo("Bearer error=\"insufficient_user_authentication\", "
                + "error_description=\"A different authentication level is required\", acr_values=\"myACR\"");
    }

    @Test
    void a_more_recent_authentication_exactly_as_rfc_9470_figure_3() {
        String challenge = HttpResponses.stepUpChallenge(new AuthzDecision.StepUp(List.of(), Duration.ofSeconds(5), false));

        assertThat(challenge).isEqualTo("Bearer error=\"insufficient_user_authentication\", "
                + "error_description=\"More recent authentication is required\", max_age=\"5\"");
    }

    @Test
    void a_route_demanding_both_names_both_in_order_of_preference() {
        String challenge = HttpResponses.stepUpChallenge(
                new AuthzDecision.StepUp(List.of("urn:a:mfa", "urn:a:hwk"), Duration.ofMinutes(10), false));

        assertThat(challenge).isEqualTo("Bearer error=\"insufficient_user_authentication\", "
                + "error_description=\"More recent authentication is required\", acr_values=\"urn:a:mfa urn:a:hwk\", "
                + "max_age=\"600\"");
    }
}
