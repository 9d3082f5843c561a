package io.jwtsidecar.config;

import io.jwtsidecar.authz.RoutePolicy;
import io.jwtsidecar.admin.AdminScope;
import io.jwtsidecar.admin.IssuerLimit;
import io.jwtsidecar.logging.LogFormat;
import io.jwtsidecar.revocation.EventSigner;
import io.jwtsidecar.revocation.PublisherKey;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The whole validated configuration of one sidecar. Built only by {@link ConfigLoader}, which
 * reports every problem at once; immutable.
 *
 * @param sidecarId   name in logs and fleet status
 * @param api         the sidecar API listener
 * @param apiTls      HTTPS (and optionally client certificates) for the sidecar API listener
 * @param apiSocket   the unix domain socket the sidecar API is also served on (node-level mode), if any
 * @param claimHeaders extra identity headers: header name → claim name ({@code api.claimHeaders})
 * @param admin       the admin API listener
 * @param adminTls    HTTPS (and optionally mutual TLS) for the admin listener
 * @param adminAccess who may call the admin API; with no credential of any kind it stays off
 * @param maxTokenBytes size cap for tokens
 * @param cacheMaxBytes budget of the verified-token cache (0: off)
 * @param kafka       Kafka connection and passthrough settings
 * @param fleet       fleet status settings
 * @param revocation  local store settings
 * @param issuers     trusted issuers: static keys already loaded and checked, remote ones as where to fetch them
 * @param noopRoute   serve {@code GET /noop} on the API listener (load tests only)
 * @param eventSigner the key the admin API signs its events with ({@code admin.signingKeyFile})
 * @param authz       how forward auth ({@code /v1/authz}) decides: {@code authz.*} and {@code routes}
 * @param metrics     the listener that serves only {@code GET /metrics} ({@code metrics.*}); empty when
 *                    {@code metrics.port} is unset
 * @param shutdownGrace how long a stop lets requests in flight complete ({@code shutdown.gracePeriod})
 * @param logFormat   {@code logging.format}: text or JSON lines on stderr
 * @param tracing     {@code tracing.*}: where spans go, if anywhere
 * @param dpop        {@code verify.dpop*}: the DPoP replay cache and server nonces
 */
