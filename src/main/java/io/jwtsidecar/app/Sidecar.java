package io.jwtsidecar.app;

import io.jwtsidecar.config.ConfigKeys;
import io.jwtsidecar.config.IssuerSettings;
import io.jwtsidecar.config.SidecarConfig;
import io.jwtsidecar.feed.FleetStatus;
import io.jwtsidecar.feed.FleetView;
import io.jwtsidecar.feed.RevocationFeed;
import io.jwtsidecar.feed.RevocationPublisher;
import io.jwtsidecar.idp.LogoutTokenCheck;
import io.jwtsidecar.idp.PollJournal;
import io.jwtsidecar.idp.SecurityEventCheck;
import io.jwtsidecar.token.DpopNonces;
import io.jwtsidecar.token.SeenIds;
import io.jwtsidecar.idp.SignalSource;
import io.jwtsidecar.idp.SsfPollLoop;
import io.jwtsidecar.idp.SsfStreamClient;
import io.jwtsidecar.feed.RuleReassertion;
import io.jwtsidecar.feed.ServedClients;
import io.jwtsidecar.feed.StatusReporter;
import io.jwtsidecar.http.AdminAuthenticator;
import io.jwtsidecar.http.AdminRoutes;
import io.jwtsidecar.http.BackchannelLogoutRoutes;
import io.jwtsidecar.http.FleetRoutes;
import io.jwtsidecar.http.IdentityHeaders;
import io.jwtsidecar.http.ListenerOptions;
import io.jwtsidecar.http.MetricsRoutes;
import io.jwtsidecar.http.Readiness;
import io.jwtsidecar.http.RouterVerticle;
import io.jwtsidecar.http.ClientCertificates;
import io.jwtsidecar.http.ClientNaming;
import io.jwtsidecar.http.UnixSocketFile;
import io.jwtsidecar.http.SidecarRoutes;
import io.jwtsidecar.http.SignalPublishing;
import io.jwtsidecar.http.SsfPushRoutes;
import io.jwtsidecar.metrics.JvmMetricsBinding;
import io.jwtsidecar.metrics.Metric;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.EventSignatureCheck;
import io.jwtsidecar.revocation.RevocationMaintenance;
import io.jwtsidecar.revocation.RevocationStore;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import io.jwtsidecar.revocation.StoreException;
import io.jwtsidecar.revocation.StoreStats;
import io.jwtsidecar.revocation.TokenFacts;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.tracing.Tracing;
import io.jwtsidecar.http.RequestSpans;
import io.opentelemetry.api.OpenTelemetry;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.VerifiedToken;
import io.jwtsidecar.token.keys.KeyFetching;
import io.jwtsidecar.token.keys.RemoteJwksSource;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.CommonClientConfigs;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds one sidecar from its configuration, starts it and stops it.
 * Nothing else constructs components, so this class is the map of how they fit:
 *
 * <pre>
 *   RocksDbRevocationStore ◄── RevocationFeed (Kafka consumer thread)
 *            │                        │ caught up?
 *            ▼                        ▼
 *   RevocationCheck ──► TokenVerifier ──► SidecarRoutes (api listener, one instance per event loop)
 *                            │
 *   RevocationPublisher ◄── AdminRoutes ◄── AdminAuthenticator (admin listener; only with an admin credential)
 *
 *   SidecarMetrics (+ JvmMetricsBinding) ──► MetricsRoutes (metrics listener; only with metrics.port)
 * </pre>
 *
 * <p>Each part is pushed onto a {@link ResourceStack} as it starts, and {@link #close()} stops them
 * in reverse: the topic-settings check stops and the listeners drain first, then re-assertion,
 * fleet status, publisher, Vert.x, status reporter, feed, JVM metric binders, key fetching,
 * maintenance, store, and tracing last (after every component that makes spans, so their last
 * spans are flushed); idempotent. A start that fails stops what it had started the same way.
 */
public final class Sidecar implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sidecar.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final SidecarConfig config;
    /** Everything this sidecar started, stopped in reverse by {@link #close()}. */
    private final ResourceStack started;
    private final RevocationFeed feed;
    private final int apiPort;
    private final @Nullable Integer adminPort;
    private final @Nullable Integer metricsPort;
    private boolean closed;

    private Sidecar(SidecarConfig config, ResourceStack started, RevocationFeed feed, int apiPort, @Nullable Integer adminPort,
                    @Nullable Integer metricsPort) {
        this.config = config;
        this.started = started;
        this.feed = feed;
        this.apiPort = apiPort;
        this.adminPort = adminPort;
        this.metricsPort = metricsPort;
    }

    /**
     * Builds and starts a sidecar; returns once its listeners are bound. Readiness follows when
     * the feed has caught up (see {@link #feedCaughtUp()}) and every issuer has keys.
     *
     * @throws io.jwtsidecar.revocation.StoreException when the store cannot be opened
     * @throws IllegalStateException when a listener cannot be bound
     */
    public static Sidecar start(SidecarConfig config, Clock clock) {
        return start(config, clock, Tracing.from(config.tracing()));
    }

    /**
     * As {@link #start(SidecarConfig, Clock)}, tracing into an instance the caller owns (and
     * closes after this sidecar): tests with an in-memory span exporter. {@code tracing.*} is
     * ignored.
     */
    public static Sidecar start(SidecarConfig config, Clock clock, OpenTelemetry openTelemetry) {
        return start(config, clock, Tracing.borrowed(openTelemetry));
    }

    /** @param tracing closed by the sidecar (which does nothing to a borrowed instance) */
    private static Sidecar start(SidecarConfig config, Clock clock, Tracing tracing) {
        return ResourceStack.starting(started -> {
            // Pushed first, so closed last: after every component that makes spans, their last spans are flushed.
            started.push("tracing", tracing);
            return build(config, clock, tracing, started);
        });
    }

    /** Builds and starts every part, pushing each onto {@code started} as it starts. */
    private static Sidecar build(SidecarConfig config, Clock clock, Tracing tracing, ResourceStack started) {
        // First, so that every line of this sidecar, the start included, is in the configured format.
        config.logFormat().applyToLogback();
        if (tracing.enabled()) {
            log.info("tracing on: spans of publishes, applies, verify and forward-auth requests are exported");
        }
        NativeCrypto.forJvm().install();
        EventCodec codec = new EventCodec();
        SidecarConfig.Revocation rc = config.revocation();
        SidecarMetrics metrics = new SidecarMetrics();
        EventSignatureCheck signatures = new EventSignatureCheck(rc.publisherKeys(), rc.requireSignedEvents());
        if (!rc.requireSignedEvents()) {
            log.warn("revocation events are not required to be signed (no revocation.publisherKeys, or "
                    + "revocation.requireSignedEvents: false): any client that can write to {} can revoke and restore",
                    config.kafka().topic());
        }
        // The store is pushed before everything that reads or writes it, so it closes after all of them:
        // its native handles must outlive every thread that uses them.
        RocksDbRevocationStore store = started.push("the revocation store", openOrRecover(rc));
        RevocationMaintenance maintenance = started.push("maintenance",
                new RevocationMaintenance(store, clock, rc.sweepInterval()));
        maintenance.start();
        KeyFetching keyFetching = started.push("key fetching", new KeyFetching());
        started.push("the JVM metric binders", JvmMetricsBinding.bind(metrics));
        List<IssuerPolicy> issuers = IssuerPolicies.build(config.issuers(), System::nanoTime);
        for (IssuerPolicy p : issuers) {
            if (p.keys() instanceof RemoteJwksSource) {
                ((RemoteJwksSource) p.keys()).start(keyFetching);
            }
        }
        Map<String, Object> consumerConfig = new HashMap<>(config.kafka().consumer());
        consumerConfig.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        RevocationFeed feed = started.push("the revocation feed", new RevocationFeed(consumerConfig,
                new RevocationFeed.Settings(config.kafka().topic(), config.sidecarId(), rc.partitionCheckInterval(),
                        rc.endCheckInterval()),
                store, codec, signatures, metrics, System::nanoTime, clock, tracing.tracer()));
        Map<String, Object> reporterConfig = new HashMap<>(config.kafka().producer());
        reporterConfig.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        ServedClients servedClients = new ServedClients(clock, config.fleet().clientIdleAfter());
        // Only a node-level sidecar names clients: on a pod's own sidecar the header is whatever a
        // proxied request carried, and would put made-up pods into fleet receipts.
        StatusReporter reporter = started.push("the status reporter", new StatusReporter(reporterConfig,
                config.kafka().statusTopic(), config.sidecarId(), feed, Clock.systemUTC(), config.fleet().statusInterval(),
                config.apiSocket().isPresent() ? servedClients::clients : List::of));
        feed.onApplied(reporter::nudge);
        servedClients.onNewClient(reporter::nudge);
        feed.start();
        reporter.start();

        RevocationFreshness freshness = new RevocationFreshness(feed::isCaughtUp, feed::staleness, rc.maxStaleness(),
                rc.failOpen());
        SeenIds dpopProofIds = new SeenIds(config.dpop().replayCacheSize(), clock);
        TokenVerifier verifier = new TokenVerifier(issuers, config.maxTokenBytes(), clock,
                revocationCheck(store, freshness), config.cacheMaxBytes(), dpopProofIds, dpopNonces(config.dpop(), clock));
        metrics.monotonic(Metric.DPOP_REPLAY_EVICTIONS, dpopProofIds, SeenIds::evictions);
        metrics.gauge(Metric.DPOP_REPLAY_IDS, dpopProofIds, SeenIds::size);
        int cores = Runtime.getRuntime().availableProcessors();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(cores));
        started.push("Vert.x", () -> await(vertx.close(), "closing Vert.x"));

        List<SsfPollLoop> pollLoops = new CopyOnWriteArrayList<>();
        Readiness readiness = new ReadinessCheck(freshness, issuers, () -> feedFigures(feed, store),
                () -> signalSources(pollLoops));
        Readiness liveness = new LivenessCheck(feed::storeFailingFor);
        SidecarRoutes sidecarRoutes = new SidecarRoutes(verifier, readiness, liveness, config.maxTokenBytes(),
                new IdentityHeaders(config.claimHeaders()), metrics, config.noopRoute(),
                new SidecarRoutes.ForwardAuth(config.authz().policy(), config.authz().refuseClientCopies(), clock,
                        new ClientCertificates(config.authz().clientCertHeader().orElse(null), config.authz().trustedProxies())),
                tracing.enabled() ? RequestSpans.tracedBy(tracing.tracer()) : RequestSpans.off());
        registerGauges(metrics, feed, store, verifier);
        int apiPort = listen(vertx, config.api(), ListenerKeys.API, sidecarRoutes::handler, cores,
                config.maxTokenBytes(), config.apiTls(), config.shutdownGrace());
        if (config.apiSocket().isPresent()) {
            // Names are noted on the socket alone, where only the node's pods can ask.
            listenOnSocket(vertx, config.apiSocket().get(), ClientNaming.noting(servedClients, sidecarRoutes::handler), cores,
                    config.maxTokenBytes(), config.shutdownGrace(), started);
            metrics.gauge(Metric.SERVED_CLIENTS, servedClients, c -> c.clients().size());
            for (ServedClients.Refusal why : ServedClients.Refusal.values()) {
                metrics.monotonic(Metric.SERVED_CLIENTS_REFUSED, "reason", why.code(), servedClients, c -> c.refused(why));
            }
        }
        // A listener of its own, so Prometheus can scrape the pod network while the API stays on
        // loopback. It carries no tokens, so it keeps the smallest header limit; one event loop
        // is plenty for scrapes.
        @Nullable Integer metricsPort = null;
        if (config.metrics().isPresent()) {
            metricsPort = listen(vertx, config.metrics().get(), ListenerKeys.METRICS, new MetricsRoutes(metrics)::router,
                    1, 0, Optional.empty(), config.shutdownGrace());
        }

        @Nullable Integer adminPort = null;
        if (config.adminAccess().enabled()) {
            Map<String, String> producerConfig = new HashMap<>(config.kafka().producer());
            producerConfig.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
            RevocationPublisher publisher = RevocationPublisher.create(vertx, producerConfig, config.kafka().topic(), codec,
                    config.eventSigner(), Clock.systemUTC(), tracing.tracer());
            // After Vert.x, so closed before it: the producer closes on Vert.x's threads.
            started.push("the revocation publisher", () -> await(publisher.close(), "closing the publisher"));
            Map<String, Object> fleetConfig = new HashMap<>(config.kafka().consumer());
            fleetConfig.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
            FleetStatus fleet = started.push("fleet status", new FleetStatus(fleetConfig, config.kafka().statusTopic(),
                    Clock.systemUTC(), config.fleet().statusInterval().multipliedBy(3), config.fleet().goneAfter(),
                    config.sidecarId()));
            fleet.start();
            for (FleetView.Refusal why : FleetView.Refusal.values()) {
                metrics.monotonic(Metric.FLEET_STATUS_REFUSED, "reason", why.code(), fleet, status -> status.refused(why));
            }
            metrics.gauge(Metric.FLEET_SIDECARS_TRACKED, fleet, FleetStatus::trackedSidecars);
            AdminRoutes adminRoutes = new AdminRoutes(adminAuthenticator(config.adminAccess(), verifier, metrics),
                    publisher::publish, verifier, clock, appliedOffsets(feed), store, metrics)
                    .withFleet(new FleetRoutes(fleet, feed::positionOf));
            SeenIds seenSignals = new SeenIds(config.signals().replayCacheSize(), clock);
            backchannelLogout(config, verifier, seenSignals, clock).ifPresent(adminRoutes::withSignals);
            Optional<SecurityEventCheck> setCheck = config.signals().ssf().map(ssf -> securityEvents(config, ssf, verifier,
                    clock));
            if (setCheck.isPresent() && config.signals().ssf().get().push()) {
                SidecarConfig.Ssf ssf = config.signals().ssf().get();
                log.info("shared signals: POST /v1/ssf/events takes SETs pushed by {}", ssf.issuer());
                adminRoutes.withSignals(new SsfPushRoutes(setCheck.get(), seenSignals, ssf.pushToken().orElse(null),
                        config.maxTokenBytes()));
            }
            adminPort = listen(vertx, config.admin(), ListenerKeys.ADMIN, adminRoutes::router, 1,
                    config.maxTokenBytes(), config.adminTls(), config.shutdownGrace());
            // It publishes through the publisher and reads the store: pushed after both, it stops first.
            RuleReassertion reassertion = started.push("the rule re-assertion",
                    reassertion(config, store, publisher, signatures, freshness, verifier, clock));
            reassertion.start();
            if (setCheck.isPresent() && config.signals().ssf().get().poll()) {
                // Pushed after the publisher and Vert.x, so it stops before them: a publication in
                // flight completes and reaches the journal.
                SsfPollLoop loop = started.push("the SSF poll loop", pollLoop(config, config.signals().ssf().get(),
                        setCheck.get(), seenSignals, adminRoutes.signalPublishing(), vertx));
                pollLoops.add(loop);
                loop.start();
            }
            for (RuleReassertion.Reason why : RuleReassertion.Reason.values()) {
                metrics.gauge(Metric.REASSERTION_LAST_PASS, "reason", why.label(), reassertion, r -> r.lastPass(why));
            }
        } else {
            log.warn(config.adminAccess().switchedOff() ? "admin API is off: admin.enabled is false"
                    : "admin API is off: no admin.token, admin.credentials or admin.jwtIssuer configured");
            if (config.signals().ssf().isPresent()) {
                log.warn("signals.ssf is configured, but Shared Signals are taken through the admin API, which is off");
            }
            if (config.issuers().stream().anyMatch(i -> !i.logoutClientIds().isEmpty())) {
                log.warn("issuers name a logoutClientId, but back-channel logout is served on the admin API, which is off");
            }
        }
        log.info("sidecar {} listening: api {}:{}{}{}{}{}", config.sidecarId(), config.api().host(), apiPort,
                config.apiTls().map(Sidecar::tlsSummary).orElse(""),
                config.apiSocket().map(p -> " and unix:" + p).orElse(""),
                adminPort == null ? "" : ", admin " + config.admin().host() + ":" + adminPort,
                metricsPort == null ? "" : ", metrics " + config.metrics().get().host() + ":" + metricsPort);
        // Pushed once every listener is up, so it runs first at the stop, while the publisher, the
        // store and the feed that requests in flight may need are still open. A start that fails
        // before this closes Vert.x, and with it the listeners, at once: nothing was in flight.
        started.push("draining the listeners", () -> drainListeners(vertx, config.shutdownGrace()));
        started.push("the topic-settings check", TopicSettingsCheck.start(config, consumerConfig));
        return new Sidecar(config, started, feed, apiPort, adminPort, metricsPort);
    }

    /**
     * The topic's upkeep on a sidecar that can publish: every sweep interval, re-publish what the
     * topic would otherwise lose. Permanent rules are asserted again after half the longest token
     * lifetime: the topic's retention is at least that lifetime (topic create makes it twice).
     */
    private static RuleReassertion reassertion(SidecarConfig config, RocksDbRevocationStore store,
                                               RevocationPublisher publisher, EventSignatureCheck signatures,
                                               RevocationFreshness freshness, TokenVerifier verifier, Clock clock) {
        SidecarConfig.Revocation rc = config.revocation();
        Duration longest = longestLifetime(config);
        return new RuleReassertion(store, e -> publisher.publish(e).toCompletionStage().toCompletableFuture(), signatures,
                publisher.signerKid(), issuer -> verifier.policy(issuer).map(p -> p.maxTokenLifetime()).orElse(longest)
                .toSeconds(), freshness::isFresh,
                clock, rc.sweepInterval(), longest.dividedBy(2), longest.multipliedBy(2), 10_000, config.sidecarId());
    }

    private static Duration longestLifetime(SidecarConfig config) {
        return config.issuers().stream().map(IssuerSettings::maxTokenLifetime).max(Duration::compareTo)
                .orElse(Duration.ofDays(1));
    }

    /**
     * The back-channel logout receiver, when an issuer names the client id its logout tokens are
     * for ({@code logoutClientId}); without one, the route is not there at all.
     */
    private static Optional<BackchannelLogoutRoutes> backchannelLogout(SidecarConfig config, TokenVerifier verifier,
                                                                      SeenIds seen, Clock clock) {
        Map<String, Set<String>> clientIds = new HashMap<>();
        for (IssuerSettings issuer : config.issuers()) {
            if (!issuer.logoutClientIds().isEmpty()) {
                clientIds.put(issuer.issuer(), Set.copyOf(issuer.logoutClientIds()));
            }
        }
        if (clientIds.isEmpty()) {
            return Optional.empty();
        }
        log.info("back-channel logout: POST /v1/backchannel-logout takes logout tokens of {}", clientIds.keySet());
        return Optional.of(new BackchannelLogoutRoutes(verifier.signedJwts(),
                new LogoutTokenCheck(clientIds, config.signals().maxAge(), clock), seen, config.maxTokenBytes(),
                config.signals().logoutWaitForAll(), config.signals().logoutFleetTimeout()));
    }

    /** The SET validation of the configured transmitter, shared by push and poll. */
    private static SecurityEventCheck securityEvents(SidecarConfig config, SidecarConfig.Ssf ssf, TokenVerifier verifier,
                                                     Clock clock) {
        return new SecurityEventCheck(verifier.signedJwts(), ssf.issuer(), ssf.audience(), ssf.speaksFor(),
                issuer -> verifier.policy(issuer).isPresent(), config.maxTokenBytes(), config.signals().maxAge(), clock);
    }

    /**
     * The RFC 8936 poll loop: its journal in the store's directory, its publications through the
     * admin API's path on one Vert.x context, its refusals counted under {@code ssf_poll}.
     */
    private static SsfPollLoop pollLoop(SidecarConfig config, SidecarConfig.Ssf ssf, SecurityEventCheck check,
                                        SeenIds seen, SignalPublishing publishing, Vertx vertx) {
        PollJournal journal;
        Path file = config.revocation().dataDir().resolve("ssf-poll-journal");
        try {
            journal = PollJournal.open(file);
        } catch (IOException e) {
            throw new StartRefused(ConfigKeys.DATA_DIR, String.valueOf(e.getMessage()), "make " + file + " readable and writable", e);
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        SsfStreamClient client = new SsfStreamClient(http, ssf.configurationUrl(), ssf.issuer(), ssf.pollToken().orElse(null),
                ssf.pollTimeout());
        Context context = vertx.getOrCreateContext();
        SsfPollLoop.Publisher publisher = revocation -> {
            CompletableFuture<SsfPollLoop.Publication> done = new CompletableFuture<>();
            context.runOnContext(v -> publishing.publish(vertx, revocation, null).onComplete(ar -> done.complete(
                    ar.succeeded() && (ar.result() instanceof SignalPublishing.Covered
                            || ar.result() instanceof SignalPublishing.Published p && p.appliedLocally())
                            ? SsfPollLoop.Publication.TAKEN : SsfPollLoop.Publication.NOT_TAKEN)));
            return done;
        };
        log.info("shared signals: polling {} for SETs", ssf.configurationUrl());
        return new SsfPollLoop(SignalSource.SSF_POLL.label() + " " + ssf.issuer(), client, check, seen, journal, publisher,
                outcome -> publishing.refused(SignalSource.SSF_POLL.label(), outcome),
                new SsfPollLoop.Settings(ssf.pollMaxEvents(), ssf.pollIdleWait(), ssf.pollMinBackoff(), ssf.pollMaxBackoff(),
                        Duration.ofSeconds(30)), System::nanoTime);
    }

    /** The signal sources readiness names: each poll loop with its state. */
    private static Map<String, ReadinessCheck.SourceState> signalSources(List<SsfPollLoop> loops) {
        Map<String, ReadinessCheck.SourceState> sources = new LinkedHashMap<>();
        for (SsfPollLoop loop : loops) {
            SsfPollLoop.Status status = loop.status();
            sources.put(loop.name(), new ReadinessCheck.SourceState(status.healthy(), status.description()));
        }
        return sources;
    }

    /** The admin API's view of this sidecar's feed: when an event is applied here, what it did, or why not. */
    private static AdminRoutes.AppliedOffsets appliedOffsets(RevocationFeed feed) {
        return new AdminRoutes.AppliedOffsets() {
            @Override
            public CompletionStage<Void> whenApplied(int partition, long offset) {
                return feed.whenApplied(partition, offset);
            }

            @Override
            public Optional<String> effectOf(String eventId) {
                return feed.effectOf(eventId).map(e -> e.name().toLowerCase(Locale.ROOT));
            }

            @Override
            public Optional<String> deadLetterReason(int partition, long offset) {
                return feed.deadLetterReason(partition, offset);
            }
        };
    }

    /** The admin API's credentials: admin.token (every scope, actor "admin"), admin.credentials, admin JWTs. */
    private static AdminAuthenticator adminAuthenticator(SidecarConfig.AdminAccess access, TokenVerifier verifier,
                                                         SidecarMetrics metrics) {
        List<AdminAuthenticator.Credential> credentials = new ArrayList<>();
        access.token().ifPresent(t -> credentials.add(AdminAuthenticator.Credential.adminToken(t)));
        for (SidecarConfig.AdminCredential c : access.credentials()) {
            credentials.add(new AdminAuthenticator.Credential(c.name(), c.token(), c.scopes(), c.issuers()));
        }
        return new AdminAuthenticator(credentials, access.jwtIssuer(), verifier, metrics);
    }

    /**
     * Opens the store; if it cannot be opened (corrupt files, a bad directory), moves it aside
     * and starts from an empty store, which the feed fills again from offset 0. Until that
     * replay has caught up the sidecar is not ready and answers 503, as at any first start.
     */
    private static RocksDbRevocationStore openOrRecover(SidecarConfig.Revocation rc) {
        requireWritableDirectory(rc.dataDir());
        try {
            return RocksDbRevocationStore.open(rc.dataDir(), rc.bloomExpectedRules(), rc.bloomFalsePositiveRate(),
                    rc.deadLetterMaxBytes());
        } catch (StoreException e) {
            Path aside = rc.dataDir().resolveSibling(rc.dataDir().getFileName() + ".unusable-" + System.currentTimeMillis());
            log.error("revocation store at {} cannot be opened; moving it to {} and rebuilding from the topic",
                    rc.dataDir(), aside, e);
            try {
                Files.move(rc.dataDir(), aside);
            } catch (IOException moveFailure) {
                e.addSuppressed(moveFailure);
                throw e;
            }
            return RocksDbRevocationStore.open(rc.dataDir(), rc.bloomExpectedRules(), rc.bloomFalsePositiveRate(),
                    rc.deadLetterMaxBytes());
        }
    }

    /**
     * A directory the store cannot be written in is the operator's to fix, not a store to move
     * aside: one sentence naming the key and the path, and no "rebuilding" that cannot happen.
     */
    private static void requireWritableDirectory(Path dataDir) {
        String fix = "set " + ConfigKeys.DATA_DIR.name() + " (" + ConfigKeys.DATA_DIR.envName()
                + ") to a directory this user can write";
        try {
            Files.createDirectories(dataDir);
        } catch (IOException | SecurityException e) {
            String why = e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof NoSuchFileException ? "no such file or directory"
                    : e instanceof FileAlreadyExistsException ? "a file is in the way"
                    : e.getMessage();
            throw new StartRefused(ConfigKeys.DATA_DIR, "cannot create " + dataDir + ": " + why, fix, e);
        }
        if (!Files.isWritable(dataDir)) {
            throw new StartRefused(ConfigKeys.DATA_DIR, dataDir + " is not writable", fix, null);
        }
    }

    /** Made with the configured secret, so sidecars sharing it accept each other's nonces; else a random one. */
    private static DpopNonces dpopNonces(SidecarConfig.Dpop dpop, Clock clock) {
        return dpop.nonceSecret()
                .map(secret -> new DpopNonces(secret.getBytes(StandardCharsets.UTF_8), dpop.nonceLifetime(), clock))
                .orElseGet(() -> DpopNonces.withRandomSecret(dpop.nonceLifetime(), clock));
    }

    /** The metrics that are read from components on scrape rather than recorded as they happen. */
    private static void registerGauges(SidecarMetrics metrics, RevocationFeed feed, RocksDbRevocationStore store,
                                       TokenVerifier verifier) {
        metrics.monotonic(Metric.VERIFY_CACHE_HITS, verifier, TokenVerifier::cacheHits);
        metrics.monotonic(Metric.FEED_EVENTS_APPLIED, feed, RevocationFeed::eventsApplied);
        metrics.monotonic(Metric.FEED_DEAD_LETTERS, feed, RevocationFeed::deadLettered);
        metrics.monotonic(Metric.FEED_SIGNATURE_FAILURES, feed, RevocationFeed::signatureFailures);
        metrics.gauge(Metric.FEED_PARTITIONS_ASSIGNED, feed, f -> f.partitionCounts().assigned());
        metrics.gauge(Metric.FEED_PARTITIONS_EXISTING, feed, f -> f.partitionCounts().existing());
        metrics.monotonic(Metric.DEAD_LETTER_DROPPED_BYTES, store, RocksDbRevocationStore::deadLetterDroppedBytes);
        metrics.gauge(Metric.FEED_LAG, feed, RevocationFeed::lag);
        metrics.gauge(Metric.FEED_STALENESS, feed,
                f -> f.staleness().getSeconds() == Long.MAX_VALUE ? -1 : f.staleness().toMillis() / 1000.0);
        metrics.gauge(Metric.STORE_RULES, store, s -> statOr(s, StoreStats::liveRules));
        metrics.gauge(Metric.BLOOM_BYTES, store, s -> statOr(s, StoreStats::indexBytes));
        metrics.gauge(Metric.BLOOM_FALSE_POSITIVE_RATE, store, s -> statOr(s, StoreStats::indexFalsePositiveRate));
    }

    private static double statOr(RocksDbRevocationStore store, ToDoubleFunction<StoreStats> stat) {
        StoreStats stats = storeStats(store);
        return stats == null ? Double.NaN : stat.applyAsDouble(stats);
    }

    private static @Nullable StoreStats storeStats(RocksDbRevocationStore store) {
        try {
            return store.stats();
        } catch (RuntimeException e) {
            return null; // closing
        }
    }

    /** What the readiness report adds about the feed and the store: figures for an operator, not conditions. */
    private static Map<String, Object> feedFigures(RevocationFeed feed, RocksDbRevocationStore store) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("recordsConsumed", feed.recordsConsumed());
        figures.put("deadLettered", feed.deadLettered());
        figures.put("signatureFailures", feed.signatureFailures());
        RevocationFeed.PartitionCounts pc = feed.partitionCounts();
        Map<String, Object> partitions = new LinkedHashMap<>();
        partitions.put("assigned", pc.assigned());
        partitions.put("existing", pc.existing() < 0 ? null : pc.existing());
        partitions.put("countedSecondsAgo", pc.sinceConfirmed() == null ? null : pc.sinceConfirmed().toMillis() / 1000.0);
        figures.put("partitions", partitions);
        Map<String, Long> applied = new TreeMap<>();
        feed.appliedNextOffsets().forEach((p, o) -> applied.put(String.valueOf(p), o));
        figures.put("appliedOffsets", applied);
        StoreStats stats = storeStats(store);
        if (stats != null) {
            figures.put("liveRules", stats.liveRules());
            figures.put("bloomBytes", stats.indexBytes());
            figures.put("bloomFalsePositiveRate", stats.indexFalsePositiveRate());
        }
        return figures;
    }

    /**
     * Revocation as the verifier sees it: a matching rule always wins; otherwise freshness decides
     * (a pass, a 503 or a pass with a warning).
     */
    private static RevocationCheck revocationCheck(RevocationStore store, RevocationFreshness freshness) {
        return (VerifiedToken t, long skew) -> {
            TokenFacts facts = new TokenFacts(t.issuer(), t.jti(), t.sessionId(), t.subject(), t.clientId(), t.keyIds(),
                    t.keyThumbprint(), t.issuedAt());
            if (store.isRevoked(facts, skew)) {
                return RevocationCheck.Status.REVOKED;
            }
            return freshness.noRuleMatched();
        };
    }


    /**
     * Deploys {@code instances} servers on one address, one per event loop. Vert.x shares the
     * listening socket among servers asking for the same host and port. For "any free port" the
     * shared form is port -1 (port 0 gives each instance a port of its own); a single instance
     * keeps port 0, so two listeners on the same host never share a socket by accident.
     */
    private static int listen(Vertx vertx, SidecarConfig.Listener listener, ListenerKeys keys,
                              Function<Vertx, ? extends Handler<HttpServerRequest>> routes,
                              int instances, int maxTokenBytes, Optional<SidecarConfig.ListenerTls> tls, Duration shutdownGrace) {
        int port = listener.port() == 0 && instances > 1 ? -1 : listener.port();
        HttpServerOptions options = ListenerOptions.forListener(listener.host(), port, maxTokenBytes);
        tls.ifPresent(t -> ListenerOptions.withTls(options, t.certFile(), t.keyFile(), clientAuth(t.clientAuth()),
                t.clientCaFile()));
        List<RouterVerticle> deployed = new CopyOnWriteArrayList<>();
        try {
            await(vertx.deployVerticle(() -> {
                RouterVerticle v = new RouterVerticle(options, routes, shutdownGrace);
                deployed.add(v);
                return v;
            }, new DeploymentOptions().setInstances(instances)), "binding " + listener.host() + ":" + listener.port());
        } catch (IllegalStateException e) {
            throw keys.refused(listener, e).orElseThrow(() -> e);
        }
        Set<Integer> ports = new HashSet<>();
        deployed.forEach(v -> ports.add(v.actualPort()));
        if (ports.size() != 1) {
            throw new IllegalStateException("server instances on " + listener.host() + " bound different ports " + ports);
        }
        return ports.iterator().next();
    }

    /**
     * Serves the API on a unix domain socket too (node-level mode), on {@code instances} event
     * loops, and removes the socket file at the stop once the listeners have drained (pushed
     * before the drain, so it runs after it). Plain HTTP: the socket never leaves the node.
     */
    private static void listenOnSocket(Vertx vertx, Path path, Function<Vertx, ? extends Handler<HttpServerRequest>> routes,
                                       int instances, int maxTokenBytes, Duration shutdownGrace, ResourceStack started) {
        UnixSocketFile socket;
        try {
            socket = UnixSocketFile.at(path);
        } catch (IllegalArgumentException e) {
            throw new StartRefused(ConfigKeys.API_SOCKET_PATH, "cannot listen on unix:" + path + ": " + e.getMessage(),
                    "mend the directory as said, or set " + ConfigKeys.API_SOCKET_PATH.name() + " ("
                            + ConfigKeys.API_SOCKET_PATH.envName() + ") to a path in a directory that is", e);
        }
        HttpServerOptions options = ListenerOptions.forListener("localhost", 0, maxTokenBytes);
        SocketAddress address = SocketAddress.domainSocketAddress(socket.bindPath().toString());
        try {
            await(vertx.deployVerticle(() -> new RouterVerticle(options, routes, shutdownGrace, address),
                    new DeploymentOptions().setInstances(instances)), "binding unix:" + path);
            socket.publish();
        } catch (IllegalStateException | IOException e) {
            try {
                socket.discard();
            } catch (IOException left) {
                e.addSuppressed(left);
            }
            throw new StartRefused(ConfigKeys.API_SOCKET_PATH, "cannot listen on unix:" + path + ": " + e.getMessage(),
                    "make its directory writable by the sidecar's user", e);
        }
        started.push("the API socket file " + path, () -> {
            try {
                socket.remove();
            } catch (IOException e) {
                log.warn("could not remove the API socket {}: {}", path, e.toString());
            }
        });
    }

    /**
     * How the API's TLS takes client certificates, for the start-up line: an operator who meant
     * PKI and forgot the CA file sees that any certificate is taken.
     */
    private static String tlsSummary(SidecarConfig.ListenerTls tls) {
        if (tls.clientAuth() == SidecarConfig.TlsClientAuth.NONE) {
            return " (https)";
        }
        String asked = tls.clientAuth() == SidecarConfig.TlsClientAuth.REQUIRE ? "required" : "requested";
        return tls.anyClientCertificate()
                ? " (https, client certificates " + asked + " from any issuer: they prove possession only, for bound tokens)"
                : " (https, client certificates " + asked + " from the CAs of " + tls.clientCaFile() + ")";
    }

    private static ClientAuth clientAuth(SidecarConfig.TlsClientAuth clientAuth) {
        return switch (clientAuth) {
            case NONE -> ClientAuth.NONE;
            case REQUEST -> ClientAuth.REQUEST;
            case REQUIRE -> ClientAuth.REQUIRED;
        };
    }

    private static <T> T await(Future<T> future, String what) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Error " + what + ": " + e.getMessage(), e);
        }
    }

    /** The bound port of the sidecar API. */
    public int apiPort() {
        return apiPort;
    }

    /** The bound port of the admin API, when it runs. */
    public Optional<Integer> adminPort() {
        return Optional.ofNullable(adminPort);
    }

    /** The bound port of the metrics listener, when {@code metrics.port} is set. */
    public Optional<Integer> metricsPort() {
        return Optional.ofNullable(metricsPort);
    }

    /**
     * Completes when the revocation feed has caught up with the topic. Full readiness
     * ({@code /health/ready}) also needs a key set for every issuer.
     */
    public CompletableFuture<Void> feedCaughtUp() {
        return feed.caughtUp();
    }

    public RevocationFeed feed() {
        return feed;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            started.close();
        } catch (ResourceStack.CloseFailed e) {
            log.warn("sidecar {} did not stop cleanly: {}", config.sidecarId(), e.getMessage(), e);
        }
        log.info("sidecar {} stopped", config.sidecarId());
    }

    /**
     * Undeploys the listeners, which stop taking connections and give the requests in flight up to
     * {@code shutdown.gracePeriod} to complete (RouterVerticle).
     */
    private static void drainListeners(Vertx vertx, Duration shutdownGrace) {
        List<Future<Void>> undeployed = vertx.deploymentIDs().stream().map(vertx::undeploy).toList();
        try {
            Future.join(undeployed).toCompletionStage().toCompletableFuture()
                    .get(shutdownGrace.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("draining the listeners did not finish cleanly: {}", e.toString());
        }
    }
}
