package io.jwtsidecar.idp;

import io.jwtsidecar.token.SeenIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.testing.SetBuilder.Subjects;
import io.jwtsidecar.testing.SsfTransmitter;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The poll loop's steps (RFC 8936) with the transmitter and the publisher in memory, so each rule
 * is one step to watch. The conformance table has one row per MUST of RFC 8936 §2 that falls to a
 * receiver; the integration tests run the same loop against a real transmitter and real sidecars.
 */
class SsfPollLoopTest {
    private static final SsfPollLoop.Settings SETTINGS = new SsfPollLoop.Settings(10, Duration.ofMillis(5),
            Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(1));

    @TempDir
    Path dir;

    private final FakeTransmitter transmitter = new FakeTransmitter();
    private final List<IdpRevocation> published = new ArrayList<>();
    private final List<String> counted = new ArrayList<>();
    private SsfPollLoop.Publication answer = SsfPollLoop.Publication.TAKEN;
    private SsfPollLoop loop;
    private PollJournal journal;
    private final SeenIds seen = new SeenIds(1000, SecurityEventCheckTest.CLOCK);

    /** Requests as the transmitter saw them. */
    record Poll(List<String> ack, Map<String, SecurityEventCheck.Refused> errors, int maxEvents, boolean immediately) {
    }

    static class FakeTransmitter implements SsfPollLoop.Transmitter {
        final LinkedHashMap<String, String> queue = new LinkedHashMap<>();
        final List<Poll> polls = new ArrayList<>();
        boolean down;
        /** The transmitter loses acknowledgements (its store failed) and delivers those SETs again. */
        boolean loseAcks;

        @Override
        public URI pollEndpoint() throws IOException {
            if (down) {
                throw new IOException("connection refused");
            }
            return URI.create("http://127.0.0.1:1/poll");
        }

        @Override
        public SsfStreamClient.Batch poll(URI endpoint, List<String> ack, Map<String, SecurityEventCheck.Refused> errors,
                                          int maxEvents, boolean returnImmediately) throws IOException {
            if (down) {
                throw new IOException("connection refused");
            }
            polls.add(new Poll(List.copyOf(ack), Map.copyOf(errors), maxEvents, returnImmediately));
            if (!loseAcks) {
                ack.forEach(queue::remove);
            }
            errors.keySet().forEach(queue::remove);
            return new SsfStreamClient.Batch(new LinkedHashMap<>(queue), false);
        }

        Poll last() {
            return polls.get(polls.size() - 1);
        }
    }

    private SsfPollLoop loop() throws IOException {
        journal = PollJournal.open(dir.resolve("ssf-poll-journal"));
        return new SsfPollLoop("ssf_poll test", transmitter, SecurityEventCheckTest.CHECK, seen, journal,
                r -> {
                    if (answer == SsfPollLoop.Publication.TAKEN) {
                        published.add(r);
                    }
                    return CompletableFuture.completedFuture(answer);
                }, counted::add, SETTINGS, System::nanoTime);
    }

    @AfterEach
    void close() throws IOException {
        if (journal != null) {
            journal.close();
        }
    }

    private String valid(String user) {
        long now = SecurityEventCheckTest.CLOCK.epochSecond();
        return SecurityEventCheckTest.TX.set(SsfTransmitter.CREDENTIAL_CHANGE, Map.of("event_timestamp", now))
                .iat(now).subject(Subjects.issSub(SecurityEventCheckTest.TOKEN_ISSUER, user)).build();
    }

    private void deliver(String set) {
        transmitter.queue.put(SsfTransmitter.jtiOf(set), set);
    }

