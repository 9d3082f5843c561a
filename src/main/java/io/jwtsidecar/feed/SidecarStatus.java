package io.jwtsidecar.feed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * What one sidecar reports about itself on the status topic.
 *
 * @param sidecarId    the reporting sidecar
 * @param reportedAt   wall-clock millis of the report
 * @param appliedNext  partition → next offset applied to its store
 * @param appliedAt    partition → wall-clock millis when that partition last advanced
 * @param stalenessMillis how old its confirmation of the log end is (-1: never confirmed)
 */
public record SidecarStatus(String sidecarId, long reportedAt, Map<Integer, Long> appliedNext,
                            Map<Integer, Long> appliedAt, long stalenessMillis) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public SidecarStatus {
        appliedNext = Map.copyOf(appliedNext);
        appliedAt = Map.copyOf(appliedAt);
    }

    /** Whether the record at {@code offset} of {@code partition} is in this sidecar's store. */
    public boolean hasApplied(int partition, long offset) {
        return appliedNext.getOrDefault(partition, 0L) > offset;
    }

    byte[] toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("v", 1).put("sidecarId", sidecarId).put("reportedAt", reportedAt).put("stalenessMillis", stalenessMillis);
        ObjectNode next = n.putObject("appliedNext");
        appliedNext.forEach((p, o) -> next.put(String.valueOf(p), o));
        ObjectNode at = n.putObject("appliedAt");
        appliedAt.forEach((p, t) -> at.put(String.valueOf(p), t));
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode status of " + sidecarId, e);
        }
    }

    /** @throws IllegalArgumentException for a record that is not a status report */
    static SidecarStatus fromJson(byte[] bytes) {
        try {
            JsonNode n = JSON.readTree(bytes);
            return new SidecarStatus(n.get("sidecarId").asText(), n.get("reportedAt").asLong(),
                    longs(n.get("appliedNext")), longs(n.get("appliedAt")), n.get("stalenessMillis").asLong());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a sidecar status: " + e.getMessage(), e);
        }
    }

    private static Map<Integer, Long> longs(JsonNode n) {
        Map<Integer, Long> result = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            result.put(Integer.parseInt(e.getKey()), e.getValue().asLong());
        }
        return result;
    }
}
