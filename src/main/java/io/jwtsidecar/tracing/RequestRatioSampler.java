package io.jwtsidecar.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.util.List;

/**
 * {@code tracing.requestSampleRatio}: request spans (SERVER, one per verify or forward-auth
 * request) follow the caller's {@code traceparent} when it sends one, else are kept at the
 * configured ratio, by trace id; every other span (a revocation's publish and its applies) is
 * kept. Requests come by the ten thousand a second and each span costs an export, which
 * load-tests/run-tracing.sh measures; a revocation is rare, and its publish and applies are what
 * an operator follows across the fleet, so sampling must never lose one.
 */
final class RequestRatioSampler implements Sampler {
    private final Sampler requests;

    RequestRatioSampler(double ratio) {
        this.requests = Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                                       Attributes attributes, List<LinkData> parentLinks) {
        if (spanKind == SpanKind.SERVER) {
            return requests.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
        }
        return SamplingResult.recordAndSample();
    }

    @Override
    public String getDescription() {
        return "RequestRatioSampler{requests=" + requests.getDescription() + ", others=AlwaysOn}";
    }
}
