package io.jwtsidecar.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/** {@code tracing.*}: where spans go, if anywhere, and how many requests are traced. */
final class TracingSection {
    private final ReadContext context;

    TracingSection(ReadContext context) {
        this.context = context;
    }

    /**
     * {@code tracing.*}: an endpoint turns tracing on. Checked here rather than by the exporter,
     * which would take a host-less or ftp: URL and fail every export quietly at run time.
     */
    SidecarConfig.Tracing read() {
        String serviceName = context.text(ConfigKeys.TRACING_SERVICE_NAME).orElseThrow();
        if (serviceName.isBlank()) {
            context.errors().add(ConfigKeys.TRACING_SERVICE_NAME.name() + ": must not be empty");
        }
        double ratio = context.read(ConfigKeys.TRACING_REQUEST_SAMPLE_RATIO);
        Optional<String> given = context.text(ConfigKeys.TRACING_OTLP_ENDPOINT).filter(v -> !v.isBlank());
        if (given.isEmpty()) {
            return new SidecarConfig.Tracing(Optional.empty(), serviceName, ratio);
        }
        String v = given.get();
        try {
            URI uri = new URI(v);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                    && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                return new SidecarConfig.Tracing(Optional.of(uri), serviceName, ratio);
            }
        } catch (URISyntaxException e) {
            // reported below, as every other malformed value
        }
        context.errors().add(ConfigKeys.TRACING_OTLP_ENDPOINT.name() + ": must be an http or https URL with a host, such as "
                + "http://otel-collector:4318, got '" + v + "'");
        return new SidecarConfig.Tracing(Optional.empty(), serviceName, ratio);
    }

}
