package io.jwtsidecar.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Each key's type reads its text and holds it to the bounds it is declared with, naming the value. */
class ConfigTypeTest {

    private static <T> String problem(ConfigKey<T> key, String text) {
        return key.type().parse(text).problem();
    }

    @Test
    void every_default_is_valid_under_its_own_keys_type() {
        List<ConfigKey<?>> keys = new ArrayList<>(ConfigKeys.ALL);
        keys.addAll(ConfigKeys.ISSUER_KEYS);
        for (ConfigKey<?> key : keys) {
            if (key.defaultValue() != null) {
                assertThat(problem(key, key.defaultValue())).as(key.name()).isNull();
            }
        }
    }

    @Test
    void ports_are_from_0_to_65535() {
        for (ConfigKey<Integer> port : List.of(ConfigKeys.API_PORT, ConfigKeys.ADMIN_PORT, ConfigKeys.METRICS_PORT)) {
            assertThat(problem(port, "0")).isNull();
            assertThat(port.type().parse(" 65535 ").value()).isEqualTo(65535);
            assertThat(problem(port, "65536")).isEqualTo("must be between 0 and 65535, got '65536'");
            assertThat(problem(port, "-1")).isEqualTo("must be between 0 and 65535, got '-1'");
            assertThat(problem(port, "http")).isEqualTo("must be a whole number, got 'http'");
        }
    }

    @Test
    void sizes_have_their_floors() {
        assertThat(problem(ConfigKeys.MAX_TOKEN_BYTES, "255")).isEqualTo("must be between 256 and 1048576, got '255'");
        assertThat(problem(ConfigKeys.MAX_TOKEN_BYTES, "1048577")).isNotNull();
        assertThat(problem(ConfigKeys.CACHE_MAX_BYTES, "0")).as("0 turns the cache off").isNull();
        assertThat(problem(ConfigKeys.DEAD_LETTER_MAX_BYTES, "65535")).isEqualTo(
                "must be between 65536 and 2147483647, got '65535'");
        assertThat(problem(ConfigKeys.BLOOM_EXPECTED, "0")).isNotNull();
    }

    @Test
    void booleans_are_true_or_false_only() {
        assertThat(ConfigKeys.API_NOOP_ROUTE.type().parse(" true ").value()).isTrue();
        assertThat(problem(ConfigKeys.API_NOOP_ROUTE, "yes")).isEqualTo("must be true or false, got 'yes'");
    }

    @Test
    void durations_hold_their_bounds() {
        assertThat(problem(ConfigKeys.SHUTDOWN_GRACE, "0s")).isNull();
        assertThat(problem(ConfigKeys.SHUTDOWN_GRACE, "5m")).isNull();
        assertThat(problem(ConfigKeys.SHUTDOWN_GRACE, "301s")).isEqualTo("must be between 0s and 5m, got '301s'");
        assertThat(problem(ConfigKeys.FLEET_GONE_AFTER, "0s")).isEqualTo("must be longer than zero, got '0s'");
        assertThat(problem(ConfigKeys.FLEET_GONE_AFTER, "soon")).startsWith("'soon' is not a duration");
        assertThat(problem(ConfigKeys.CLOCK_SKEW, "10m")).isNull();
        assertThat(problem(ConfigKeys.CLOCK_SKEW, "601s")).isEqualTo("must be between 0s and 10m, got '601s'");
        assertThat(ConfigKeys.MAX_TOKEN_LIFETIME.type().parse("3650d").value()).isEqualTo(Duration.ofDays(3650));
        assertThat(problem(ConfigKeys.MAX_TOKEN_LIFETIME, "3651d"))
                .isEqualTo("must be at most 3650d (ten years), got '3651d'");
    }

    @Test
    void decimals_hold_their_bounds_and_how_they_are_open() {
        assertThat(problem(ConfigKeys.BLOOM_FPP, "0.49")).isNull();
        assertThat(problem(ConfigKeys.BLOOM_FPP, "0.5")).isEqualTo("must be between 0 and 0.5 (exclusive), got '0.5'");
        assertThat(problem(ConfigKeys.BLOOM_FPP, "0")).isNotNull();
        assertThat(problem(ConfigKeys.BLOOM_FPP, "tiny")).isEqualTo("must be a number, got 'tiny'");
        assertThat(Stream.of("0", "1").map(v -> problem(ConfigKeys.TRACING_REQUEST_SAMPLE_RATIO, v))).containsOnlyNulls();
        assertThat(problem(ConfigKeys.TRACING_REQUEST_SAMPLE_RATIO, "1.01"))
                .isEqualTo("must be a number from 0 to 1, got '1.01'");
    }

    @Test
    void words_and_names_are_checked_against_what_is_allowed() {
        assertThat(problem(ConfigKeys.ON_STALE, "fail-open")).isNull();
        assertThat(problem(ConfigKeys.ON_STALE, "open")).isEqualTo("must be fail-closed or fail-open, got 'open'");
        assertThat(ConfigType.oneOf("a", "b", "c").parse("d").problem()).isEqualTo("must be a, b or c, got 'd'");
        assertThat(problem(ConfigKeys.KAFKA_TOPIC, "a/b")).isEqualTo("'a/b' is not a valid Kafka topic name");
        assertThat(problem(ConfigKeys.API_HOST, "no-such-host.invalid"))
                .isEqualTo("'no-such-host.invalid' is not a resolvable address");
    }

    @Test
    void a_problem_still_yields_a_value_so_every_other_key_is_checked() {
        assertThat(ConfigKeys.API_PORT.type().parse("x").value()).isEqualTo(0);
        assertThat(ConfigKeys.MAX_STALENESS.type().parse("x").value()).isEqualTo(Duration.ofMinutes(10));
        assertThat(ConfigKeys.TRACING_REQUEST_SAMPLE_RATIO.type().parse("2").value()).isEqualTo(1.0);
    }
}
