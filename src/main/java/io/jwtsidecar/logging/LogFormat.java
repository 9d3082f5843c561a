package io.jwtsidecar.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * {@code logging.format}: how the log lines on stderr look. {@code text} is logback.xml's pattern;
 * {@code json} is one JSON object a line, written by Logback's own {@link JsonEncoder}, so a log
 * collector needs no pattern to parse it. The switch happens at startup, after logback.xml has
 * been read, by swapping the encoder of the root logger's appenders: the appenders, their targets
 * and the logger levels stay as logback.xml set them.
 */
public enum LogFormat {
    TEXT,
    JSON;

    /**
     * The context property (set in logback.xml) holding the text pattern, so that switching back
     * to text restores the configured pattern instead of a second copy of it here.
     */
    public static final String TEXT_PATTERN_PROPERTY = "TEXT_PATTERN";

    /** {@code text} or {@code json}; empty for anything else. */
    public static Optional<LogFormat> parse(String value) {
        for (LogFormat f : values()) {
            if (f.wireName().equals(value)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The name in the configuration: {@code text}, {@code json}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * {@link #apply(LoggerContext)} to the context SLF4J logs to, when that is Logback's (it is
     * in the jar; nothing to do under another binding).
     */
    public void applyToLogback() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            apply(context);
        }
    }

    /**
     * Gives the root logger's stream appenders this format's encoder. An appender that already
     * has it is left alone, so applying the same format twice changes nothing.
     */
    public void apply(LoggerContext context) {
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
                Encoder<ILoggingEvent> current = appender.getEncoder();
                if (this == JSON && !(current instanceof JsonEncoder)) {
                    swap(appender, jsonEncoder(context));
                } else if (this == TEXT && current instanceof JsonEncoder) {
                    String pattern = context.getProperty(TEXT_PATTERN_PROPERTY);
                    if (pattern != null) {
                        swap(appender, textEncoder(context, pattern));
                    }
                }
            }
        }
    }

    /**
     * Logback's JSON encoder without what repeats or is rarely wanted: the raw message template
     * and its arguments (the formatted message says both), the logger context, sequence numbers
     * and nanoseconds. Field names are Logback's: timestamp (epoch milliseconds), level,
     * threadName, loggerName, markers, mdc, kvpList, formattedMessage, throwable.
     */
    static JsonEncoder jsonEncoder(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        return encoder;
    }

    private static PatternLayoutEncoder textEncoder(LoggerContext context, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    private static void swap(OutputStreamAppender<ILoggingEvent> appender, Encoder<ILoggingEvent> encoder) {
        // setEncoder only takes effect for what is written next; stopping first would drop lines.
        Encoder<ILoggingEvent> previous = appender.getEncoder();
        appender.setEncoder(encoder);
        if (previous != null) {
            previous.stop();
        }
    }
}
