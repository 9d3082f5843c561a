package io.jwtsidecar.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.testing.JwksServer;
import io.jwtsidecar.testing.LogCapture;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.testing.Tokens;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.KeyFetching;
import io.jwtsidecar.token.keys.RemoteJwksSource;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Keys from a real local JWKS server: rotation, outages, garbage, discovery, several issuers, hung servers. */
class RemoteKeysTest {
    private static final String AUD = "api";
    private static final Duration MIN_REFRESH = Duration.ofMillis(200);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

    private final MutableClock clock = MutableClock.atNow();
    private final TestKeys k1 = TestKeys.generate(JwsAlgorithm.ES256);
    private final TestKeys k2 = TestKeys.generate(JwsAlgorithm.ES256);
    private JwksServer server;
    private KeyFetching fetching;

    @BeforeEach
    void start() throws Exception {
        server = new JwksServer();
        fetching = new KeyFetching();
    }

    @AfterEach
    void stop() {
        fetching.close();
        server.close();
    }

    private RemoteJwksSource jwksSource(String issuer, Duration refresh) {
        return new RemoteJwksSource(issuer, URI.create(server.url("/jwks")), Set.of(JwsAlgorithm.ES256), refresh,
                MIN_REFRESH, FETCH_TIMEOUT, System::nanoTime);
    }

    private IssuerPolicy policy(String issuer, RemoteJwksSource source) {
        return new IssuerPolicy(issuer, source, Set.of(JwsAlgorithm.ES256), Set.of(AUD), List.of(), null,
                Duration.ofSeconds(30), Duration.ofHours(1), null);
    }

    private TokenVerifier verifier(IssuerPolicy... policies) {
        return new TokenVerifier(List.of(policies), 8192, clock, RevocationCheck.NONE, 1 << 20);
    }

    private String token(String issuer, TestKeys keys, String kid) {
        return Tokens.mint(keys, kid, Tokens.validClaims(issuer, AUD, clock.epochSecond()));
    }

    @Test
    void a_new_kid_is_picked_up_on_first_sight_and_an_old_one_is_dropped_after_refresh() {
        String iss = server.url("");
        server.serveKeys("/jwks", "k1", "ES256", k1.verificationKey());
        RemoteJwksSource source = jwksSource(iss, Duration.ofHours(1));
        TokenVerifier v = verifier(policy(iss, source));
        source.start(fetching);
        await().atMost(Duration.ofSeconds(10)).until(() -> source.current() != null);
        String oldToken = token(iss, k1, "k1");
        assertThat(v.verify(oldToken).isAccepted()).isTrue();

        // The issuer rotates: k2 in, k1 out. The first token naming k2 triggers a refresh.
        server.serveKeys("/jwks", "k2", "ES256", k2.verificationKey());
        String newToken = token(iss, k2, "k2");
        await().pollDelay(MIN_REFRESH).atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(v.verify(newToken).isAccepted()).isTrue());

