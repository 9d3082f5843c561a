package io.jwtsidecar.app;

import io.jwtsidecar.config.IssuerSettings;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.feed.TopicAdmin;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the topics' settings once in the background and logs what could lose live rules (a
 * retention shorter than the longest token lifetime, a topic that is not compacted); never holds
 * up the start. Owned by the sidecar and stopped with it: a check still waiting on an unreachable
 * broker must not outlive the sidecar and log into whatever runs after it.
 */
final class TopicSettingsCheck implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sidecar.class);

    private final Thread thread;
    private volatile boolean closed;

    private TopicSettingsCheck(SidecarConfig config, Map<String, Object> kafkaConfig) {
        Duration longest = config.issuers().stream().map(IssuerSettings::maxTokenLifetime).max(Duration::compareTo)
                .orElse(Duration.ZERO);
        thread = new Thread(() -> run(config, kafkaConfig, longest), "topic-check");
        thread.setDaemon(true);
    }

    /** Starts the check; its findings are WARN lines of the sidecar's logger. */
    static TopicSettingsCheck start(SidecarConfig config, Map<String, Object> kafkaConfig) {
        TopicSettingsCheck check = new TopicSettingsCheck(config, kafkaConfig);
        check.thread.start();
        return check;
    }

    private void run(SidecarConfig config, Map<String, Object> kafkaConfig, Duration longest) {
        try (TopicAdmin admin = new TopicAdmin(kafkaConfig)) {
            for (String problem : admin.check(config.kafka().topic(), config.kafka().statusTopic(), longest)) {
                if (!closed) {
                    log.warn("topic settings: {}", problem);
                }
            }
        } catch (RuntimeException e) {
            if (!closed) {
                log.warn("could not check the topics' settings: {}", e.toString());
            }
        }
    }

    /** Stops a check still running, and waits briefly for it: it says nothing more after this. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
