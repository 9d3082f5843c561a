package io.jwtsidecar.idp;

import com.fasterxml.jackson.databind.JsonNode;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.RuleKeys;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The CAEP 1.0 events this sidecar enforces, and the rule each one becomes (docs/EVENTS.md,
 * "Shared Signals"):
 *
 * <table>
 *   <caption>CAEP event to rule</caption>
 *   <tr><th>event</th><th>rule</th></tr>
 *   <tr><td>session-revoked</td><td>{@code sid} of the subject's session, or {@code sub} of its user when no session is named</td></tr>
 *   <tr><td>credential-change</td><td>{@code sub}: every token of the user issued before the change</td></tr>
 *   <tr><td>token-claims-change</td><td>{@code sub}: tokens carrying the old claims die, fresh ones carry the new</td></tr>
 *   <tr><td>assurance-level-change</td><td>{@code sub}: tokens minted at the old level die</td></tr>
 * </table>
 *
 * <p>The rule time is the event's {@code event_timestamp}. The subject is SSF 1.0's {@code sub_id}
 * (or the event's {@code subject}, as earlier CAEP drafts put it): {@code iss_sub} names the user
 * under its issuer; {@code opaque} names a user (or, inside {@code complex.session}, a session) of
 * the transmitter's own issuer; {@code complex} combines a user and a session. Other formats
 * (email, phone number, ...) name no token claim, so such events are refused rather than
 * half-enforced. Stateless and thread-safe.
 */
public final class CaepEvents {
    public static final String PREFIX = "https://schemas.openid.net/secevent/caep/event-type/";
    public static final String SESSION_REVOKED = PREFIX + "session-revoked";
    public static final String CREDENTIAL_CHANGE = PREFIX + "credential-change";
    public static final String TOKEN_CLAIMS_CHANGE = PREFIX + "token-claims-change";
    public static final String ASSURANCE_LEVEL_CHANGE = PREFIX + "assurance-level-change";

    /** The mapped event types, by their short name (the event reason is {@code caep:<short name>}). */
    private static final Map<String, String> SHORT_NAMES = Map.of(SESSION_REVOKED, "session-revoked",
            CREDENTIAL_CHANGE, "credential-change", TOKEN_CLAIMS_CHANGE, "token-claims-change",
            ASSURANCE_LEVEL_CHANGE, "assurance-level-change");

    private CaepEvents() {
    }

    /** Whether this sidecar turns {@code eventType} into a rule; others are acknowledged and counted. */
    public static boolean isMapped(String eventType) {
        return SHORT_NAMES.containsKey(eventType);
    }

    /** The event reason of a mapped type, e.g. {@code caep:session-revoked}. */
    public static String reason(String eventType) {
        return "caep:" + SHORT_NAMES.getOrDefault(eventType, "unknown");
    }

    /** A rule key, or why the subject cannot name one. */
    public sealed interface Target permits Rule, Unusable {
    }

    /** @param key the rule, under the subject's issuer (which the caller checks the transmitter may speak for) */
    public record Rule(RuleKey key) implements Target {
    }

    /** @param description which rule of the mapping failed */
    public record Unusable(String description) implements Target {
    }

    /**
     * The rule {@code eventType} asks for about {@code subject}.
     *
     * @param ownIssuer the transmitter's issuer: the issuer of {@code opaque} identifiers
     */
    public static Target target(String eventType, JsonNode subject, String ownIssuer) {
        if (!subject.isObject()) {
            return new Unusable("the subject must be a JSON object");
        }
        String format = text(subject, "format");
        if (format == null) {
            return new Unusable("the subject has no format");
        }
        @Nullable JsonNode user = subject;
        @Nullable JsonNode session = null;
        if (format.equals("complex")) {
            user = subject.get("user");
            session = subject.get("session");
            if (user == null && session == null) {
                return new Unusable("a complex subject needs a user or a session");
            }
        }
        Optional<RuleKey> userKey = Optional.empty();
        if (user != null) {
            Target t = userKey(user, ownIssuer);
            if (t instanceof Unusable u) {
                return u;
            }
            userKey = Optional.of(((Rule) t).key());
        }
        if (eventType.equals(SESSION_REVOKED) && session != null) {
            String sid = session.isObject() && "opaque".equals(text(session, "format")) ? text(session, "id") : null;
            if (sid == null) {
                return new Unusable("a session must be an opaque identifier with an id");
            }
            String issuer = userKey.map(RuleKey::issuer).orElse(ownIssuer);
            return checked(new RuleKey(RevocationScope.SID, issuer, sid));
        }
        return userKey.<Target>map(CaepEvents::checked)
                .orElseGet(() -> new Unusable(SHORT_NAMES.get(eventType) + " needs a user subject, not only a session"));
    }

    private static Target userKey(JsonNode user, String ownIssuer) {
        String format = user.isObject() ? text(user, "format") : null;
        if (format == null) {
            return new Unusable("the user subject must be an object with a format");
        }
        String iss = text(user, "iss");
        String sub = text(user, "sub");
        String id = text(user, "id");
        return switch (format) {
            case "iss_sub" -> iss == null || sub == null ? new Unusable("an iss_sub subject needs iss and sub")
                    : new Rule(new RuleKey(RevocationScope.SUB, iss, sub));
            case "opaque" -> id == null ? new Unusable("an opaque subject needs an id")
                    : new Rule(new RuleKey(RevocationScope.SUB, ownIssuer, id));
            default -> new Unusable("subject format " + abbreviate(format) + " names no token claim; use iss_sub or opaque");
        };
    }

    private static Target checked(RuleKey key) {
        try {
            RuleKeys.check(key.scope(), key.issuer(), key.value());
            return new Rule(key);
        } catch (IllegalArgumentException e) {
            return new Unusable(key.scope().wireName() + " cannot be a revocation rule: " + e.getMessage());
        }
    }

    static @Nullable String text(JsonNode node, String name) {
        JsonNode n = node.get(name);
        return n != null && n.isTextual() && !n.textValue().isEmpty() ? n.textValue() : null;
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
