package io.jwtsidecar.idp;

import io.jwtsidecar.revocation.RuleKey;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A revocation an identity provider asked for, checked and ready to publish: the rule, dated by
 * the signal's own time, and who signed the signal.
 *
 * @param source   how it came in
 * @param signer   the issuer whose key signed the signal (a logout token's or a SET's {@code iss})
 * @param key      the rule it creates
 * @param at       the rule time: the signal's time ({@code iat}, {@code event_timestamp}), epoch seconds
 * @param signalId the signal's own id ({@code jti}), unique per signer
 * @param reason   the event reason, e.g. {@code backchannel_logout} or {@code caep:session-revoked}
 * @param txn      the transaction id the transmitter gave (RFC 8417 {@code txn}), for the audit line; may be null
 */
public record IdpRevocation(SignalSource source, String signer, RuleKey key, long at, String signalId, String reason,
                            @Nullable String txn) {
    public IdpRevocation {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(signalId, "signalId");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * The event id, the same wherever and however often this signal arrives: a name-based UUID of
     * the signer, the signal id and the rule. A logout token delivered twice, to two sidecars, or
     * again after a restart gives the same event, which the store applies once (decision 76).
     */
    public String eventId() {
        String name = String.join("\n", "jwt-sidecar idp signal", signer, signalId, key.scope().wireName(),
                key.issuer(), key.value());
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The actor recorded on the event and in the audit line: {@code idp:<signer>}. */
    public String actor() {
        return "idp:" + signer;
    }
}
