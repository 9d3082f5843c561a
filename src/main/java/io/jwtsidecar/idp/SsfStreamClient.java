package io.jwtsidecar.idp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.token.keys.FetchableUrl;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * This receiver's side of a Shared Signals transmitter's HTTP interface: its metadata
 * ({@code /.well-known/ssf-configuration}, SSF 1.0 §7), the stream configuration that names the
 * poll endpoint (SSF 1.0 §8.1.1), and RFC 8936 poll requests. Every request carries the
 * configured bearer credential (except the public metadata), has a deadline, and reads at most
 * {@value #MAX_BODY_BYTES} bytes of answer.
 *
 * <p>Blocking; called only from the poll loop's thread. Every failure is an {@link IOException}
 * saying which request and why.
 */
public final class SsfStreamClient implements SsfPollLoop.Transmitter {
    /** The delivery method URN of poll delivery (RFC 8936 §2). */
    public static final String POLL_METHOD = "urn:ietf:rfc:8936";
    static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI configurationUrl;
    private final String issuer;
    private final @Nullable String bearer;
    private final Duration timeout;

    /**
     * @param configurationUrl the transmitter's metadata URL
     * @param issuer           what the metadata's {@code issuer} must be
     * @param bearer           the credential for the stream and poll endpoints, or null
     * @param timeout          the deadline of one request (a poll waits at most this long)
     */
    public SsfStreamClient(HttpClient http, URI configurationUrl, String issuer, @Nullable String bearer, Duration timeout) {
        this.http = http;
        this.configurationUrl = configurationUrl;
        this.issuer = issuer;
        this.bearer = bearer;
        this.timeout = timeout;
    }

    /** One answer of the poll endpoint: SETs by jti, in the order given, and whether more wait. */
    public record Batch(Map<String, String> sets, boolean moreAvailable) {
    }

    /**
     * Reads the transmitter's metadata and its stream configuration, creating a poll stream when
     * it has none, and returns the poll endpoint.
     */
    @Override
    public URI pollEndpoint() throws IOException, InterruptedException {
        JsonNode meta = object(send(get(configurationUrl), "the transmitter configuration", false), "the transmitter configuration");
        if (!issuer.equals(meta.path("issuer").asText(null))) {
            throw new IOException("the transmitter configuration at " + configurationUrl + " names issuer '"
                    + meta.path("issuer").asText("") + "', not " + issuer);
        }
        boolean polls = false;
        for (JsonNode m : meta.path("delivery_methods_supported")) {
            polls |= POLL_METHOD.equals(m.asText());
        }
        if (!polls) {
            throw new IOException("the transmitter does not offer poll delivery (" + POLL_METHOD + ")");
        }
        String endpoint = meta.path("configuration_endpoint").asText("");
        if (endpoint.isEmpty()) {
            throw new IOException("the transmitter configuration has no configuration_endpoint");
        }
        URI streams = checked(endpoint);
        JsonNode existing = parse(send(get(streams), "the stream configuration", true), "the stream configuration");
        for (JsonNode stream : existing.isArray() ? existing : List.of(existing)) {
            URI poll = pollUrl(stream);
            if (poll != null) {
                return poll;
            }
        }
        ObjectNode create = JSON.createObjectNode();
        create.putObject("delivery").put("method", POLL_METHOD);
        ArrayNode requested = create.putArray("events_requested");
        for (String type : List.of(CaepEvents.SESSION_REVOKED, CaepEvents.CREDENTIAL_CHANGE, CaepEvents.TOKEN_CLAIMS_CHANGE,
                CaepEvents.ASSURANCE_LEVEL_CHANGE)) {
            requested.add(type);
        }
        JsonNode created = parse(send(post(streams, create), "creating a poll stream", true), "the created stream");
        URI poll = pollUrl(created);
        if (poll == null) {
            throw new IOException("the poll stream the transmitter created has no delivery.endpoint_url");
        }
        return poll;
    }

    /**
     * One poll (RFC 8936 §2.4): acknowledges {@code ack}, reports {@code errors} (jti → error), and
     * asks for up to {@code maxEvents} SETs.
     */
    @Override
    public Batch poll(URI endpoint, List<String> ack, Map<String, SecurityEventCheck.Refused> errors, int maxEvents,
                      boolean returnImmediately) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode acks = body.putArray("ack");
        ack.forEach(acks::add);
        if (!errors.isEmpty()) {
            ObjectNode setErrs = body.putObject("setErrs");
            errors.forEach((jti, refused) -> setErrs.putObject(jti).put("err", refused.error().code())
                    .put("description", refused.description()));
        }
        body.put("maxEvents", maxEvents);
        body.put("returnImmediately", returnImmediately);
        JsonNode answer = object(send(post(endpoint, body), "polling", true), "the poll answer");
        JsonNode sets = answer.get("sets");
        if (sets == null || !sets.isObject()) {
            throw new IOException("the poll answer has no sets object");
        }
        Map<String, String> byJti = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = sets.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            // A value that is not a string is still a SET the receiver must answer for: it fails parsing.
            byJti.put(e.getKey(), e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString());
        }
        return new Batch(byJti, answer.path("moreAvailable").asBoolean(false));
    }

    private @Nullable URI pollUrl(JsonNode stream) throws IOException {
        JsonNode delivery = stream.path("delivery");
        if (!POLL_METHOD.equals(delivery.path("method").asText()) || !delivery.path("endpoint_url").isTextual()) {
            return null;
        }
        return checked(delivery.path("endpoint_url").textValue());
    }

    private static URI checked(String url) throws IOException {
        try {
            URI uri = URI.create(url);
            FetchableUrl.check(uri);
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IOException("the transmitter named an unusable URL: " + e.getMessage(), e);
        }
    }

    private HttpRequest.Builder get(URI uri) {
        return HttpRequest.newBuilder(uri).GET();
    }

    private HttpRequest.Builder post(URI uri, JsonNode body) throws IOException {
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    }

    private byte[] send(HttpRequest.Builder request, String what, boolean authorized) throws IOException, InterruptedException {
        request.timeout(timeout).header("Accept", "application/json");
        if (authorized && bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpRequest built = request.build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(built, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new IOException(what + " at " + built.uri() + " failed: " + e, e);
        }
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (response.statusCode() != 200 && response.statusCode() != 201) {
                throw new IOException(what + " at " + built.uri() + " answered " + response.statusCode());
            }
            if (bytes.length > MAX_BODY_BYTES) {
                throw new IOException(what + " at " + built.uri() + " answered more than " + MAX_BODY_BYTES + " bytes");
            }
            return bytes;
        }
    }

    private static JsonNode parse(byte[] body, String what) throws IOException {
        try {
            return Objects.requireNonNull(JSON.readTree(body));
        } catch (IOException | RuntimeException e) {
            throw new IOException(what + " is not JSON: "
                    + new String(body, 0, Math.min(body.length, 80), StandardCharsets.UTF_8), e);
        }
    }

    private static JsonNode object(byte[] body, String what) throws IOException {
        JsonNode n = parse(body, what);
        if (!n.isObject()) {
            throw new IOException(what + " is not a JSON object");
        }
        return n;
    }
}
