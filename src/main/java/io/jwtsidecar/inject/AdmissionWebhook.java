package io.jwtsidecar.inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponseBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one {@code AdmissionReview} (admission.k8s.io/v1) for the sidecar injection: the
 * HTTP-free core of {@code POST /mutate}.
 *
 * <table>
 *   <caption>Answers</caption>
 *   <tr><th>review</th><th>answer</th></tr>
 *   <tr><td>body not JSON, not an {@code admission.k8s.io/v1 AdmissionReview}, or without
 *       {@code request.uid}</td><td>HTTP 400 with {@code {"error":"invalid_review","message":…}}:
 *       there is no uid to answer to, and the API server then applies the webhook's
 *       {@code failurePolicy}</td></tr>
 *   <tr><td>a request for anything but a Pod, or an operation other than CREATE</td>
 *       <td>allowed, no patch, a warning (the webhook's rules should not send these)</td></tr>
 *   <tr><td>a Pod not annotated {@code jwt-sidecar.io/inject: "true"}, already with a
 *       {@code jwt-sidecar} container, or marked {@code jwt-sidecar.io/status: injected-node}</td>
 *       <td>allowed, no patch</td></tr>
 *   <tr><td>an annotated Pod</td><td>allowed, {@code patchType: JSONPatch}, the patch in
 *       base64: the sidecar container, or in node mode the node's socket</td></tr>
 *   <tr><td>any failure while reading the Pod or building the patch</td><td>logged; allowed
 *       without a patch and with a warning, so the webhook never blocks a pod by itself; with
 *       fail-closed, refused (status 400 when the pod asked for something impossible, else
 *       500) with the reason</td></tr>
 * </table>
 *
 * <p>Thread-safe: keeps no state between reviews.
 */
public final class AdmissionWebhook {
    private static final Logger log = LoggerFactory.getLogger(AdmissionWebhook.class);
    static final String API_VERSION = "admission.k8s.io/v1";
    static final String KIND = "AdmissionReview";

    /** An HTTP answer: the status code and a JSON body. */
    public record Reply(int status, String body) {
    }

    private final SidecarInjector injector;
    private final boolean failClosed;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param failClosed refuse the pod when the patch cannot be built (default false: admit it
     *                   without the sidecar)
     */
    public AdmissionWebhook(SidecarInjector injector, boolean failClosed) {
        this.injector = injector;
        this.failClosed = failClosed;
    }

    /** Never throws: every input gets a reply. */
    public Reply review(byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            return invalid("body is not JSON: " + firstLine(e));
        }
        if (root == null || !root.isObject()) {
            return invalid("body is not a JSON object");
        }
        if (!API_VERSION.equals(root.path("apiVersion").asText()) || !KIND.equals(root.path("kind").asText())) {
            return invalid("expected apiVersion " + API_VERSION + " and kind " + KIND + ", got '"
                    + root.path("apiVersion").asText() + "' and '" + root.path("kind").asText() + "'");
        }
        JsonNode requestNode = root.get("request");
        if (requestNode == null || !requestNode.isObject()) {
            return invalid("the review has no request");
        }
        // The object is read separately: a pod that cannot be read is a failure to answer to
        // (with the uid), not a review that cannot be answered at all.
        ObjectNode request = ((ObjectNode) requestNode).deepCopy();
        JsonNode object = request.remove("object");
        request.remove("oldObject");
        request.remove("options");
        AdmissionRequest parsed;
        try {
            parsed = json.treeToValue(request, AdmissionRequest.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return invalid("request is not an AdmissionRequest: " + firstLine(e));
        }
        String uid = parsed.getUid();
        if (uid == null || uid.isBlank()) {
            return invalid("the request has no uid");
        }
        return reply(answer(uid, parsed, object));
    }

    private AdmissionResponse answer(String uid, AdmissionRequest request, JsonNode object) {
        boolean isPod = request.getKind() != null && "Pod".equals(request.getKind().getKind())
                && (request.getKind().getGroup() == null || request.getKind().getGroup().isEmpty());
        if (!isPod || !"CREATE".equals(request.getOperation())) {
            String what = (request.getKind() == null ? "an unknown kind" : request.getKind().getKind()) + " "
                    + request.getOperation();
            return allowed(uid).withWarnings("jwt-sidecar injector: only injects into Pods on CREATE, not " + what).build();
        }
        String pod = request.getNamespace() + "/" + (request.getName() == null || request.getName().isEmpty()
                ? "?" : request.getName());
        try {
            if (object == null || !object.isObject()) {
                throw new IllegalArgumentException("the request has no object");
            }
            Pod parsed = json.treeToValue(object, Pod.class);
            pod = request.getNamespace() + "/" + name(parsed.getMetadata());
            Injection injection = injector.inject(parsed);
            if (injection.patch().isEmpty()) {
                log.debug("pod {} left as it is: {}", pod, injection.reason());
                return allowed(uid).build();
            }
            byte[] patch = json.writeValueAsBytes(injection.patch().get().operations());
            log.info("pod {} {} (review {})", pod, injection.reason(), uid);
            return allowed(uid).withPatchType("JSONPatch").withPatch(Base64.getEncoder().encodeToString(patch)).build();
        } catch (Exception e) {
            boolean podsFault = e instanceof InjectionException;
            String reason = podsFault ? e.getMessage() : e.getClass().getSimpleName() + ": " + firstLine(e);
            if (failClosed) {
                log.warn("refusing pod {} (review {}): sidecar injection failed: {}", pod, uid, reason, podsFault ? null : e);
                return new AdmissionResponseBuilder().withUid(uid).withAllowed(false)
                        .withStatus(new StatusBuilder().withCode(podsFault ? 400 : 500)
                                .withReason(podsFault ? "BadRequest" : "InternalError")
                                .withMessage("jwt-sidecar injection failed: " + reason).build())
                        .build();
            }
            if (podsFault) {
                log.warn("admitting pod {} (review {}) without the sidecar: injection failed: {}", pod, uid, reason);
            } else {
                log.error("admitting pod {} (review {}) without the sidecar: injection failed: {}", pod, uid, reason, e);
            }
            return allowed(uid).withWarnings("jwt-sidecar injection failed, pod admitted without the sidecar: " + reason)
                    .build();
        }
    }

    private static AdmissionResponseBuilder allowed(String uid) {
        return new AdmissionResponseBuilder().withUid(uid).withAllowed(true);
    }

    private Reply reply(AdmissionResponse response) {
        AdmissionReview review = new AdmissionReviewBuilder().withApiVersion(API_VERSION).withKind(KIND)
                .withResponse(response).build();
        try {
            return new Reply(200, json.writeValueAsString(review));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Error writing an AdmissionReview response", e);
        }
    }

    private Reply invalid(String message) {
        log.warn("refusing a malformed admission review: {}", message);
        ObjectNode body = json.createObjectNode().put("error", "invalid_review").put("message", message);
        return new Reply(400, body.toString());
    }

    private static String name(ObjectMeta meta) {
        if (meta == null) {
            return "?";
        }
        if (meta.getName() != null && !meta.getName().isEmpty()) {
            return meta.getName();
        }
        return meta.getGenerateName() == null ? "?" : meta.getGenerateName() + "*";
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
