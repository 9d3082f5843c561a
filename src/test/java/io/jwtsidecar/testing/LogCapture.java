package io.jwtsidecar.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures what one Logback logger writes, at {@code level} and above, in a {@link ListAppender}
 * until closed; the logger's level is put back then. Use in try-with-resources. Safe to read
 * while other threads (event loops) log.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final Level previousLevel;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
        @Override
        protected void append(ILoggingEvent event) {
            // ListAppender's list is a plain ArrayList: guard it, the test thread reads it meanwhile.
            synchronized (list) {
                super.append(event);
            }
        }
    };

    private LogCapture(String loggerName, Level level) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        previousLevel = logger.getLevel();
        logger.setLevel(level);
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    /** Captures {@code loggerName} at INFO and above. */
    public static LogCapture info(String loggerName) {
        return new LogCapture(loggerName, Level.INFO);
    }

    /** Captures {@code loggerName} at WARN and above. */
    public static LogCapture warn(String loggerName) {
        return new LogCapture(loggerName, Level.WARN);
    }

    /** The formatted messages so far, oldest first. */
    public List<String> messages() {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** The events so far, oldest first: their MDC, level and thread as well as the message. */
    public List<ILoggingEvent> events() {
        synchronized (appender.list) {
            return List.copyOf(appender.list);
        }
    }

    /** The formatted messages so far, each parsed as the JSON object it must be, oldest first. */
    public List<JsonObject> jsonMessages() {
        return messages().stream().map(JsonObject::new).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(previousLevel);
    }
}
