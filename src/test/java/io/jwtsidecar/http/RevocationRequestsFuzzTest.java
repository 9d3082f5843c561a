package io.jwtsidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.EventRecord;
import io.jwtsidecar.revocation.KeyState;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Admin request bodies as {@code POST /v1/revocations} reads them, and the parameters of a
 * restore: every body is either refused with a FieldException (a 400 or 409 naming the field) or
 * becomes an event that every sidecar will read back as it was published, dated within what
 * the sidecars accept. An event the admin API publishes and the sidecars dead-letter would be a
 * revocation silently lost.
 */
class RevocationRequestsFuzzTest {
    private static final String ISSUER = "https://idp.example.com";
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private final EventCodec codec = new EventCodec();
    private final MutableClock clock = new MutableClock(NOW);
    private final VerificationKey key = new VerificationKey("k1", JwsAlgorithm.HS256,
            TestKeys.generate(JwsAlgorithm.HS256).verificationKey());

    /**
     * The issuer's token lifetime comes from the input too: the configuration accepts any
     * positive duration (up to Long.MAX_VALUE seconds, as days), and the default expiry of a
     * rule is computed from it.
     */
    private RevocationRequests requests(long lifetimeSeconds) {
        IssuerPolicy policy = new IssuerPolicy(ISSUER, new StaticKeySource(List.of(key)), Set.of(JwsAlgorithm.HS256),
                Set.of("api"), List.of(), null, Duration.ofSeconds(30), Duration.ofSeconds(lifetimeSeconds), null);
        return new RevocationRequests(new TokenVerifier(List.of(policy), 8192, clock, RevocationCheck.NONE), clock);
    }

    @FuzzTest(maxDuration = "2s")
    void bodiesBecomeReadableEventsOrFieldErrors(FuzzedDataProvider data) throws Exception {
        boolean restore = data.consumeBoolean();
        RevocationRequests requests = requests(data.consumeLong(1, Long.MAX_VALUE));
        // The actor is the authenticated principal's configured name, not request input.
        String actor = "ops-admin";
        try {
            RevocationEvent event = restore ? restore(requests, data, actor) : revoke(requests, data.consumeRemainingAsString(), actor);
            if (event != null) {
                assertPublishable(event);
            }
        } catch (RevocationRequests.FieldException refused) {
            assertThat(refused.field()).isNotNull();
        }
    }

    /** As AdminRoutes reads a revoke: a JSON object of known members, the rule first, then the rest. */
    private static RevocationEvent revoke(RevocationRequests requests, String text, String actor) throws RevocationRequests.FieldException {
        JsonObject body;
        try {
            body = new JsonObject(text);
        } catch (RuntimeException notAnObject) {
            return null; // AdminRoutes answers 400 "must be a JSON object"
        }
        if (!RevocationRequests.REVOKE_FIELDS.containsAll(body.fieldNames())) {
            return null; // AdminRoutes answers 400 "unknown field"
        }
        RevocationRequests.revokeKey(body);
        RevocationRequests.RevokeRequest request = requests.parseRevoke(body);
        return requests.revoke(request, new KeyState(request.key(), null, null, null), actor);
    }

    /** A restore: the rule from the path, the rest from the query string. */
    private static RevocationEvent restore(RevocationRequests requests, FuzzedDataProvider data, String actor) throws RevocationRequests.FieldException {
        RuleKey key = RevocationRequests.ruleKey(data.consumeString(16), data.consumeString(64), data.consumeString(64));
        String eventId = data.consumeBoolean() ? null : data.consumeString(40);
        String reason = data.consumeBoolean() ? null : data.consumeRemainingAsString();
        return requests.restore(key, new KeyState(key, null, null, null), eventId, reason, actor);
    }

    private void assertPublishable(RevocationEvent event) throws Exception {
        assertThat(codec.decode(codec.encode(event))).isEqualTo(event);
        assertThat(event.at() - NOW.getEpochSecond()).isLessThanOrEqualTo(EventRecord.maxAheadSeconds(event.type()));
        assertThat(event.expiresAt()).isGreaterThanOrEqualTo(event.at());
    }
}
