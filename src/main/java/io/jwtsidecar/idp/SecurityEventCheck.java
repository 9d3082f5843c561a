package io.jwtsidecar.idp;

import io.jwtsidecar.token.SeenIds;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.IssuerSignedJwt;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Validates a Security Event Token from the configured Shared Signals transmitter (RFC 8417 §2,
 * SSF 1.0 §4) and turns a CAEP event into the revocation it asks for ({@link CaepEvents}):
 * <ol>
 *   <li>parsing, header, issuer lookup, key, algorithm and signature as for every JWT this sidecar
 *       trusts ({@link IssuerSignedJwt}), with {@code typ} required to be {@value #TYPE};</li>
 *   <li>{@code iss} exactly the transmitter's issuer (another configured issuer's key does not
 *       make it a transmitter);</li>
 *   <li>{@code aud} (string or array) names this receiver's audience;</li>
 *   <li>{@code iat} whole epoch seconds, not in the future beyond the issuer's skew, and, when
 *       pushed, not older than {@code maxAge} (a polled SET may have waited at the transmitter);</li>
 *   <li>{@code jti} a non-empty string; {@code txn}, when present, a string;</li>
 *   <li>{@code events} an object with exactly one member, whose value is an object (SSF 1.0 §4.1);</li>
 *   <li>for a mapped CAEP event: a subject ({@code sub_id}, or the event's {@code subject}), an
 *       {@code event_timestamp} not in the future, and a subject issuer that is a configured
 *       issuer this transmitter may speak for.</li>
 * </ol>
 * An event type that is not mapped is {@link Ignored}: acknowledged and counted, never an error.
 * The replay check on {@code jti} is the caller's ({@link SeenIds}): it must hold a jti only
 * once everything else passed. Stateless and thread-safe.
 */
public final class SecurityEventCheck {
    /** The explicit type of security event tokens (RFC 8417 §2.3). */
    public static final String TYPE = "secevent+jwt";
    private static final IssuerSignedJwt.TypeRule SET_TYPE = IssuerSignedJwt.TypeRule.required(TYPE);

    private final IssuerSignedJwt signedJwts;
    private final String transmitter;
    private final String audience;
    private final Set<String> speaksFor;
    private final Predicate<String> configuredIssuer;
    private final int maxBytes;
    private final Duration maxAge;
    private final Clock clock;

    /**
     * @param transmitter      the transmitter's issuer, which must be a configured issuer (its keys sign the SETs)
     * @param audience         what {@code aud} must name
     * @param speaksFor        the issuers whose subjects this transmitter may revoke
     * @param configuredIssuer whether an issuer is configured here (a rule for any other protects nothing)
     * @param maxBytes         longer SETs are refused before parsing
     * @param maxAge           the oldest {@code iat} accepted
     */
    public SecurityEventCheck(IssuerSignedJwt signedJwts, String transmitter, String audience, Set<String> speaksFor,
                              Predicate<String> configuredIssuer, int maxBytes, Duration maxAge, Clock clock) {
        this.signedJwts = Objects.requireNonNull(signedJwts, "signedJwts");
        this.transmitter = Objects.requireNonNull(transmitter, "transmitter");
        this.audience = Objects.requireNonNull(audience, "audience");
        this.speaksFor = Set.copyOf(speaksFor);
        this.configuredIssuer = configuredIssuer;
        this.maxBytes = maxBytes;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** The transmitter's issuer. */
    public String transmitter() {
        return transmitter;
    }

    /** The outcome of {@link #check}. */
    public sealed interface Result permits Accepted, Ignored, Refused, Unavailable {
    }

    /**
     * A SET asking for a revocation.
     *
     * @param revocation  the rule to publish
     * @param forgetAfter epoch second after which the SET is too old anyway, so its jti may be forgotten
     */
    public record Accepted(IdpRevocation revocation, long forgetAfter) implements Result {
    }

    /**
     * A valid SET of an event type this sidecar does not enforce.
     *
     * @param jti       its id
     * @param eventType its one event's type
     */
    public record Ignored(String jti, String eventType) implements Result {
    }

    /**
     * A SET refused for good: answering it again would not change the answer.
     *
     * @param error       the registered error code
     * @param description which rule failed, for the {@code description}
     */
    public record Refused(SetError error, String description) implements Result {
    }

    /** The SET cannot be checked now (the transmitter's keys are not loaded yet): ask again later. */
    public record Unavailable(String description) implements Result {
    }

    /**
     * For a SET refused as {@link SetError#INVALID_KEY}: completes once the transmitter's keys were
     * fetched again, so the caller can check it once more. A transmitter that rotated its key
     * signs with one this sidecar has not fetched yet, and an {@code invalid_key} answer makes it
     * drop the SET for good.
     */
    public CompletionStage<Void> keysRefetched(String set) {
        return signedJwts.keysRefetched(set, transmitter::equals);
    }

    /** Checks one SET, delivered through {@code source}. */
    public Result check(String set, SignalSource source) {
        IssuerSignedJwt.Result signed = signedJwts.check(set, maxBytes, SET_TYPE);
        if (signed instanceof IssuerSignedJwt.Refused r) {
            return switch (r.verdict()) {
                case KEYS_UNAVAILABLE -> new Unavailable("the transmitter's keys are not available yet: " + r.detail());
                case UNKNOWN_ISSUER -> new Refused(SetError.INVALID_ISSUER, "iss is not the configured transmitter");
                case UNKNOWN_KEY, BAD_SIGNATURE, ALG_NOT_ALLOWED -> new Refused(SetError.INVALID_KEY, r.detail());
                default -> new Refused(SetError.INVALID_REQUEST, r.detail());
            };
        }
        IssuerSignedJwt.Signed token = (IssuerSignedJwt.Signed) signed;
        IssuerPolicy policy = token.policy();
        ObjectNode claims = token.claims();
        if (!policy.issuer().equals(transmitter)) {
            return new Refused(SetError.INVALID_ISSUER, "iss is not the configured transmitter");
        }
        if (!SignalClaims.audienceNames(claims.get("aud"), Set.of(audience))) {
            return new Refused(SetError.INVALID_AUDIENCE, "aud must name " + audience);
        }
        long now = clock.instant().getEpochSecond();
        long skew = policy.clockSkew().toSeconds();
        JsonNode iat = claims.get("iat");
        if (!SignalClaims.isEpochSeconds(iat)) {
            return new Refused(SetError.INVALID_REQUEST, "iat is required, in whole epoch seconds");
        }
        long issuedAt = iat.longValue();
        if (issuedAt > now + skew) {
            return new Refused(SetError.INVALID_REQUEST, "iat is in the future");
        }
        // A polled SET waited at the transmitter for this receiver (while it or the link was down):
        // refusing it for its age would lose the revocation. Its replay is harmless: the same SET
        // is the same event id, which the publishing path answers as already applied.
        if (source != SignalSource.SSF_POLL && issuedAt < now - maxAge.toSeconds() - skew) {
            return new Refused(SetError.INVALID_REQUEST, "iat is older than " + maxAge.toSeconds() + " s");
        }
        String jti = CaepEvents.text(claims, "jti");
        if (jti == null) {
            return new Refused(SetError.INVALID_REQUEST, "jti is required, a non-empty string");
        }
        if (jti.length() > EventCodec.MAX_FIELD_LENGTH) {
            // Kept in the replay cache, the poll journal and the audit line: bounded like any event field.
            return new Refused(SetError.INVALID_REQUEST, "jti is longer than " + EventCodec.MAX_FIELD_LENGTH + " characters");
        }
        JsonNode txnNode = claims.get("txn");
        if (txnNode != null && !txnNode.isTextual()) {
            return new Refused(SetError.INVALID_REQUEST, "txn must be a string");
        }
        @Nullable String txn = txnNode == null ? null : txnNode.textValue();
        JsonNode events = claims.get("events");
        if (events == null || !events.isObject()) {
            return new Refused(SetError.INVALID_REQUEST, "events is required, a JSON object");
        }
        if (events.size() != 1) {
            return new Refused(SetError.INVALID_REQUEST, "events must hold exactly one event, not " + events.size());
        }
        Iterator<Map.Entry<String, JsonNode>> only = events.fields();
        Map.Entry<String, JsonNode> event = only.next();
        String eventType = event.getKey();
        JsonNode payload = event.getValue();
        if (!payload.isObject()) {
            return new Refused(SetError.INVALID_REQUEST, "the event's value must be a JSON object");
        }
        if (!CaepEvents.isMapped(eventType)) {
            return new Ignored(jti, eventType);
        }
        JsonNode subject = claims.has("sub_id") ? claims.get("sub_id") : payload.get("subject");
        if (subject == null) {
            return new Refused(SetError.INVALID_REQUEST, "sub_id is required");
        }
        JsonNode timestamp = payload.get("event_timestamp");
        if (!SignalClaims.isEpochSeconds(timestamp)) {
            return new Refused(SetError.INVALID_REQUEST, "event_timestamp is required, in whole epoch seconds");
        }
        long at = timestamp.longValue();
        if (at > now + skew) {
            // A rule dated in the future would refuse tokens that are not issued yet.
            return new Refused(SetError.INVALID_REQUEST, "event_timestamp is in the future");
        }
        CaepEvents.Target target = CaepEvents.target(eventType, subject, transmitter);
        if (target instanceof CaepEvents.Unusable u) {
            return new Refused(SetError.INVALID_REQUEST, u.description());
        }
        CaepEvents.Rule rule = (CaepEvents.Rule) target;
        String subjectIssuer = rule.key().issuer();
        if (!speaksFor.contains(subjectIssuer) || !configuredIssuer.test(subjectIssuer)) {
            return new Refused(SetError.ACCESS_DENIED, "this transmitter may not revoke for issuer "
                    + CaepEvents.abbreviate(subjectIssuer));
        }
        long forgetAfter = Math.max(issuedAt, now) + maxAge.toSeconds() + 2 * skew;
        return new Accepted(new IdpRevocation(source, transmitter, rule.key(), at, jti, CaepEvents.reason(eventType), txn),
                forgetAfter);
    }
}
