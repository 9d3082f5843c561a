package io.jwtsidecar.idp;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.SetBuilder;
import io.jwtsidecar.testing.SetBuilder.Subjects;
import io.jwtsidecar.testing.SsfTransmitter;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeyLoader;
import io.jwtsidecar.token.keys.StaticKeySource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SET validation (RFC 8417 §2 as SSF 1.0 profiles it) and the CAEP mapping, against SETs built by
 * an independent JOSE library. The conformance table has one row per MUST: each row builds a SET
 * that breaks exactly that rule and expects the registered error code.
 */
class SecurityEventCheckTest {
    static final String AUDIENCE = "https://sidecar.example/ssf";
    static final String TOKEN_ISSUER = "https://issuer.test";
    static final String OTHER_ISSUER = "https://other.test";
    static final SsfTransmitter TX = open();
    /** A configured issuer that is not the transmitter, with a key of its own. */
    static final ECKey OTHER_KEY = SsfTransmitter.newKey(SsfTransmitter.KID);
    static final MutableClock CLOCK = MutableClock.atNow();
    static final SecurityEventCheck CHECK = check(Set.of(TX.issuer(), TOKEN_ISSUER));

    private static SsfTransmitter open() {
        try {
            return new SsfTransmitter(AUDIENCE);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void close() {
        TX.close();
    }

    static SecurityEventCheck check(Set<String> speaksFor) {
        String txJwks = TX.jwksJson();
        IssuerPolicy tx = policy(TX.issuer(), txJwks);
        IssuerPolicy tokens = policy(TOKEN_ISSUER, new JWKSet(OTHER_KEY.toPublicJWK()).toString());
        IssuerPolicy other = policy(OTHER_ISSUER, new JWKSet(OTHER_KEY.toPublicJWK()).toString());
        TokenVerifier verifier = new TokenVerifier(List.of(tx, tokens, other), 8192, CLOCK,
                (RevocationCheck) (t, skew) -> RevocationCheck.Status.NOT_REVOKED);
        return new SecurityEventCheck(verifier.signedJwts(), TX.issuer(), AUDIENCE, speaksFor,
                i -> verifier.policy(i).isPresent(), 8192, Duration.ofMinutes(5), CLOCK);
    }

    private static IssuerPolicy policy(String issuer, String jwks) {
        return new IssuerPolicy(issuer, new StaticKeySource(StaticKeyLoader.jwks(jwks, JwsAlgorithm.ES256)),
                Set.of(JwsAlgorithm.ES256), Set.of("api"), List.of(), null, Duration.ofSeconds(5), Duration.ofHours(1), null);
    }

    /** A valid session-revoked SET about alice of the token issuer, dated now. */
    static SetBuilder valid() {
        long now = CLOCK.epochSecond();
        return TX.set(SsfTransmitter.SESSION_REVOKED, Map.of("event_timestamp", now - 1))
                .iat(now).subject(Subjects.complex(Subjects.issSub(TOKEN_ISSUER, "alice"), Subjects.opaque("s-1")));
    }

    static Stream<Arguments> rfc8417_and_ssf_musts() {
        long now = CLOCK.epochSecond();
        return Stream.of(
                row("RFC 8417 §2.3 / SSF §4: typ is secevent+jwt, so a SET missing it is refused",
                        b -> b.typ(null), SetError.INVALID_REQUEST),
                row("RFC 8417 §2.3: a SET typed as another kind of JWT is refused", b -> b.typ("JWT"), SetError.INVALID_REQUEST),
                row("RFC 8417 §5 / RFC 8725: an unsecured SET (alg none) is refused", SetBuilder::algNone, SetError.INVALID_REQUEST),
                row("RFC 8417 §5: a SET signed by a key the transmitter does not hold is refused",
                        b -> b.signedWith(SsfTransmitter.newKey(SsfTransmitter.KID)), SetError.INVALID_KEY),
                row("RFC 8417 §5: a SET whose signature does not verify is refused", SetBuilder::badSignature, SetError.INVALID_KEY),
                row("RFC 8417 §2.2: iss must be the configured transmitter, not an unknown issuer",
                        b -> b.issuer("https://unknown.test"), SetError.INVALID_ISSUER),
                row("RFC 8417 §2.2: iss must be the configured transmitter, not another configured issuer",
                        b -> b.issuer(OTHER_ISSUER).signedWith(OTHER_KEY), SetError.INVALID_ISSUER),
                row("RFC 8417 §2.2: aud is required", b -> b.audience(null), SetError.INVALID_AUDIENCE),
                row("RFC 8417 §2.2: aud must name this receiver", b -> b.audience("https://elsewhere"), SetError.INVALID_AUDIENCE),
                row("RFC 8417 §2.2: aud must name this receiver, also as an array",
                        b -> b.audience(List.of("a", "b")), SetError.INVALID_AUDIENCE),
                row("RFC 8417 §2.2: iat is required", b -> b.claim("iat", null), SetError.INVALID_REQUEST),
                row("RFC 8417 §2.2: iat must be a NumericDate", b -> b.claim("iat", "yesterday"), SetError.INVALID_REQUEST),
                row("iat in the future (beyond the skew) is refused", b -> b.iat(now + 3600), SetError.INVALID_REQUEST),
                row("iat older than signals.maxAge is refused", b -> b.iat(now - 3600), SetError.INVALID_REQUEST),
                row("RFC 8417 §2.2: jti is required", b -> b.jti(null), SetError.INVALID_REQUEST),
                row("RFC 8417 §2.2: jti is a non-empty string", b -> b.jti(""), SetError.INVALID_REQUEST),
                row("RFC 8417 §2.2: jti is a string", b -> b.claim("jti", 42), SetError.INVALID_REQUEST),
                row("RFC 8417 §2.2: events is required", b -> b.eventsAsArray(), SetError.INVALID_REQUEST),
                row("SSF 1.0 §4.1: exactly one event per SET",
                        b -> b.event(SsfTransmitter.CREDENTIAL_CHANGE, Map.of("event_timestamp", now)), SetError.INVALID_REQUEST),
                row("RFC 8417 §2.2: each event's payload is a JSON object",
                        b -> b.event(SsfTransmitter.SESSION_REVOKED, Map.of()).claim("events",
                                Map.of(SsfTransmitter.SESSION_REVOKED, "revoked")), SetError.INVALID_REQUEST),
                row("RFC 8417 §2.2: txn, when present, is a string", b -> b.txn(null).claim("txn", 7), SetError.INVALID_REQUEST),
                row("SSF 1.0 §4.1.1: a CAEP event names its subject (sub_id)", b -> b.claim("sub_id", null), SetError.INVALID_REQUEST),
                row("CAEP 1.0 §2: event_timestamp is required",
                        b -> b.event(SsfTransmitter.SESSION_REVOKED, Map.of()), SetError.INVALID_REQUEST),
                row("an event_timestamp in the future would date a rule ahead; refused",
                        b -> b.event(SsfTransmitter.SESSION_REVOKED, Map.of("event_timestamp", now + 3600)),
                        SetError.INVALID_REQUEST),
                row("a subject format that names no token claim (email) is refused",
                        b -> b.subject(Subjects.email("alice@example.com")), SetError.INVALID_REQUEST),
                row("a subject of an issuer the transmitter may not speak for is refused",
                        b -> b.subject(Subjects.issSub(OTHER_ISSUER, "alice")), SetError.ACCESS_DENIED),
                row("a subject of an issuer that is not configured here is refused",
                        b -> b.subject(Subjects.issSub("https://nowhere.test", "alice")), SetError.ACCESS_DENIED));
    }

    private static Arguments row(String rule, UnaryOperator<SetBuilder> breakIt, SetError expected) {
        return Arguments.of(rule, breakIt, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rfc8417_and_ssf_musts")
    void each_must_is_enforced_with_its_error_code(String rule, UnaryOperator<SetBuilder> breakIt, SetError expected) {
        assertThat(CHECK.check(valid().build(), SignalSource.SSF_PUSH)).isInstanceOf(SecurityEventCheck.Accepted.class);
        SecurityEventCheck.Result result = CHECK.check(breakIt.apply(valid()).build(), SignalSource.SSF_PUSH);
        assertThat(result).isInstanceOf(SecurityEventCheck.Refused.class);
        assertThat(((SecurityEventCheck.Refused) result).error()).as(rule).isEqualTo(expected);
    }

    static Stream<Arguments> caep_mapping() {
        long t = CLOCK.epochSecond() - 30;
        Map<String, Object> at = Map.of("event_timestamp", t);
        return Stream.of(
                Arguments.of("session-revoked with a complex subject revokes the session (sid) under the user's issuer",
                        SsfTransmitter.SESSION_REVOKED, Subjects.complex(Subjects.issSub(TOKEN_ISSUER, "alice"),
                                Subjects.opaque("s-1")), new RuleKey(RevocationScope.SID, TOKEN_ISSUER, "s-1")),
                Arguments.of("session-revoked naming only a user revokes every session of the user (sub)",
                        SsfTransmitter.SESSION_REVOKED, Subjects.issSub(TOKEN_ISSUER, "alice"),
                        new RuleKey(RevocationScope.SUB, TOKEN_ISSUER, "alice")),
                Arguments.of("session-revoked naming only an opaque session revokes it under the transmitter's issuer",
                        SsfTransmitter.SESSION_REVOKED, Subjects.complex(null, Subjects.opaque("s-9")),
                        new RuleKey(RevocationScope.SID, TX.issuer(), "s-9")),
                Arguments.of("credential-change revokes the user (sub)", SsfTransmitter.CREDENTIAL_CHANGE,
                        Subjects.issSub(TOKEN_ISSUER, "bob"), new RuleKey(RevocationScope.SUB, TOKEN_ISSUER, "bob")),
                Arguments.of("token-claims-change revokes the user (sub): old claims die", SsfTransmitter.TOKEN_CLAIMS_CHANGE,
                        Subjects.complex(Subjects.issSub(TOKEN_ISSUER, "carol"), Subjects.opaque("s-2")),
                        new RuleKey(RevocationScope.SUB, TOKEN_ISSUER, "carol")),
                Arguments.of("assurance-level-change revokes the user (sub)", SsfTransmitter.ASSURANCE_LEVEL_CHANGE,
                        Subjects.issSub(TOKEN_ISSUER, "dave"), new RuleKey(RevocationScope.SUB, TOKEN_ISSUER, "dave")),
                Arguments.of("an opaque user is a subject of the transmitter's own issuer", SsfTransmitter.CREDENTIAL_CHANGE,
                        Subjects.opaque("erin"), new RuleKey(RevocationScope.SUB, TX.issuer(), "erin")))
                .map(a -> Arguments.of(a.get()[0], a.get()[1], a.get()[2], a.get()[3], t, at));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caep_mapping")
    void each_caep_event_becomes_its_rule_dated_by_event_timestamp(String rule, String type, Map<String, Object> subject,
                                                                   RuleKey expected, long t, Map<String, Object> payload) {
        SetBuilder set = TX.set(type, payload).iat(CLOCK.epochSecond()).subject(subject).txn("txn-1");
        SecurityEventCheck.Result result = CHECK.check(set.build(), SignalSource.SSF_POLL);
        assertThat(result).as(rule).isInstanceOf(SecurityEventCheck.Accepted.class);
        IdpRevocation r = ((SecurityEventCheck.Accepted) result).revocation();
        assertThat(r.key()).isEqualTo(expected);
        assertThat(r.at()).isEqualTo(t);
        assertThat(r.signer()).isEqualTo(TX.issuer());
        assertThat(r.actor()).isEqualTo("idp:" + TX.issuer());
        assertThat(r.source()).isEqualTo(SignalSource.SSF_POLL);
        assertThat(r.signalId()).isEqualTo(set.jti());
        assertThat(r.txn()).isEqualTo("txn-1");
        assertThat(r.reason()).startsWith("caep:");
    }

    @Test
    void the_legacy_subject_inside_the_event_is_read_when_there_is_no_sub_id() {
        long t = CLOCK.epochSecond();
        String set = TX.set(SsfTransmitter.CREDENTIAL_CHANGE, Map.of("event_timestamp", t,
                "subject", Subjects.issSub(TOKEN_ISSUER, "frank"))).iat(t).build();
        SecurityEventCheck.Result result = CHECK.check(set, SignalSource.SSF_PUSH);
        assertThat(((SecurityEventCheck.Accepted) result).revocation().key())
                .isEqualTo(new RuleKey(RevocationScope.SUB, TOKEN_ISSUER, "frank"));
    }

    @Test
    void an_unknown_event_type_is_ignored_not_refused() {
        String set = TX.set("https://schemas.openid.net/secevent/caep/event-type/device-compliance-change",
                Map.of("event_timestamp", CLOCK.epochSecond())).iat(CLOCK.epochSecond()).build();
        assertThat(CHECK.check(set, SignalSource.SSF_PUSH)).isInstanceOf(SecurityEventCheck.Ignored.class);
    }

    @Test
    void by_default_a_transmitter_speaks_only_for_its_own_issuer() {
        SecurityEventCheck own = check(Set.of(TX.issuer()));
        assertThat(own.check(valid().build(), SignalSource.SSF_PUSH)).isInstanceOf(SecurityEventCheck.Refused.class);
        long t = CLOCK.epochSecond();
        String mine = TX.set(SsfTransmitter.CREDENTIAL_CHANGE, Map.of("event_timestamp", t)).iat(t)
                .subject(Subjects.issSub(TX.issuer(), "gina")).build();
        assertThat(own.check(mine, SignalSource.SSF_PUSH)).isInstanceOf(SecurityEventCheck.Accepted.class);
    }

    @Test
    void a_polled_set_is_not_refused_for_its_age_since_it_waited_at_the_transmitter() {
        String old = valid().iat(CLOCK.epochSecond() - 7200).build();
        assertThat(CHECK.check(old, SignalSource.SSF_PUSH)).isInstanceOf(SecurityEventCheck.Refused.class);
        assertThat(CHECK.check(old, SignalSource.SSF_POLL)).isInstanceOf(SecurityEventCheck.Accepted.class);
    }
}
