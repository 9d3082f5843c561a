package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.token.BearerExtractor.Extracted;
import io.jwtsidecar.token.BearerExtractor.Problem;
import io.jwtsidecar.token.BearerExtractor.Reading;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Finding the bearer token in Authorization headers (RFC 6750 §2.1), never guessing. */
class BearerExtractorTest {
    private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln";

    private static Extracted extract(String... headerValues) {
        return BearerExtractor.fromAuthorization(Arrays.asList(headerValues));
    }

    @Test
    void a_bearer_token_is_found() {
        Extracted e = extract("Bearer " + TOKEN);

        assertThat(e.found()).isTrue();
        assertThat(e.token()).isEqualTo(TOKEN);
        assertThat(e.verdict()).isNull();
    }

    @ParameterizedTest(name = "the scheme is case-insensitive: \"{0}\"")
    @ValueSource(strings = {"bearer", "BEARER", "BeArEr"})
    void the_scheme_name_is_case_insensitive(String scheme) {
        Extracted e = extract(scheme + " " + TOKEN);

        assertThat(e.token()).isEqualTo(TOKEN);
    }

    @Test
    void spaces_around_the_header_value_and_after_the_scheme_are_tolerated() {
        assertThat(extract("  Bearer   " + TOKEN + "  ").token()).isEqualTo(TOKEN);
    }

    @Test
    void no_authorization_header_is_a_missing_token() {
        assertThat(BearerExtractor.fromAuthorization(List.of()))
                .isEqualTo(new Extracted(null, Verdict.MISSING_TOKEN));
        assertThat(BearerExtractor.fromAuthorization(null))
                .isEqualTo(new Extracted(null, Verdict.MISSING_TOKEN));
    }

    @Test
    void two_authorization_headers_are_malformed_even_when_both_carry_a_bearer_token() {
        Extracted e = extract("Bearer " + TOKEN, "Bearer other");

        assertThat(e.found()).isFalse();
        assertThat(e.verdict()).isEqualTo(Verdict.MALFORMED);
    }

    @ParameterizedTest(name = "another scheme is a missing token: \"{0}\"")
    @ValueSource(strings = {"Basic x", "Basic dXNlcjpwYXNz", "Digest username=\"a\"", "Bear", ""})
    void another_scheme_is_a_missing_token(String header) {
        Extracted e = extract(header);

        assertThat(e.found()).isFalse();
        assertThat(e.verdict()).isEqualTo(Verdict.MISSING_TOKEN);
    }

    @Test
    void a_scheme_that_merely_starts_with_bearer_is_another_scheme() {
        Extracted e = extract("Bearerxyz");

        assertThat(e.found()).isFalse();
        assertThat(e.verdict()).isEqualTo(Verdict.MISSING_TOKEN);
    }

    @ParameterizedTest(name = "an empty bearer value is malformed: \"{0}\"")
    @ValueSource(strings = {"Bearer", "Bearer   ", "bearer ", "BEARER"})
    void the_bearer_scheme_without_a_token_is_malformed(String header) {
        Extracted e = extract(header);

        assertThat(e.found()).isFalse();
        assertThat(e.verdict()).isEqualTo(Verdict.MALFORMED);
    }

    @Test
    void a_token_with_an_inner_space_is_malformed() {
        Extracted e = extract("Bearer abc def");

        assertThat(e.found()).isFalse();
        assertThat(e.verdict()).isEqualTo(Verdict.MALFORMED);
    }

    static Stream<Arguments> problems() {
        return Stream.of(
                Arguments.of(new String[0], Problem.NO_HEADER),
                Arguments.of(new String[] {"Basic dXNlcjpwYXNz"}, Problem.OTHER_SCHEME),
                Arguments.of(new String[] {"Bearerxyz"}, Problem.OTHER_SCHEME),
                Arguments.of(new String[] {"Bearer\t" + TOKEN}, Problem.OTHER_SCHEME),
                Arguments.of(new String[] {"Bearer a", "Bearer a"}, Problem.SEVERAL_HEADERS),
                Arguments.of(new String[] {"Bearer"}, Problem.EMPTY_TOKEN),
                Arguments.of(new String[] {"bearer   "}, Problem.EMPTY_TOKEN),
                Arguments.of(new String[] {"Bearer abc def"}, Problem.SPACE_IN_TOKEN));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("problems")
    void each_problem_is_named_and_earns_the_verdict_of_fromAuthorization(String[] headers, Problem problem) {
        Reading r = BearerExtractor.read(Arrays.asList(headers));

        assertThat(r).isEqualTo(new Reading(null, problem));
        assertThat(extract(headers)).isEqualTo(new Extracted(null, problem.verdict()));
    }

    @Test
    void a_reading_of_a_good_header_carries_the_token_and_no_problem() {
        assertThat(BearerExtractor.read(List.of("bEaReR   " + TOKEN))).isEqualTo(new Reading(TOKEN, null));
    }
}