        VerificationOutcome old = v.verify(oldToken);
        assertThat(old.verdict()).as("the cached old token lost its key").isEqualTo(Verdict.UNKNOWN_KEY);
    }

    // Repeated: the burst races the fetch it starts; without the fix one run in five fetched twice.
    @org.junit.jupiter.api.RepeatedTest(5)
    void a_flood_of_unknown_kids_costs_one_fetch_per_interval() throws Exception {
        String iss = server.url("");
        server.serveKeys("/jwks", "k1", "ES256", k1.verificationKey());
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        RemoteJwksSource source = new RemoteJwksSource(iss, URI.create(server.url("/jwks")), Set.of(JwsAlgorithm.ES256),
                Duration.ofHours(1), Duration.ofSeconds(30), FETCH_TIMEOUT, nanos::get);
        TokenVerifier v = verifier(policy(iss, source));
        source.start(fetching);
        await().atMost(Duration.ofSeconds(10)).until(() -> source.current() != null);
        List<String> unknown = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            unknown.add(token(iss, k2, "unknown-" + i));
        }

        assertThat(v.verify(unknown.get(0)).verdict()).as("too soon after the first fetch").isEqualTo(Verdict.UNKNOWN_KEY);
        // A refetch would be asynchronous: the count must hold for a while, not just at one instant.
        await("no refetch too soon").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> server.hits("/jwks") == 1);

        nanos.addAndGet(Duration.ofSeconds(31).toNanos());
        // From several threads at once, as requests come: the burst races the fetch it starts.
        unknown.parallelStream().forEach(t -> assertThat(v.verify(t).verdict()).isEqualTo(Verdict.UNKNOWN_KEY));
        // At least: a second refetch must fail the exact count below with its message, not time out here.
        await().atMost(Duration.ofSeconds(10)).until(() -> server.hits("/jwks") >= 2);
        await("the burst's refetch settles").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> server.hits("/jwks") == 2);
        for (String t : unknown) {
            v.verify(t);
        }

        await("one refetch for the whole burst, then the rate limit").during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(2)).until(() -> server.hits("/jwks") == 2);
    }

    @Test
    void with_the_jwks_server_down_at_start_verification_answers_keys_unavailable_then_recovers() {
        String iss = server.url("");
        server.setDown(true);
        RemoteJwksSource source = jwksSource(iss, Duration.ofHours(1));
        TokenVerifier v = verifier(policy(iss, source));
        source.start(fetching);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.hits("/jwks") >= 1);

        VerificationOutcome during = v.verify(token(iss, k1, "k1"));
        assertThat(during.verdict()).isEqualTo(Verdict.KEYS_UNAVAILABLE);
        assertThat(during.verdict().kind()).isEqualTo(Verdict.Kind.UNAVAILABLE);
        assertThat(source.describe()).contains("no keys yet");

        server.serveKeys("/jwks", "k1", "ES256", k1.verificationKey());
        server.setDown(false);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(v.verify(token(iss, k1, "k1")).isAccepted()).isTrue());
    }

    @Test
    void a_signal_waiting_for_rotated_keys_gets_a_fetch_within_a_second_and_a_flood_costs_one_request_a_second() throws Exception {
        String iss = server.url("");
        server.serveKeys("/jwks", "k1", "ES256", k1.verificationKey());
        RemoteJwksSource source = new RemoteJwksSource(iss, URI.create(server.url("/jwks")), Set.of(JwsAlgorithm.ES256),
                Duration.ofHours(1), Duration.ofMinutes(5), FETCH_TIMEOUT, System::nanoTime);
        source.start(fetching);
        await().atMost(Duration.ofSeconds(10)).until(() -> source.current() != null);
        server.serveKeys("/jwks", "k1", "ES256", k1.verificationKey(), "k2", "ES256", k2.verificationKey());

        // Within the 5 min access-token limit, yet a signal's wait gets the rotated key in about a second.
        List<java.util.concurrent.CompletableFuture<Void>> waits = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            waits.add(source.refetched().toCompletableFuture());
        }
        java.util.concurrent.CompletableFuture.allOf(waits.toArray(new java.util.concurrent.CompletableFuture[0]))
                .get(5, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(source.current().select("k2")).isNotNull();
        assertThat(server.hits("/jwks")).as("fifty waiting signals, one request").isEqualTo(2);
    }

    @Test
    void a_failing_key_server_keeps_its_backoff_however_many_signals_wait() throws Exception {
        String iss = server.url("");
        server.serveKeys("/jwks", "k1", "ES256", k1.verificationKey());
        RemoteJwksSource source = new RemoteJwksSource(iss, URI.create(server.url("/jwks")), Set.of(JwsAlgorithm.ES256),
                Duration.ofHours(1), Duration.ofMinutes(5), FETCH_TIMEOUT, System::nanoTime);
        source.start(fetching);
        await().atMost(Duration.ofSeconds(10)).until(() -> source.current() != null);
        server.setDown(true);
        source.refetched(); // the one fetch a signal may ask for: it fails, and the backoff (5 min) begins
        await().atMost(Duration.ofSeconds(10)).until(() -> source.describe().contains("last fetch failed"));
        int failed = server.hits("/jwks");

        for (int i = 0; i < 20; i++) {
            source.refetched();
            Thread.sleep(100);
        }

        assertThat(server.hits("/jwks")).as("no request past the backoff (5 min)").isEqualTo(failed);
    }

    @Test
    void garbage_from_the_jwks_server_keeps_the_last_good_keys() {
        String iss = server.url("");
        server.serveKeys("/jwks", "k1", "ES256", k1.verificationKey());
        RemoteJwksSource source = jwksSource(iss, MIN_REFRESH);
        TokenVerifier v = verifier(policy(iss, source));
        source.start(fetching);
        await().atMost(Duration.ofSeconds(10)).until(() -> source.current() != null);

        int before = server.hits("/jwks");
        server.serve("/jwks", "<html>oops</html>");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.hits("/jwks") >= before + 2);

        assertThat(source.describe()).contains("keeping last good keys");
        assertThat(v.verify(token(iss, k1, "k1")).isAccepted()).isTrue();
    }

    @Test
    void discovery_finds_the_jwks_uri_in_the_openid_configuration() {
        String iss = server.url("/realms/main");
        server.serve("/realms/main/.well-known/openid-configuration",
                "{\"issuer\":\"" + iss + "\",\"jwks_uri\":\"" + server.url("/certs") + "\"}");
        server.serveKeys("/certs", "k1", "ES256", k1.verificationKey());
        RemoteJwksSource source = new RemoteJwksSource(iss, null, Set.of(JwsAlgorithm.ES256), Duration.ofHours(1),
                MIN_REFRESH, FETCH_TIMEOUT, System::nanoTime);
        TokenVerifier v = verifier(policy(iss, source));
        source.start(fetching);

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(v.verify(token(iss, k1, "k1")).isAccepted()).isTrue());
        assertThat(server.hits("/certs")).isEqualTo(1);
    }

    @Test
    void a_discovery_document_naming_another_issuer_is_refused() throws Exception {
        String iss = server.url("/realms/main");
        server.serve("/realms/main/.well-known/openid-configuration",
                "{\"issuer\":\"https://evil.example\",\"jwks_uri\":\"" + server.url("/certs") + "\"}");
        server.serveKeys("/certs", "k1", "ES256", k1.verificationKey());
        RemoteJwksSource source = new RemoteJwksSource(iss, null, Set.of(JwsAlgorithm.ES256), Duration.ofHours(1),
                MIN_REFRESH, FETCH_TIMEOUT, System::nanoTime);
        source.start(fetching);
        await().atMost(Duration.ofSeconds(5)).until(() -> source.describe().contains("failed"));

        assertThat(source.current()).isNull();
        assertThat(source.describe()).contains("expected '" + iss + "'");
        assertThat(server.hits("/certs")).isZero();
    }

    @Test
    void several_issuers_each_use_only_their_own_keys() {
        String issA = server.url("/a");
        String issB = server.url("/b");
        server.serveKeys("/a/jwks", "k1", "ES256", k1.verificationKey());
        server.serveKeys("/b/jwks", "k2", "ES256", k2.verificationKey());
        RemoteJwksSource a = new RemoteJwksSource(issA, URI.create(server.url("/a/jwks")), Set.of(JwsAlgorithm.ES256),
                Duration.ofHours(1), MIN_REFRESH, FETCH_TIMEOUT, System::nanoTime);
        RemoteJwksSource b = new RemoteJwksSource(issB, URI.create(server.url("/b/jwks")), Set.of(JwsAlgorithm.ES256),
                Duration.ofHours(1), MIN_REFRESH, FETCH_TIMEOUT, System::nanoTime);
        TokenVerifier v = verifier(policy(issA, a), policy(issB, b));
        a.start(fetching);
        b.start(fetching);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.current() != null && b.current() != null);

        assertThat(v.verify(token(issA, k1, "k1")).isAccepted()).isTrue();
        assertThat(v.verify(token(issB, k2, "k2")).isAccepted()).isTrue();
        assertThat(v.verify(token(issA, k2, "k2")).verdict()).as("B's key is not A's").isEqualTo(Verdict.UNKNOWN_KEY);
    }

    // ---- hung and hostile key servers: a deadline per request, no issuer waits for another ----

    private RemoteJwksSource source(String issuer, String jwksPath, Duration refresh, Duration fetchTimeout) {
        return new RemoteJwksSource(issuer, URI.create(server.url(jwksPath)), Set.of(JwsAlgorithm.ES256), refresh,
                MIN_REFRESH, fetchTimeout, System::nanoTime);
    }

    @Test
    void an_issuer_whose_server_stalls_after_the_headers_holds_back_no_other_issuer() {
        String issA = server.url("/a");
        String issB = server.url("/b");
        server.serveKeys("/a/jwks", "k1", "ES256", k1.verificationKey());
        server.stallAfterHeaders("/a/jwks");
        server.serveKeys("/b/jwks", "k2", "ES256", k2.verificationKey());
        Duration deadlineA = Duration.ofSeconds(8);
        RemoteJwksSource a = source(issA, "/a/jwks", Duration.ofHours(1), deadlineA);
        RemoteJwksSource b = source(issB, "/b/jwks", Duration.ofMillis(300), FETCH_TIMEOUT);
        TokenVerifier v = verifier(policy(issA, a), policy(issB, b));

        try (LogCapture log = LogCapture.warn(RemoteJwksSource.class.getName())) {
            a.start(fetching);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.hits("/a/jwks") >= 1); // A's answer hangs now
            b.start(fetching);

            // B's first fetch and two refreshes, while A's request still hangs: 4 s before A's deadline at least.
            await().atMost(Duration.ofSeconds(4)).until(() -> b.current() != null && server.hits("/b/jwks") >= 3);
            assertThat(a.describe()).as("A's first request is still under way").doesNotContain("failed");
            assertThat(v.verify(token(issB, k2, "k2")).isAccepted()).isTrue();
            assertThat(v.verify(token(issA, k1, "k1")).verdict()).isEqualTo(Verdict.KEYS_UNAVAILABLE);

            // A's request ends at its deadline, and says so where /health/ready and the log show it.
            await().atMost(deadlineA.plusSeconds(10)).until(() -> a.describe().contains("failed"));
            assertThat(a.describe()).contains("no keys yet", server.url("/a/jwks"), "deadline of 8s exceeded");
            assertThat(log.messages()).anySatisfy(m -> assertThat(m)
                    .contains(issA, server.url("/a/jwks"), "deadline of 8s exceeded"));
        }

        server.answerNormally("/a/jwks");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.current() != null);
        assertThat(v.verify(token(issA, k1, "k1")).isAccepted()).isTrue();
        assertThat(a.describe()).contains("ok (1 keys)");
    }

    @Test
    void a_body_dripping_a_byte_every_100_ms_hits_the_deadline_and_its_connection_is_closed() {
        String iss = server.url("");
        server.serveKeys("/jwks", "k1", "ES256", k1.verificationKey());
        server.drip("/jwks", Duration.ofMillis(100)); // about 15 s for the whole document
        RemoteJwksSource source = source(iss, "/jwks", Duration.ofHours(1), Duration.ofMillis(500));
        source.start(fetching);

        await().atMost(Duration.ofSeconds(5)).until(() -> source.describe().contains("deadline of 500ms exceeded"));
        assertThat(source.current()).isNull();
        await("the server sees the client hang up").atMost(Duration.ofSeconds(5))
                .until(() -> server.droppedByClient("/jwks") >= 1);
    }

    @Test
    void a_discovery_document_that_stalls_after_the_headers_hits_the_deadline() {
        String iss = server.url("/realms/main");
        String discovery = "/realms/main/.well-known/openid-configuration";
        server.serve(discovery, "{\"issuer\":\"" + iss + "\",\"jwks_uri\":\"" + server.url("/certs") + "\"}");
        server.stallAfterHeaders(discovery);
        server.serveKeys("/certs", "k1", "ES256", k1.verificationKey());
        RemoteJwksSource source = new RemoteJwksSource(iss, null, Set.of(JwsAlgorithm.ES256), Duration.ofHours(1),
                MIN_REFRESH, Duration.ofMillis(500), System::nanoTime);
        source.start(fetching);

        await().atMost(Duration.ofSeconds(5)).until(() -> source.describe().contains("failed"));
        assertThat(source.describe()).contains(server.url(discovery), "deadline of 500ms exceeded");
        assertThat(server.hits("/certs")).isZero();

        server.answerNormally(discovery);
        await().atMost(Duration.ofSeconds(10)).until(() -> source.current() != null);
    }

    @Test
    void a_body_that_never_ends_is_cut_at_the_size_cap_and_its_connection_is_closed() {
        String iss = server.url("");
        server.endlessBody("/jwks");
        RemoteJwksSource source = source(iss, "/jwks", Duration.ofHours(1), FETCH_TIMEOUT);
        source.start(fetching);

        await().atMost(Duration.ofSeconds(5)).until(() -> source.describe().contains("failed"));
        assertThat(source.describe()).contains("more than 524288 bytes");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.droppedByClient("/jwks") >= 1);
    }

    @Test
    void unknown_kids_during_a_hung_fetch_start_no_second_request_but_queue_one_for_when_it_ends() {
        String iss = server.url("");
        server.serveKeys("/jwks", "k1", "ES256", k1.verificationKey());
        server.stallAfterHeaders("/jwks");
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        // A backoff of 30 s after the failure: only the queued refetch can come sooner.
        RemoteJwksSource source = new RemoteJwksSource(iss, URI.create(server.url("/jwks")), Set.of(JwsAlgorithm.ES256),
                Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofSeconds(4), nanos::get);
        source.start(fetching);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.hits("/jwks") >= 1);

        nanos.addAndGet(Duration.ofSeconds(31).toNanos());
        for (int i = 0; i < 100; i++) {
            source.unknownKid("unknown-" + i);
        }
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> server.hits("/jwks") == 1);
        server.answerNormally("/jwks");

        await().atMost(Duration.ofSeconds(15)).until(() -> source.current() != null);
        assertThat(server.hits("/jwks")).as("the hung request, then the one queued refetch").isEqualTo(2);
    }

    @Test
    void closing_key_fetching_hangs_up_on_requests_under_way() {
        String iss = server.url("");
        server.serveKeys("/jwks", "k1", "ES256", k1.verificationKey());
        server.drip("/jwks", Duration.ofMillis(100));
        RemoteJwksSource source = source(iss, "/jwks", Duration.ofHours(1), Duration.ofMinutes(1));
        source.start(fetching);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.hits("/jwks") >= 1);

        fetching.close();

        await().atMost(Duration.ofSeconds(5)).until(() -> server.droppedByClient("/jwks") >= 1);
    }

    @Test
    void key_urls_must_be_https_except_on_loopback() {
        assertThatThrownBy(() -> new RemoteJwksSource("https://idp.example", URI.create("http://idp.example/jwks"),
                Set.of(JwsAlgorithm.RS256), Duration.ofMinutes(5), MIN_REFRESH, FETCH_TIMEOUT, System::nanoTime))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be https");
        assertThatThrownBy(() -> new RemoteJwksSource("http://idp.example", null,
                Set.of(JwsAlgorithm.RS256), Duration.ofMinutes(5), MIN_REFRESH, FETCH_TIMEOUT, System::nanoTime))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be https");
    }

    @Test
    void keys_named_by_the_token_are_never_fetched() {
        String iss = server.url("");
        server.serveKeys("/jwks", "k1", "ES256", k1.verificationKey());
        server.serveKeys("/attacker-jwks", "evil", "ES256", k2.verificationKey());
        RemoteJwksSource source = jwksSource(iss, Duration.ofHours(1));
        TokenVerifier v = verifier(policy(iss, source));
        source.start(fetching);
        await().atMost(Duration.ofSeconds(10)).until(() -> source.current() != null);
        int before = server.totalHits();

        Map<String, Object> header = Map.of("alg", "ES256", "kid", "k1", "jku", server.url("/attacker-jwks"),
                "x5u", server.url("/attacker-x5u"));
        String forged = io.jwtsidecar.testing.JwsForge.sign("SHA256withECDSAinP1363Format", k2.privateKey(),
                io.jwtsidecar.testing.JwsForge.signingInput(io.jwtsidecar.testing.JwsForge.json(header),
                        io.jwtsidecar.testing.JwsForge.json(Tokens.validClaims(iss, AUD, clock.epochSecond()))));

        assertThat(v.verify(forged).verdict()).isEqualTo(Verdict.BAD_SIGNATURE);
        assertThat(server.hits("/attacker-jwks")).isZero();
        assertThat(server.hits("/attacker-x5u")).isZero();
        assertThat(server.totalHits()).isEqualTo(before);
    }
}
