package io.jwtsidecar.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shipped logback.xml (not the tests' own) read into a context of its own, so switching its
 * format here leaves the tests' logging alone.
 */
class LogFormatTest {
    private static final Instant AT = Instant.parse("2026-03-04T05:06:07.089Z");
    private final LoggerContext context = new LoggerContext();

    @BeforeEach
    void readTheShippedConfiguration() throws Exception {
        JoranConfigurator joran = new JoranConfigurator();
        context.setMDCAdapter(new LogbackMDCAdapter()); // the SLF4J binding sets it on the global context only
        joran.setContext(context);
        joran.doConfigure(Path.of("src/main/resources/logback.xml").toFile());
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    private String encode(ILoggingEvent event) {
        OutputStreamAppender<ILoggingEvent> appender = (OutputStreamAppender<ILoggingEvent>)
                context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        return new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
    }

    private LoggingEvent event(String message, Object... args) {
        LoggingEvent e = new LoggingEvent("x", context.getLogger("io.jwtsidecar.Example"), Level.WARN, message, null, args);
        e.setInstant(AT);
        e.setThreadName("main");
        return e;
    }

    @Test
    void text_lines_start_with_an_iso_8601_date_time_in_utc_with_its_offset() {
        String line = encode(event("hello {}", "there"));

        assertThat(line).startsWith("2026-03-04T05:06:07.089Z WARN  [main] ").endsWith("- hello there\n");
        assertThat(OffsetDateTime.parse(line.substring(0, line.indexOf(' '))).toInstant()).isEqualTo(AT);
    }

    @Test
    void json_lines_parse_with_the_documented_field_names() throws Exception {
        LogFormat.JSON.apply(context);
        LoggingEvent e = event("refused {}", "a\u001b[2J\"quoted\"\nsecond line");
        e.setMDCPropertyMap(Map.of("requestId", "r-1"));
        e.setThrowableProxy(new ch.qos.logback.classic.spi.ThrowableProxy(new IllegalStateException("boom")));

        String line = encode(e);

        assertThat(line).endsWith("\n").doesNotContain("\u001b");
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("timestamp").asLong()).isEqualTo(AT.toEpochMilli());
        assertThat(json.get("level").asText()).isEqualTo("WARN");
        assertThat(json.get("loggerName").asText()).isEqualTo("io.jwtsidecar.Example");
        assertThat(json.get("threadName").asText()).isEqualTo("main");
        assertThat(json.get("formattedMessage").asText()).isEqualTo("refused a\u001b[2J\"quoted\"\nsecond line");
        assertThat(json.get("mdc").get("requestId").asText()).isEqualTo("r-1");
        assertThat(json.get("throwable").get("className").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(json.get("throwable").get("message").asText()).isEqualTo("boom");
        assertThat(json.has("message")).as("the raw template is left out").isFalse();
        assertThat(json.has("arguments")).isFalse();
        assertThat(json.has("context")).isFalse();
    }

    @Test
    void switching_back_to_text_restores_the_configured_pattern_and_applying_twice_changes_nothing() {
        LogFormat.JSON.apply(context);
        LogFormat.JSON.apply(context);
        assertThat(encode(event("x"))).startsWith("{");

        LogFormat.TEXT.apply(context);

        assertThat(encode(event("x"))).startsWith("2026-03-04T05:06:07.089Z WARN");
    }

    @Test
    void only_text_and_json_are_formats() {
        assertThat(LogFormat.parse("text")).contains(LogFormat.TEXT);
        assertThat(LogFormat.parse("json")).contains(LogFormat.JSON);
        assertThat(LogFormat.parse("yaml")).isEmpty();
        assertThat(LogFormat.parse("JSON")).isEmpty();
        assertThat(LogFormat.parse(null)).isEmpty();
    }
}