    static Stream<Arguments> rfc8936_musts() {
        return Stream.<Arguments>of(
                Arguments.of("§2.4: a poll states maxEvents and returnImmediately", (Consumer<SsfPollLoopTest>) t -> {
                    t.loop.runOnce();
                    assertThat(t.transmitter.last().maxEvents()).isEqualTo(10);
                    assertThat(t.transmitter.last().immediately()).isFalse();
                }),
                Arguments.of("§2.4.2: a processed SET is acknowledged by its jti in the next poll", (Consumer<SsfPollLoopTest>) t -> {
                    String set = t.valid("alice");
                    t.deliver(set);
                    t.loop.runOnce();
                    t.loop.runOnce();
                    assertThat(t.transmitter.last().ack()).containsExactly(SsfTransmitter.jtiOf(set));
                    assertThat(t.published).hasSize(1);
                }),
                Arguments.of("§2.4.4: an invalid SET is reported in setErrs with its error code, not acknowledged",
                        (Consumer<SsfPollLoopTest>) t -> {
                            String bad = SecurityEventCheckTest.valid().audience("https://elsewhere").build();
                            t.deliver(bad);
                            t.loop.runOnce();
                            t.loop.runOnce();
                            assertThat(t.transmitter.last().ack()).isEmpty();
                            assertThat(t.transmitter.last().errors().get(SsfTransmitter.jtiOf(bad)).error())
                                    .isEqualTo(SetError.INVALID_AUDIENCE);
                            assertThat(t.published).isEmpty();
                            assertThat(t.counted).containsExactly("refused_invalid_audience");
                        }),
                Arguments.of("§2.4.1: a SET delivered under a key that is not its jti is refused",
                        (Consumer<SsfPollLoopTest>) t -> {
                            t.transmitter.queue.put("not-its-jti", t.valid("alice"));
                            t.loop.runOnce();
                            t.loop.runOnce();
                            assertThat(t.transmitter.last().errors()).containsKey("not-its-jti");
                            assertThat(t.published).isEmpty();
                        }),
                Arguments.of("§2.4.2: a SET is acknowledged only once its revocation is published and applied",
                        (Consumer<SsfPollLoopTest>) t -> {
                            String set = t.valid("alice");
                            t.deliver(set);
                            t.answer = SsfPollLoop.Publication.NOT_TAKEN;
                            t.loop.runOnce();
                            t.loop.runOnce();
                            assertThat(t.transmitter.last().ack()).isEmpty();
                            t.answer = SsfPollLoop.Publication.TAKEN;
                            t.loop.runOnce();
                            t.loop.runOnce();
                            assertThat(t.transmitter.last().ack()).containsExactly(SsfTransmitter.jtiOf(set));
                            assertThat(t.published).hasSize(1);
                        }),
                Arguments.of("§2.4.2: an unacknowledged SET delivered again is not applied twice",
                        (Consumer<SsfPollLoopTest>) t -> {
                            String set = t.valid("alice");
                            t.deliver(set);
                            t.loop.runOnce();
                            t.transmitter.loseAcks = true;
                            t.loop.runOnce();
                            t.loop.runOnce();
                            t.transmitter.loseAcks = false;
                            t.loop.runOnce();
                            assertThat(t.published).hasSize(1);
                            assertThat(t.transmitter.queue).isEmpty();
                        }),
                Arguments.of("§2.4: a SET whose event type is unknown is acknowledged (and counted), never an error",
                        (Consumer<SsfPollLoopTest>) t -> {
                            long now = SecurityEventCheckTest.CLOCK.epochSecond();
                            String set = SecurityEventCheckTest.TX.set("https://example.com/event/unknown",
                                    Map.of("event_timestamp", now)).iat(now).build();
                            t.deliver(set);
                            t.loop.runOnce();
                            t.loop.runOnce();
                            assertThat(t.transmitter.last().ack()).containsExactly(SsfTransmitter.jtiOf(set));
                            assertThat(t.counted).containsExactly("unknown_event");
                        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rfc8936_musts")
    void each_must_is_kept(String rule, Consumer<SsfPollLoopTest> scenario) throws IOException {
        loop = loop();
        scenario.accept(this);
    }

    @Test
    void applied_but_unacknowledged_sets_survive_a_restart_and_are_acknowledged_first() throws IOException {
        String set = valid("alice");
        deliver(set);
        loop = loop();
        loop.runOnce(); // applied, acknowledgement due in the next poll
        journal.close();
        // A restart: a new loop, a new replay cache, the same journal file.
        loop = loop();
        transmitter.polls.clear();
        loop.runOnce();
        assertThat(transmitter.polls.get(0).ack()).containsExactly(SsfTransmitter.jtiOf(set));
        assertThat(published).hasSize(1);
        assertThat(journal.unacknowledged()).isEmpty();
    }

    @Test
    void a_redelivered_set_in_the_journal_is_acknowledged_without_publishing() throws IOException {
        String set = valid("alice");
        loop = loop();
        journal.applied(SsfTransmitter.jtiOf(set));
        // The transmitter ignores the acknowledgement once and sends the SET again.
        transmitter.queue.put(SsfTransmitter.jtiOf(set), set);
        SsfStreamClient.Batch again = new SsfStreamClient.Batch(Map.of(SsfTransmitter.jtiOf(set), set), false);
        FakeTransmitter stubborn = new FakeTransmitter() {
            @Override
            public SsfStreamClient.Batch poll(URI endpoint, List<String> ack, Map<String, SecurityEventCheck.Refused> errors,
                                              int maxEvents, boolean returnImmediately) {
                polls.add(new Poll(List.copyOf(ack), Map.copyOf(errors), maxEvents, returnImmediately));
                return polls.size() == 1 ? again : new SsfStreamClient.Batch(Map.of(), false);
            }
        };
        journal.close();
        journal = PollJournal.open(dir.resolve("ssf-poll-journal"));
        loop = new SsfPollLoop("ssf_poll test", stubborn, SecurityEventCheckTest.CHECK, seen, journal,
                r -> {
                    published.add(r);
                    return CompletableFuture.completedFuture(SsfPollLoop.Publication.TAKEN);
                }, counted::add, SETTINGS, System::nanoTime);
        loop.runOnce();
        loop.runOnce();
        assertThat(published).isEmpty();
        assertThat(stubborn.polls.get(1).ack()).contains(SsfTransmitter.jtiOf(set));
    }

    @Test
    void a_transmitter_that_is_down_is_retried_with_growing_waits_and_reported_degraded() throws IOException {
        loop = loop();
        transmitter.down = true;
        Duration first = loop.runOnce();
        Duration second = loop.runOnce();
        Duration third = loop.runOnce();
        assertThat(first).isEqualTo(Duration.ofMillis(100));
        assertThat(second).isEqualTo(Duration.ofMillis(200));
        assertThat(third).isEqualTo(Duration.ofMillis(400));
        assertThat(loop.status().healthy()).isFalse();
        assertThat(loop.status().description()).startsWith("degraded: connection refused");
        for (int i = 0; i < 10; i++) {
            assertThat(loop.runOnce()).isLessThanOrEqualTo(Duration.ofSeconds(2));
        }
        transmitter.down = false;
        loop.runOnce();
        assertThat(loop.status().healthy()).isTrue();
        assertThat(loop.status().description()).isEqualTo("ok");
    }
}
