package io.jwtsidecar.metrics;

/**
 * Every JVM and process metric family the sidecar exports, in one list beside {@link Metric}:
 * docs/METRICS.md is checked against it, and a test checks it against what Micrometer's binders
 * ({@link JvmMetricsBinding}) actually register, so a Micrometer upgrade that adds or renames a
 * family fails the build instead of drifting from the docs. Names are Prometheus names as
 * scraped; counters get Prometheus' {@code _total} suffix, and summaries add {@code _count},
 * {@code _sum} and a {@code _max} gauge.
 */
public enum JvmMetric {
    MEMORY_USED("jvm_memory_used_bytes", "gauge", "JvmMemoryMetrics",
            "Memory in use, by area (heap, nonheap) and memory pool (id)."),
    MEMORY_COMMITTED("jvm_memory_committed_bytes", "gauge", "JvmMemoryMetrics",
            "Memory the JVM holds from the operating system, by area and pool."),
    MEMORY_MAX("jvm_memory_max_bytes", "gauge", "JvmMemoryMetrics",
            "Most memory the pool may use, by area and pool (-1 where there is no limit)."),
    BUFFER_COUNT("jvm_buffer_count_buffers", "gauge", "JvmMemoryMetrics",
            "Buffers in each buffer pool (id: direct, mapped, ...)."),
    BUFFER_MEMORY_USED("jvm_buffer_memory_used_bytes", "gauge", "JvmMemoryMetrics",
            "Memory the buffers of each pool use (direct buffers: Netty's and Kafka's network buffers)."),
    BUFFER_TOTAL_CAPACITY("jvm_buffer_total_capacity_bytes", "gauge", "JvmMemoryMetrics",
            "Total capacity of the buffers in each pool."),
    GC_PAUSE("jvm_gc_pause_seconds", "summary", "JvmGcMetrics",
            "Stop-the-world collection pauses, by action and cause; from the first collection on."),
    GC_CONCURRENT_PHASE_TIME("jvm_gc_concurrent_phase_time_seconds", "summary", "JvmGcMetrics",
            "Time in concurrent collection phases, by action and cause; only for collectors that report them "
                    + "(ZGC, Shenandoah)."),
    GC_MEMORY_ALLOCATED("jvm_gc_memory_allocated_bytes", "counter", "JvmGcMetrics",
            "Bytes allocated in the young generation (or the heap) between collections."),
    GC_MEMORY_PROMOTED("jvm_gc_memory_promoted_bytes", "counter", "JvmGcMetrics",
            "Bytes promoted to the old generation; only for generational collectors."),
    GC_LIVE_DATA_SIZE("jvm_gc_live_data_size_bytes", "gauge", "JvmGcMetrics",
            "Old generation (long-lived heap) in use after the last collection."),
    GC_MAX_DATA_SIZE("jvm_gc_max_data_size_bytes", "gauge", "JvmGcMetrics",
            "Most the old generation (long-lived heap) may grow to."),
    THREADS_LIVE("jvm_threads_live_threads", "gauge", "JvmThreadMetrics", "Live threads, daemon or not."),
    THREADS_DAEMON("jvm_threads_daemon_threads", "gauge", "JvmThreadMetrics", "Live daemon threads."),
    THREADS_PEAK("jvm_threads_peak_threads", "gauge", "JvmThreadMetrics", "Most live threads since start."),
    THREADS_STARTED("jvm_threads_started_threads", "counter", "JvmThreadMetrics", "Threads started since start."),
    THREADS_STATES("jvm_threads_states_threads", "gauge", "JvmThreadMetrics",
            "Live threads by state (runnable, blocked, waiting, timed-waiting, new, terminated)."),
    CLASSES_LOADED("jvm_classes_loaded_classes", "gauge", "ClassLoaderMetrics", "Classes loaded now."),
    CLASSES_LOADED_COUNT("jvm_classes_loaded_count_classes", "counter", "ClassLoaderMetrics",
            "Classes loaded since start."),
    CLASSES_UNLOADED("jvm_classes_unloaded_classes", "counter", "ClassLoaderMetrics", "Classes unloaded since start."),
    SYSTEM_CPU_COUNT("system_cpu_count", "gauge", "ProcessorMetrics",
            "Processors available to the JVM (the container's CPU limit, rounded up)."),
    SYSTEM_LOAD_AVERAGE("system_load_average_1m", "gauge", "ProcessorMetrics",
            "Run-queue length averaged over a minute; only where the operating system reports one."),
    SYSTEM_CPU_USAGE("system_cpu_usage", "gauge", "ProcessorMetrics",
            "Recent CPU use of the whole system (or container), from 0 to 1."),
    PROCESS_CPU_USAGE("process_cpu_usage", "gauge", "ProcessorMetrics", "Recent CPU use of this process, from 0 to 1."),
    PROCESS_CPU_TIME("process_cpu_time_ns", "counter", "ProcessorMetrics", "CPU time this process has used, in nanoseconds."),
    PROCESS_UPTIME("process_uptime_seconds", "gauge", "UptimeMetrics", "Seconds since the JVM started."),
    PROCESS_START_TIME("process_start_time_seconds", "gauge", "UptimeMetrics", "When the JVM started, in Unix seconds."),
    PROCESS_FILES_OPEN("process_files_open_files", "gauge", "FileDescriptorMetrics",
            "Open file descriptors (sockets, RocksDB files); Unix only."),
    PROCESS_FILES_MAX("process_files_max_files", "gauge", "FileDescriptorMetrics",
            "The process' file descriptor limit; Unix only.");

    private final String prometheusName;
    private final String type;
    private final String binder;
    private final String help;

    JvmMetric(String prometheusName, String type, String binder, String help) {
        this.prometheusName = prometheusName;
        this.type = type;
        this.binder = binder;
        this.help = help;
    }

    /** The family's name as scraped, without Prometheus' {@code _total} suffix for counters. */
    public String prometheusName() {
        return prometheusName;
    }

    public String type() {
        return type;
    }

    /** The simple name of the Micrometer binder that registers it. */
    public String binder() {
        return binder;
    }

    public String help() {
        return help;
    }
}
