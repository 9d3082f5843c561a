package io.jwtsidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jwtsidecar.testing.MinimalConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code tracing.*}: off unless an endpoint is given, and only an http(s) URL with a host is one. */
class TracingConfigTest {
    @TempDir
    Path dir;

    private static String yaml(String tracingLines) {
        return (tracingLines.isEmpty() ? "" : "tracing:\n" + tracingLines) + MinimalConfig.KAFKA + MinimalConfig.ISSUERS;
    }

    private SidecarConfig parse(String yaml, Map<String, String> env) {
        return new ConfigLoader(env).parse(yaml, dir);
    }

    private List<String> errors(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml, Map.of())).errors();
    }

    @Test
    void tracing_is_off_by_default() {
        SidecarConfig.Tracing tracing = parse(yaml(""), Map.of()).tracing();

        assertThat(tracing.otlpEndpoint()).isEmpty();
        assertThat(tracing.serviceName()).isEqualTo("jwt-sidecar");
        assertThat(tracing.requestSampleRatio()).isEqualTo(1.0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.01", "1"})
    void a_request_sample_ratio_from_0_to_1_is_taken(String ratio) {
        assertThat(parse(yaml("  requestSampleRatio: " + ratio + "\n"), Map.of()).tracing().requestSampleRatio())
                .isEqualTo(Double.parseDouble(ratio));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-0.1", "1.5", "NaN", "half"})
    void a_request_sample_ratio_outside_0_to_1_is_a_config_error_naming_key_and_value(String ratio) {
        assertThat(errors(yaml("  requestSampleRatio: \"" + ratio + "\"\n"))).singleElement().asString()
                .startsWith("tracing.requestSampleRatio: must be a number").contains("got '" + ratio + "'");
    }

    @Test
    void an_endpoint_and_a_service_name_turn_it_on() {
        SidecarConfig.Tracing tracing = parse(yaml("  otlpEndpoint: https://collector.example:4318\n"
                + "  serviceName: edge-auth\n"), Map.of()).tracing();

        assertThat(tracing.otlpEndpoint()).contains(URI.create("https://collector.example:4318"));
        assertThat(tracing.serviceName()).isEqualTo("edge-auth");
    }

    @Test
    void the_environment_sets_them_too() {
        SidecarConfig.Tracing tracing = parse(yaml(""), Map.of("JWT_SIDECAR_TRACING_OTLP_ENDPOINT",
                "http://otel-collector:4318", "JWT_SIDECAR_TRACING_SERVICE_NAME", "pod-auth")).tracing();

        assertThat(tracing).isEqualTo(new SidecarConfig.Tracing(Optional.of(URI.create("http://otel-collector:4318")),
                "pod-auth", 1.0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"otel-collector:4318", "ftp://collector:4318", "http://", "http:///v1/traces",
            "https://collector:4318/?x=1", "http://coll ector:4318"})
    void an_endpoint_that_is_no_http_url_is_a_config_error_naming_key_and_value(String endpoint) {
        assertThat(errors(yaml("  otlpEndpoint: \"" + endpoint + "\"\n"))).singleElement().asString()
                .contains("tracing.otlpEndpoint: must be an http or https URL", "got '" + endpoint + "'");
    }

    @Test
    void an_empty_service_name_is_a_config_error() {
        assertThat(errors(yaml("  serviceName: \"\"\n"))).singleElement().asString()
                .contains("tracing.serviceName: must not be empty");
    }

    @Test
    void a_misspelt_tracing_key_is_an_unknown_key() {
        assertThat(errors(yaml("  otlpEndpiont: http://collector:4318\n"))).singleElement().asString()
                .contains("tracing.otlpEndpiont: unknown key");
    }
}
