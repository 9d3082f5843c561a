package io.jwtsidecar.metrics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * The JVM and process metrics of {@link JvmMetric}, bound into a {@link SidecarMetrics} registry
 * by Micrometer's binders. Most binders only register gauges read on scrape; {@link JvmGcMetrics}
 * also subscribes to every collector's notifications, so this binding owns it and
 * {@link #close()} unsubscribes (a sidecar stopped inside a longer-lived JVM, as in tests, must
 * not leave listeners recording into its registry). Close is idempotent; thread-safe.
 */
public final class JvmMetricsBinding implements AutoCloseable {
    private final JvmGcMetrics gc;
    private boolean closed;

    private JvmMetricsBinding(JvmGcMetrics gc) {
        this.gc = gc;
    }

    /** Binds every binder to {@code metrics}' registry; call once per registry. */
    public static JvmMetricsBinding bind(SidecarMetrics metrics) {
        var registry = metrics.registry();
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return new JvmMetricsBinding(gc);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        gc.close();
    }
}