public record SidecarConfig(String sidecarId, Listener api, Optional<ListenerTls> apiTls, Optional<Path> apiSocket,
                            Map<String, String> claimHeaders,
                            Listener admin, Optional<ListenerTls> adminTls, AdminAccess adminAccess, int maxTokenBytes, long cacheMaxBytes, Kafka kafka, Fleet fleet,
                            Revocation revocation, List<IssuerSettings> issuers, boolean noopRoute,
                            Optional<EventSigner> eventSigner, Authz authz, Optional<Listener> metrics,
                            Duration shutdownGrace, LogFormat logFormat, Tracing tracing, Signals signals, Dpop dpop) {

    /**
     * The sidecar-wide DPoP settings ({@code verify.dpop*}); each issuer's own are in its policy.
     *
     * @param replayCacheSize most proof ids remembered
     * @param nonceLifetime   how long a period of server nonces lasts
     * @param nonceSecret     the secret nonces are made with; empty: a random one per process
     */
    public record Dpop(int replayCacheSize, Duration nonceLifetime, Optional<String> nonceSecret) {
        @Override
        public String toString() {
            return "Dpop[replayCacheSize=" + replayCacheSize + ", nonceLifetime=" + nonceLifetime + ", nonceSecret="
                    + (nonceSecret.isPresent() ? "(set)" : "(random)") + "]";
        }
    }

    /**
     * {@code signals.*}: revocations from identity providers (docs/CONFIG.md, "Identity providers").
     *
     * @param maxAge           the oldest signal accepted, and how long its id is remembered
     * @param replayCacheSize  most signal ids remembered
     * @param logoutWaitForAll   {@code signals.logoutWaitFor: all}
     * @param logoutFleetTimeout how long a back-channel logout waits for the fleet
     * @param ssf              the Shared Signals receiver, when {@code signals.ssf.issuer} is set
     */
    public record Signals(Duration maxAge, int replayCacheSize, boolean logoutWaitForAll, Duration logoutFleetTimeout,
                          Optional<Ssf> ssf) {
    }

    /**
     * {@code signals.ssf.*}: the Shared Signals receiver (docs/EVENTS.md, "Shared Signals").
     *
     * @param issuer           the transmitter's issuer, one of the configured issuers
     * @param audience         what its SETs' {@code aud} must name
     * @param speaksFor        issuers whose subjects it may revoke (at least its own)
     * @param push             whether pushed SETs are taken on the admin listener
     * @param pushToken        the bearer credential a push must carry, if any
     * @param poll             whether the sidecar polls the transmitter
     * @param configurationUrl the transmitter's metadata
     * @param pollToken        the bearer credential presented to the transmitter, if any
     */
    public record Ssf(String issuer, String audience, Set<String> speaksFor, boolean push, Optional<String> pushToken,
                      boolean poll, URI configurationUrl, Optional<String> pollToken, int pollMaxEvents,
                      Duration pollIdleWait, Duration pollMinBackoff, Duration pollMaxBackoff, Duration pollTimeout) {
        public Ssf {
            speaksFor = Set.copyOf(speaksFor);
        }
    }

    /**
     * {@code tracing.*}.
     *
     * @param otlpEndpoint the OTLP/HTTP collector base URL; empty: tracing off
     * @param serviceName  the {@code service.name} resource attribute of exported spans
     * @param requestSampleRatio the share of verify and forward-auth requests traced without a caller's decision
     */
    public record Tracing(Optional<URI> otlpEndpoint, String serviceName, double requestSampleRatio) {
        /** Tracing off. */
        public static Tracing off() {
            return new Tracing(Optional.empty(), ConfigKeys.TRACING_SERVICE_NAME.declaredDefault(), 1.0);
        }
    }

    /**
     * Forward auth.
     *
     * @param policy             routes, the action for unmatched requests, token locations
     * @param refuseClientCopies {@code authz.clientIdentityHeaders: refuse} (true) or {@code strip}
     * @param clientCertHeader   {@code authz.clientCertHeader}: where a trusted proxy passes the client certificate
     * @param trustedProxies     {@code authz.trustedProxies}: the literal peer addresses whose header is believed
     */
    public record Authz(RoutePolicy policy, boolean refuseClientCopies, Optional<String> clientCertHeader,
                        Set<InetAddress> trustedProxies) {
        public Authz {
            Objects.requireNonNull(clientCertHeader, "clientCertHeader");
            trustedProxies = Set.copyOf(trustedProxies);
        }

        /** Without a client certificate header. */
        public Authz(RoutePolicy policy, boolean refuseClientCopies) {
            this(policy, refuseClientCopies, Optional.empty(), Set.of());
        }
    }

    public SidecarConfig {
        claimHeaders = Map.copyOf(claimHeaders);
        issuers = List.copyOf(issuers);
    }

    /**
     * Fleet status reporting.
     *
     * @param statusInterval  the heartbeat, when nothing changes
     * @param goneAfter       when a silent sidecar is forgotten
     * @param clientIdleAfter when a node-level sidecar stops listing a client it has not heard from
     */
    public record Fleet(Duration statusInterval, Duration goneAfter, Duration clientIdleAfter) {
    }

    /** The static {@code admin.token}, if set (a shortcut for {@code adminAccess().token()}). */
    public Optional<String> adminToken() {
        return adminAccess.token();
    }

    /**
     * The admin API's credentials ({@code admin.*}). Secrets are left out of {@link #toString()}.
     *
     * @param token       {@code admin.token}: a static credential with every scope, actor {@code admin}
     * @param credentials {@code admin.credentials}: named static credentials with their scopes
     * @param jwtIssuer   {@code admin.jwtIssuer}: a configured issuer whose verified tokens are
     *                    credentials too, with the scopes their {@code scope}/{@code scp} claims name
     * @param switchedOff {@code admin.enabled: false}: no admin API, and no credential was read
     */
    public record AdminAccess(Optional<String> token, List<AdminCredential> credentials, Optional<String> jwtIssuer,
                              boolean switchedOff) {
        public AdminAccess {
            credentials = List.copyOf(credentials);
            if (switchedOff && (token.isPresent() || !credentials.isEmpty() || jwtIssuer.isPresent())) {
                throw new IllegalArgumentException("an admin API switched off holds no credentials");
            }
        }

        public AdminAccess(Optional<String> token, List<AdminCredential> credentials, Optional<String> jwtIssuer) {
            this(token, credentials, jwtIssuer, false);
        }

        /** No admin credential at all: the admin API stays off. */
        public static AdminAccess none() {
            return new AdminAccess(Optional.empty(), List.of(), Optional.empty(), false);
        }

        /** {@code admin.enabled: false}: the admin API stays off whatever else is configured. */
        public static AdminAccess off() {
            return new AdminAccess(Optional.empty(), List.of(), Optional.empty(), true);
        }

        /** Whether any credential is configured, i.e. whether the admin API runs. */
        public boolean enabled() {
            return token.isPresent() || !credentials.isEmpty() || jwtIssuer.isPresent();
        }

        @Override
        public String toString() {
            return "AdminAccess[" + (switchedOff ? "switched off, " : "") + "token="
                    + (token.isPresent() ? "(hidden)" : "none") + ", credentials=" + credentials
                    + ", jwtIssuer=" + jwtIssuer.orElse("none") + "]";
        }
    }

    /**
     * One entry of {@code admin.credentials}: a static bearer credential.
     *
     * @param name    the actor in the audit log
     * @param token   the bearer value, at least 32 characters
     * @param scopes  what it may do; never empty
     * @param issuers whose rules it may touch ({@code issuers}; every issuer when unset)
     */
    public record AdminCredential(String name, String token, Set<AdminScope> scopes, IssuerLimit issuers) {
        public AdminCredential {
            scopes = Set.copyOf(scopes);
            Objects.requireNonNull(issuers, "issuers");
        }

        /** A credential for every issuer. */
        public AdminCredential(String name, String token, Set<AdminScope> scopes) {
            this(name, token, scopes, IssuerLimit.everyIssuer());
        }

        @Override
        public String toString() {
            return "AdminCredential[name=" + name + ", token=(hidden), scopes=" + scopes + ", issuers=" + issuers + "]";
        }
    }

    /** A TCP listener. */
    public record Listener(String host, int port) {
    }

    /**
     * TLS for a listener (the sidecar API or the admin API).
     *
     * @param certFile     PEM certificate chain
     * @param keyFile      PEM private key
     * @param clientAuth   whether the listener asks clients for a certificate, and whether it must get one
     * @param clientCaFile PEM CA bundle client certificates must chain to, or null: with a {@code clientAuth}
     *                     other than {@link TlsClientAuth#NONE} any certificate is then taken, which proves only
     *                     that the client holds its private key (RFC 8705 §2.2, self-signed binding)
     */
    public record ListenerTls(Path certFile, Path keyFile, TlsClientAuth clientAuth, @Nullable Path clientCaFile) {
        public ListenerTls {
            Objects.requireNonNull(clientAuth, "clientAuth");
            if (clientAuth == TlsClientAuth.NONE && clientCaFile != null) {
                throw new IllegalArgumentException("a client CA without client authentication would be ignored");
            }
        }

        /** Whether any client certificate is taken, signed by whom it may be: only bound tokens gain from it. */
        public boolean anyClientCertificate() {
            return clientAuth != TlsClientAuth.NONE && clientCaFile == null;
        }
    }

    /** Client certificates on a TLS listener ({@code api.tlsClientAuth}). */
    public enum TlsClientAuth {
        /** Not asked for. */
        NONE,
        /** Asked for; a client without one still connects. */
        REQUEST,
        /** Asked for; a client without one cannot connect. */
        REQUIRE
    }

    /**
     * @param bootstrapServers host:port list
     * @param topic            the revocation topic
     * @param statusTopic      the fleet status topic
     * @param consumer         passthrough consumer settings ({@code kafka.consumer.*})
     * @param producer         passthrough producer settings ({@code kafka.producer.*})
     */
    public record Kafka(String bootstrapServers, String topic, String statusTopic, Map<String, String> consumer,
                        Map<String, String> producer) {
        public Kafka {
            consumer = Map.copyOf(consumer);
            producer = Map.copyOf(producer);
        }
    }

    /**
     * Local store, freshness and event trust settings.
     *
     * @param failOpen               what to do with stale data: false answers 503, true verifies with a warning header
     * @param publisherKeys          the keys trusted to sign events ({@code revocation.publisherKeys})
     * @param requireSignedEvents    whether unsigned events are dead-lettered
     * @param deadLetterMaxBytes     the dead-letter budget
     * @param partitionCheckInterval how often the feed counts the topic's partitions
     * @param endCheckInterval       how often the feed asks for the log end offsets, to confirm freshness
     */
    public record Revocation(Path dataDir, long bloomExpectedRules, double bloomFalsePositiveRate,
                             Duration sweepInterval, Duration maxStaleness, boolean failOpen,
                             List<PublisherKey> publisherKeys, boolean requireSignedEvents, long deadLetterMaxBytes,
                             Duration partitionCheckInterval, Duration endCheckInterval) {
        public Revocation {
            publisherKeys = List.copyOf(publisherKeys);
        }
    }
}
