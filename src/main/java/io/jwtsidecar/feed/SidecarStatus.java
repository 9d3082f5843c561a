package io.jwtsidecar.feed;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What one sidecar reports about itself on the status topic.
 *
 * <p>Read strictly ({@link #fromJson}): every field must be present with its type and a sane
 * value, since any client that may write to the status topic can put anything there, and a
 * default (Jackson's {@code asLong()} reads a missing offset as 0 and {@code "9e18"} as a number)
 * would turn garbage into a claim about the fleet. Unknown fields are ignored, so a newer sidecar
 * may add fields; a change that older readers must not misread bumps {@code v}.
 *
 * @param sidecarId    the reporting sidecar
 * @param reportedAt   wall-clock millis of the report
 * @param appliedNext  partition → next offset applied to its store
 * @param appliedAt    partition → wall-clock millis when that partition last advanced
 * @param stalenessMillis how old its confirmation of the log end is (-1: never confirmed)
 * @param partitionsAssigned partitions of the revocation topic it reads (-1: not reported)
 * @param partitionsExisting partitions of the revocation topic at its last count (-1: not known or not reported)
 * @param clients     the pods a node-level sidecar answered lately ({@link ServedClients}), sorted; empty
 *                    for a sidecar in a pod of its own, and in reports of releases before node-level mode
 */
public record SidecarStatus(String sidecarId, long reportedAt, Map<Integer, Long> appliedNext,
                            Map<Integer, Long> appliedAt, long stalenessMillis, int partitionsAssigned,
                            int partitionsExisting, List<String> clients) {
    /** The most partitions a report may say a topic has; more is taken for garbage. */
    static final int MAX_PARTITION_COUNT = 100_000;

    /** The wire format's version, {@code v}. */
    static final int VERSION = 1;
    /** Longest accepted sidecar id: a Kubernetes namespace/pod name is at most 63 + 1 + 253. */
    public static final int MAX_ID_LENGTH = 512;
    /**
     * Most partitions one report may name: far more than a revocation topic needs, and the bound
     * on one report's size in memory (see {@link FleetView}).
     */
    public static final int MAX_PARTITIONS = 256;

    private static final Pattern PARTITION = Pattern.compile("0|[1-9][0-9]{0,9}");
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public SidecarStatus {
        appliedNext = Map.copyOf(appliedNext);
        appliedAt = Map.copyOf(appliedAt);
        clients = List.copyOf(clients);
    }

    /** A report that names no clients: a sidecar in a pod of its own. */
    public SidecarStatus(String sidecarId, long reportedAt, Map<Integer, Long> appliedNext, Map<Integer, Long> appliedAt,
                         long stalenessMillis, int partitionsAssigned, int partitionsExisting) {
        this(sidecarId, reportedAt, appliedNext, appliedAt, stalenessMillis, partitionsAssigned, partitionsExisting, List.of());
    }

    /** A report without partition counts, as releases before partition discovery sent. */
    public SidecarStatus(String sidecarId, long reportedAt, Map<Integer, Long> appliedNext, Map<Integer, Long> appliedAt,
                         long stalenessMillis) {
        this(sidecarId, reportedAt, appliedNext, appliedAt, stalenessMillis, -1, -1, List.of());
    }

    byte[] toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("v", VERSION).put("sidecarId", sidecarId).put("reportedAt", reportedAt).put("stalenessMillis", stalenessMillis);
        ObjectNode next = n.putObject("appliedNext");
        appliedNext.forEach((p, o) -> next.put(String.valueOf(p), o));
        ObjectNode at = n.putObject("appliedAt");
        appliedAt.forEach((p, t) -> at.put(String.valueOf(p), t));
        n.putObject("partitions").put("assigned", partitionsAssigned).put("existing", partitionsExisting);
        if (!clients.isEmpty()) {
            ArrayNode names = n.putArray("clients");
            clients.forEach(names::add);
        }
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode status of " + sidecarId, e);
        }
    }

    /**
     * @throws IllegalArgumentException for a record that is not a status report; the message
     *                                  names the field
     */
    static SidecarStatus fromJson(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("record has no value");
        }
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode v = n.get("v");
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() != VERSION) {
            throw new IllegalArgumentException("v: expected " + VERSION);
        }
        JsonNode id = n.get("sidecarId");
        if (id == null || !id.isTextual() || id.textValue().isEmpty() || id.textValue().length() > MAX_ID_LENGTH
                || id.textValue().chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("sidecarId: required string of 1 to " + MAX_ID_LENGTH
                    + " characters, no control characters");
        }
        long reportedAt = integer(n.get("reportedAt"), "reportedAt", 1);
        long staleness = integer(n.get("stalenessMillis"), "stalenessMillis", -1);
        // Optional: older sidecars do not report partition counts.
        int assigned = -1;
        int existing = -1;
        JsonNode partitions = n.get("partitions");
        if (partitions != null) {
            if (!partitions.isObject()) {
                throw new IllegalArgumentException("partitions: must be an object with assigned and existing");
            }
            assigned = count(partitions.get("assigned"), "partitions.assigned");
            existing = count(partitions.get("existing"), "partitions.existing");
        }
        return new SidecarStatus(id.textValue(), reportedAt, offsets(n, "appliedNext"), offsets(n, "appliedAt"), staleness,
                assigned, existing, clients(n.get("clients")));
    }

    /** Optional: only node-level sidecars name clients. */
    private static List<String> clients(@Nullable JsonNode f) {
        if (f == null) {
            return List.of();
        }
        if (!f.isArray() || f.size() > ServedClients.MAX_CLIENTS) {
            throw new IllegalArgumentException("clients: must be an array of at most " + ServedClients.MAX_CLIENTS
                    + " names");
        }
        Set<String> names = new TreeSet<>();
        for (JsonNode c : f) {
            if (!c.isTextual() || !ServedClients.isName(c.textValue()) || !names.add(c.textValue())) {
                throw new IllegalArgumentException("clients: each must be a distinct <namespace>/<pod> name");
            }
        }
        return List.copyOf(names);
    }

    private static int count(JsonNode f, String field) {
        long n = integer(f, field, -1);
        if (n > MAX_PARTITION_COUNT) {
            throw new IllegalArgumentException(field + ": more than " + MAX_PARTITION_COUNT);
        }
        return (int) n;
    }

    private static long integer(JsonNode f, String field, long min) {
        if (f == null || !f.isIntegralNumber() || !f.canConvertToLong() || f.longValue() < min) {
            throw new IllegalArgumentException(field + ": required integer of at least " + min);
        }
        return f.longValue();
    }

    /** An object of partition → non-negative integer. */
    private static Map<Integer, Long> offsets(JsonNode n, String field) {
        JsonNode o = n.get(field);
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException(field + ": required object of partition to integer");
        }
        if (o.size() > MAX_PARTITIONS) {
            throw new IllegalArgumentException(field + ": more than " + MAX_PARTITIONS + " partitions");
        }
        Map<Integer, Long> result = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = field + "." + e.getKey();
            if (!PARTITION.matcher(e.getKey()).matches() || Long.parseLong(e.getKey()) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + ": a partition is a non-negative int in decimal");
            }
            result.put(Integer.parseInt(e.getKey()), integer(e.getValue(), name, 0));
        }
        return result;
    }
}
