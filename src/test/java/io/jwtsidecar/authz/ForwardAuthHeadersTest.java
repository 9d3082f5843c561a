package io.jwtsidecar.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The headers forward auth reads, gathered in one pass: any case, every value kept, in order. */
class ForwardAuthHeadersTest {

    @Test
    void names_match_in_any_case_and_every_value_is_kept_in_order() {
        ForwardAuthHeaders h = ForwardAuthHeaders.of(List.of(Map.entry("x-forwarded-uri", "/a"),
                Map.entry("User-Agent", "curl"), Map.entry("X-FORWARDED-URI", "/b"), Map.entry("Authorization", "Bearer t"),
                Map.entry("x_forwarded_uri", "/c")));

        assertThat(h.apply("X-Forwarded-Uri")).containsExactly("/a", "/b");
        assertThat(h.apply("authorization")).containsExactly("Bearer t");
        assertThat(h.apply("Cookie")).isEmpty();
        assertThat(h.apply("X-Original-URI")).isEmpty();
    }

    @Test
    void asking_for_a_header_it_does_not_gather_is_a_programming_error() {
        assertThatThrownBy(() -> ForwardAuthHeaders.of(List.of()).apply("User-Agent"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void two_copies_of_a_header_still_make_the_request_ambiguous() {
        ForwardAuthHeaders h = ForwardAuthHeaders.of(List.of(Map.entry("X-Forwarded-Uri", "/public"),
                Map.entry("x-forwarded-uri", "/admin")));

        assertThatThrownBy(() -> ForwardedRequest.from(h, "GET", "")).isInstanceOf(ForwardAuthException.class)
                .hasMessageContaining("more than once");
    }
}
