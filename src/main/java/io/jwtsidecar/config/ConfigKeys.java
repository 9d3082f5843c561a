package io.jwtsidecar.config;

import java.time.Duration;
import java.util.List;

/**
 * Every configuration key in one place, with its default, its type and bounds, and its meaning
 * (as Kafka's {@code ConfigDef} does), so the loader, the environment overrides and the
 * documentation cannot drift apart. Lists (issuers, admin credentials) and passthrough maps ({@code kafka.consumer},
 * {@code kafka.producer}) are described in docs/CONFIG.md.
 */
public final class ConfigKeys {
    public static final ConfigKey<String> SIDECAR_ID = new ConfigKey<>("sidecar.id", null, ConfigType.STRING,
            "Name of this sidecar in logs and fleet status; defaults to the host name plus a random suffix. In "
                    + "Kubernetes the injector and manifests set it to namespace/pod name, unique across namespaces.");
    public static final ConfigKey<String> API_HOST = new ConfigKey<>("api.host", "127.0.0.1", ConfigType.HOST,
            "Address of the sidecar API. Loopback by default: only the service beside it may ask.");
    public static final ConfigKey<Integer> API_PORT = new ConfigKey<>("api.port", "8181", ConfigType.integer(0, 65535),
            "Port of the sidecar API (0 picks a free port).");
    public static final ConfigKey<Boolean> API_NOOP_ROUTE = new ConfigKey<>("api.noopRoute", "false", ConfigType.BOOLEAN,
            "Serve GET /noop (200, empty) for load tests: the ceiling of the HTTP stack without verification.");
    public static final ConfigKey<String> API_TLS_CERT = new ConfigKey<>("api.tlsCertFile", null, ConfigType.STRING,
            "PEM certificate (chain) of the sidecar API; with api.tlsKeyFile the sidecar API speaks HTTPS only. Unset: "
                    + "plain HTTP (a client certificate can then only come from a proxy, authz.clientCertHeader).");
    public static final ConfigKey<String> API_TLS_KEY = new ConfigKey<>("api.tlsKeyFile", null, ConfigType.STRING,
            "PEM private key (PKCS#8) for api.tlsCertFile.");
    public static final ConfigKey<String> API_TLS_CLIENT_AUTH = new ConfigKey<>("api.tlsClientAuth", "none",
            ConfigType.oneOf("none", "request", "require"),
            "Client certificates on the sidecar API's own TLS, for tokens bound to one (RFC 8705 cnf x5t#S256): none "
                    + "(not asked for), request (asked for; a client without one still connects, its bearer tokens work, "
                    + "its bound tokens get certificate_missing) or require (no certificate, no connection). Needs "
                    + "api.tlsCertFile. Without api.tlsClientCaFile any certificate is taken: it proves only that the "
                    + "client holds its private key, so only bound tokens gain from it (RFC 8705 §2.2).");
    public static final ConfigKey<String> API_TLS_CLIENT_CA = new ConfigKey<>("api.tlsClientCaFile", null, ConfigType.STRING,
            "PEM CA certificate(s) that client certificates on the sidecar API must chain to (RFC 8705 §2.1); a "
                    + "certificate from any other CA fails the handshake. Needs api.tlsClientAuth request or require.");
    public static final ConfigKey<String> API_SOCKET_PATH = new ConfigKey<>("api.socketPath", null, ConfigType.STRING,
            "Node-level mode (docs/SCALE.md): a unix domain socket the sidecar API is also served on, so the pods of "
                    + "a node share one sidecar. An absolute path of at most 100 bytes in an existing directory of at most "
                    + "88 that no other user may write (or sticky); the socket is made readable and writable by all, so "
                    + "whoever can reach the directory can ask: mount it only into the pods it serves. A socket left "
                    + "there by an earlier run is replaced; any other file is refused. Plain HTTP (no api.tls*), and the "
                    + "TCP listener stays for probes. Clients on the socket name themselves in the Jwt-Sidecar-Client "
                    + "header (namespace/pod) to be listed in fleet receipts.");
    public static final ConfigKey<Boolean> ADMIN_ENABLED = new ConfigKey<>("admin.enabled", null, ConfigType.BOOLEAN,
            "false: no admin API, whatever else the admin section says; its other keys are then only checked to be "
                    + "known keys, not read, so a file shared with an admin plane may name secrets and files this sidecar "
                    + "lacks. Injected sidecars get false unless the injector opts in. true: an admin API, which needs "
                    + "admin.token, admin.credentials or admin.jwtIssuer. Unset: an admin API exactly when one of those is set.");
    public static final ConfigKey<String> ADMIN_HOST = new ConfigKey<>("admin.host", "127.0.0.1", ConfigType.HOST,
            "Address of the admin API.");
    public static final ConfigKey<Integer> ADMIN_PORT = new ConfigKey<>("admin.port", "8182", ConfigType.integer(0, 65535),
            "Port of the admin API (0 picks a free port).");
    public static final ConfigKey<String> ADMIN_TOKEN = new ConfigKey<>("admin.token", null, ConfigType.STRING,
            "Bearer credential for the admin API with every scope (actor admin), at least 32 characters, no blanks. The admin API "
                    + "starts only when this, admin.credentials or admin.jwtIssuer is set.");
    public static final ConfigKey<String> ADMIN_JWT_ISSUER = new ConfigKey<>("admin.jwtIssuer", null, ConfigType.STRING,
            "One of the configured issuers, exactly: its tokens that this sidecar verifies are admin credentials with "
                    + "the scopes named in their scope or scp claim; the actor is their sub. Unset: no JWTs.");
    public static final ConfigKey<String> ADMIN_TLS_CERT = new ConfigKey<>("admin.tlsCertFile", null, ConfigType.STRING,
            "PEM certificate (chain) of the admin API; with admin.tlsKeyFile the admin API speaks HTTPS only.");
    public static final ConfigKey<String> ADMIN_TLS_KEY = new ConfigKey<>("admin.tlsKeyFile", null, ConfigType.STRING,
            "PEM private key (PKCS#8) for admin.tlsCertFile.");
    public static final ConfigKey<String> ADMIN_TLS_CLIENT_CA = new ConfigKey<>("admin.tlsClientCaFile", null, ConfigType.STRING,
            "PEM CA certificate(s): with it, admin clients must present a certificate it signed (mutual TLS), "
                    + "in addition to their bearer credential.");
    public static final ConfigKey<String> ADMIN_SIGNING_KEY_FILE = new ConfigKey<>("admin.signingKeyFile", null, ConfigType.STRING,
            "PEM private key (PKCS#8; Ed25519 or P-256) the admin API signs its revocation events with. Its public key "
                    + "must be in revocation.publisherKeys under admin.signingKeyId. Required for an admin API when "
                    + "revocation.requireSignedEvents is on.");
    public static final ConfigKey<String> ADMIN_SIGNING_KEY_ID = new ConfigKey<>("admin.signingKeyId", null, ConfigType.STRING,
            "The kid of admin.signingKeyFile's public key in revocation.publisherKeys; required with it.");
    public static final ConfigKey<String> METRICS_HOST = new ConfigKey<>("metrics.host", "127.0.0.1", ConfigType.HOST,
            "Address of the metrics listener (metrics.port). Loopback by default; in Kubernetes the injector sets "
                    + "0.0.0.0 so Prometheus can scrape the pod IP while the sidecar API stays on loopback.");
    public static final ConfigKey<Integer> METRICS_PORT = new ConfigKey<>("metrics.port", null, ConfigType.integer(0, 65535),
            "Port of a listener that serves only GET /metrics (0 picks a free port); every other path there is a 404. "
                    + "Unset: no such listener, and /metrics is on the sidecar API only (where it always is).");
    public static final ConfigKey<Integer> MAX_TOKEN_BYTES = new ConfigKey<>("verify.maxTokenBytes", "8192", ConfigType.integer(256, 1 << 20),
            "Tokens longer than this are refused as too_large before any parsing.");
    public static final ConfigKey<Integer> CACHE_MAX_BYTES = new ConfigKey<>("verify.cacheMaxBytes", "33554432", ConfigType.integer(0, Integer.MAX_VALUE),
            "Memory budget of the verified-token cache, which skips the signature check for tokens seen before "
                    + "(never expiry or revocation); 0 turns it off.");
    public static final ConfigKey<Integer> DPOP_REPLAY_CACHE_SIZE = new ConfigKey<>("verify.dpopReplayCacheSize", "60000", ConfigType.integer(1_000, 10_000_000),
            "Most DPoP proof ids (jti) this sidecar remembers to refuse a replayed proof; at the bound the oldest is "
                    + "dropped and counted (jwt_sidecar_dpop_replay_evictions). Size it to the proofs of one "
                    + "dpopProofWindow: 60000 holds 60 s at 1,000 proofs a second.");
    public static final ConfigKey<Duration> DPOP_NONCE_LIFETIME = new ConfigKey<>("verify.dpopNonceLifetime", "5m", ConfigType.durationBetween("10s", "1h"),
            "For issuers with dpopNonce: true, how long a period of server nonces lasts; a nonce is accepted in its "
                    + "period and the next, so for one to two lifetimes.");
    public static final ConfigKey<String> DPOP_NONCE_SECRET_FILE = new ConfigKey<>("verify.dpopNonceSecretFile", null, ConfigType.STRING,
            "A file holding a secret of at least 32 characters (e.g. openssl rand -base64 48) that DPoP nonces are "
                    + "made with: sidecars sharing it accept each other's nonces. Unset: a random secret per process, so "
                    + "a client moved to another sidecar is asked once more (use_dpop_nonce).");
    public static final ConfigKey<String> KAFKA_BOOTSTRAP = new ConfigKey<>("kafka.bootstrapServers", null, ConfigType.STRING,
            "Kafka bootstrap servers, host:port[,host:port]. Required.");
    public static final ConfigKey<String> KAFKA_TOPIC = new ConfigKey<>("kafka.topic", "jwt-revocations", ConfigType.matching("[a-zA-Z0-9._-]{1,249}", "a valid Kafka topic name"),
            "The revocation topic (compact,delete; retention at least the longest token lifetime).");
    public static final ConfigKey<String> KAFKA_STATUS_TOPIC = new ConfigKey<>("kafka.statusTopic", "jwt-revocations-status", ConfigType.STRING,
            "The compacted topic where every sidecar reports which events it has applied (fleet receipts).");
    public static final ConfigKey<Duration> FLEET_STATUS_INTERVAL = new ConfigKey<>("fleet.statusInterval", "10s", ConfigType.positiveDuration(),
            "The heartbeat: how often a sidecar reports its status when nothing changes. It also reports at once "
                    + "when it applies events or answers a new client (the rest of a burst at most every 250 ms). "
                    + "Silent for three intervals, it counts as lagging, and a wait for all sidecars stops waiting for it. "
                    + "Each report is one request to a broker from every sidecar (docs/SCALE.md).");
    public static final ConfigKey<Duration> FLEET_GONE_AFTER = new ConfigKey<>("fleet.goneAfter", "60s", ConfigType.positiveDuration(),
            "A sidecar silent for this long is no longer listed in fleet receipts. Must be longer than three "
                    + "fleet.statusInterval, or an idle sidecar would be forgotten between heartbeats.");
    public static final ConfigKey<Duration> FLEET_CLIENT_IDLE_AFTER = new ConfigKey<>("fleet.clientIdleAfter", "5m", ConfigType.positiveDuration(),
            "Node-level mode: how long a client (Jwt-Sidecar-Client) stays listed in this sidecar's status after "
                    + "its last request.");
    public static final ConfigKey<Duration> SHUTDOWN_GRACE = new ConfigKey<>("shutdown.gracePeriod", "10s", ConfigType.durationBetween("0s", "5m"),
            "On a stop (SIGTERM), how long the listeners take no new connections while the requests already in "
                    + "flight complete; then whatever is left is cut. At most 5m; 0s stops at once.");
    public static final ConfigKey<String> DATA_DIR = new ConfigKey<>("revocation.dataDir", "./data/revocations", ConfigType.STRING,
            "Directory of the local RocksDB revocation store.");
    public static final ConfigKey<Integer> BLOOM_EXPECTED = new ConfigKey<>("revocation.bloomExpectedRules", "1000000", ConfigType.integer(1, Integer.MAX_VALUE),
            "Live rules the in-memory Bloom filter is sized for.");
    public static final ConfigKey<Double> BLOOM_FPP = new ConfigKey<>("revocation.bloomFalsePositiveRate", "0.001", ConfigType.decimalBetweenExclusive(0, 0.5),
            "Target false-positive rate of the Bloom filter at its expected size (0 < rate < 0.5).");

    public static final ConfigKey<Duration> SWEEP_INTERVAL = new ConfigKey<>("revocation.sweepInterval", "10m", ConfigType.positiveDuration(),
            "How often expired rules are deleted from the store and the Bloom filter is rebuilt; also how often a "
                    + "sidecar with an admin API re-publishes the rules the topic would otherwise lose.");
    public static final ConfigKey<Boolean> REQUIRE_SIGNED_EVENTS = new ConfigKey<>("revocation.requireSignedEvents", null, ConfigType.BOOLEAN,
            "true: an event without a valid signature by a key of revocation.publisherKeys is dead-lettered and "
                    + "changes nothing. Defaults to true when revocation.publisherKeys lists a key, else false (then "
                    + "anyone who can write to the topic can revoke and restore).");
    public static final ConfigKey<Integer> DEAD_LETTER_MAX_BYTES = new ConfigKey<>("revocation.deadLetterMaxBytes", "16777216", ConfigType.integer(65_536, Integer.MAX_VALUE),
            "Most bytes of poison pills kept in the store (of each: 1 KiB of its key and of its value, its sizes and "
                    + "SHA-256); the oldest are pruned beyond it.");
    public static final ConfigKey<Duration> PARTITION_CHECK_INTERVAL = new ConfigKey<>("revocation.partitionCheckInterval", null, ConfigType.positiveDuration(),
            "How often the feed asks the brokers how many partitions the revocation topic has, to read partitions "
                    + "added to it from their beginning. Default: a third of revocation.maxStaleness, at most 10s; "
                    + "must be shorter than revocation.maxStaleness.");
    public static final ConfigKey<Duration> END_CHECK_INTERVAL = new ConfigKey<>("revocation.endCheckInterval", null, ConfigType.positiveDuration(),
            "How often the feed asks the brokers for the log end of every partition, to confirm it has read "
                    + "everything (also on a quiet topic). Default: a third of revocation.maxStaleness, at least 250ms "
                    + "and at most 10s. With revocation.partitionCheckInterval it must be shorter than "
                    + "revocation.maxStaleness: a quiet topic is confirmed as of the earlier of the two.");

    public static final ConfigKey<Duration> MAX_STALENESS = new ConfigKey<>("revocation.maxStaleness", "30s", ConfigType.positiveDuration(),
            "How long the feed may go without confirming it has read to the log end before the data counts as stale.");
    public static final ConfigKey<String> ON_STALE = new ConfigKey<>("revocation.onStale", "fail-closed", ConfigType.oneOf("fail-closed", "fail-open"),
            "fail-closed: answer 503 revocation_data_stale while stale. fail-open: verify as usual, add "
                    + "X-Revocation-Stale: true.");

    public static final ConfigKey<String> AUTHZ_DEFAULT_ACTION = new ConfigKey<>("authz.defaultAction", "allow", ConfigType.oneOf("allow", "deny"),
            "Forward auth (/v1/authz) for a request no entry of routes covers: allow (a valid token is enough) or deny "
                    + "(403 no_route).");
    public static final ConfigKey<String> AUTHZ_CLIENT_IDENTITY_HEADERS = new ConfigKey<>("authz.clientIdentityHeaders", "refuse", ConfigType.oneOf("refuse", "strip"),
            "A forward-auth request that carries its own X-Auth-*, mapped claim header or X-Revocation-Stale: refuse "
                    + "(400) or strip (judge it, and list the copies in x-envoy-auth-headers-to-remove; the proxy must "
                    + "remove them, see docs/PROXIES.md).");

    public static final ConfigKey<Boolean> AUTHZ_CASE_INSENSITIVE_PATHS = new ConfigKey<>("authz.caseInsensitivePaths", "false", ConfigType.BOOLEAN,
            "true: routes match paths ignoring ASCII case, for upstreams that route that way (Express by default, "
                    + "ASP.NET, IIS), so /ADMIN is judged by the /admin route.");

    public static final ConfigKey<String> AUTHZ_CLIENT_CERT_HEADER = new ConfigKey<>("authz.clientCertHeader", null, ConfigType.STRING,
            "Request header in which a TLS-terminating proxy passes the client certificate, for tokens bound to one (RFC 8705 "
                    + "cnf x5t#S256) on /v1/verify and /v1/authz: Envoy's X-Forwarded-Client-Cert (Hash= or Cert=) or a "
                    + "URL-encoded PEM (nginx $ssl_client_escaped_cert). Believed only from authz.trustedProxies. A "
                    + "certificate on the sidecar API's own TLS connection (api.tlsClientAuth) takes precedence over it. "
                    + "Unset: only that certificate counts; without one, bound tokens are refused (certificate_missing).");
    public static final ConfigKey<String> AUTHZ_TRUSTED_PROXIES = new ConfigKey<>("authz.trustedProxies", "[]", ConfigType.STRING,
            "IP addresses (exact, the TCP peer) whose authz.clientCertHeader is believed; from any other address the "
                    + "header is ignored, so a bound token is refused as certificate_missing.");

    public static final ConfigKey<String> LOGGING_FORMAT = new ConfigKey<>("logging.format", "text", ConfigType.oneOf("text", "json"),
            "How log lines on stderr look: text (a date-time in UTC, level, thread, logger, message) or json (one JSON "
                    + "object a line; fields under Logging below).");

    public static final ConfigKey<String> TRACING_OTLP_ENDPOINT = new ConfigKey<>("tracing.otlpEndpoint", null, ConfigType.STRING,
            "OTLP/HTTP collector base URL (http or https), e.g. http://otel-collector:4318: spans of admin publishes, feed "
                    + "applies, verify and forward-auth requests are exported there. Unset: no tracing (a no-op tracer).");
    public static final ConfigKey<String> TRACING_SERVICE_NAME = new ConfigKey<>("tracing.serviceName", "jwt-sidecar", ConfigType.STRING,
            "The service.name of exported spans.");
    public static final ConfigKey<Double> TRACING_REQUEST_SAMPLE_RATIO = new ConfigKey<>("tracing.requestSampleRatio", "1.0", ConfigType.decimalFromTo(0, 1),
            "The share (0 to 1) of verify and forward-auth requests traced when the caller sends no traceparent; a "
                    + "caller's traceparent decides for its request. Revocation publishes and applies are always traced.");

    public static final ConfigKey<Duration> SIGNALS_MAX_AGE = new ConfigKey<>("signals.maxAge", "5m", ConfigType.durationBetween("10s", "1h"),
            "Oldest iat of a logout token or security event token accepted (plus the issuer's clockSkew); its jti is "
                    + "remembered this long against replays.");
    public static final ConfigKey<Integer> SIGNALS_REPLAY_CACHE_SIZE = new ConfigKey<>("signals.replayCacheSize", "100000", ConfigType.integer(1, 10_000_000),
            "Most signal ids (jti) remembered against replays; beyond it the oldest is forgotten (and counted). A replay "
                    + "of a forgotten signal publishes the same event again, which changes nothing.");
    public static final ConfigKey<String> SIGNALS_LOGOUT_WAIT_FOR = new ConfigKey<>("signals.logoutWaitFor", "local", ConfigType.oneOf("local", "all"),
            "When POST /v1/backchannel-logout answers 200: local (this sidecar applied the rule) or all (every live "
                    + "sidecar did, within signals.logoutFleetTimeout; else 503). ?wait=all or ?wait=local "
                    + "in the URL the provider calls decides instead.");
    public static final ConfigKey<Duration> SIGNALS_LOGOUT_FLEET_TIMEOUT = new ConfigKey<>("signals.logoutFleetTimeout", "4s", ConfigType.durationBetween("0s", "60s"),
            "How long a back-channel logout waits for the fleet with waitFor all; keep it below the provider's own "
                    + "request timeout (Keycloak: 5 s), or the provider gives up first.");

    public static final ConfigKey<String> SSF_ISSUER = new ConfigKey<>("signals.ssf.issuer", null, ConfigType.STRING,
            "The Shared Signals transmitter's issuer, exactly as its SETs' iss; it must be one of issuers, whose keys "
                    + "(e.g. jwksUri set to the transmitter's jwks_uri) verify the SETs. Unset: no Shared Signals receiver.");
    public static final ConfigKey<String> SSF_AUDIENCE = new ConfigKey<>("signals.ssf.audience", null, ConfigType.STRING,
            "What a SET's aud must name: this receiver, as registered with the transmitter. Required with signals.ssf.issuer.");
    public static final ConfigKey<String> SSF_SPEAKS_FOR = new ConfigKey<>("signals.ssf.speaksFor", "[]", ConfigType.STRING,
            "Issuers whose users and sessions the transmitter may revoke (a SET's subject names its issuer), each one of "
                    + "issuers. Empty: only the transmitter's own issuer.");
    public static final ConfigKey<Boolean> SSF_PUSH = new ConfigKey<>("signals.ssf.push", "true", ConfigType.BOOLEAN,
            "Take pushed SETs (RFC 8935) at POST /v1/ssf/events on the admin listener.");
    public static final ConfigKey<String> SSF_PUSH_TOKEN = new ConfigKey<>("signals.ssf.pushToken", null, ConfigType.STRING,
            "Bearer credential the transmitter must present when it pushes; a push without it is refused as "
                    + "authentication_failed. Unset: the SET's signature is its only authentication.");
    public static final ConfigKey<Boolean> SSF_POLL = new ConfigKey<>("signals.ssf.poll", "false", ConfigType.BOOLEAN,
            "Poll the transmitter for SETs (RFC 8936), acknowledging each once its revocation is applied here.");
    public static final ConfigKey<String> SSF_CONFIGURATION_URL = new ConfigKey<>("signals.ssf.configurationUrl", null, ConfigType.STRING,
            "The transmitter's metadata, which leads to its stream configuration and poll endpoint. Unset: the issuer's "
                    + "/.well-known/ssf-configuration (SSF 1.0 §7.2).");
    public static final ConfigKey<String> SSF_POLL_TOKEN = new ConfigKey<>("signals.ssf.pollToken", null, ConfigType.STRING,
            "Bearer credential this sidecar presents to the transmitter's stream configuration and poll endpoints.");
    public static final ConfigKey<Integer> SSF_POLL_MAX_EVENTS = new ConfigKey<>("signals.ssf.pollMaxEvents", "100", ConfigType.integer(1, 1000),
            "Most SETs asked for in one poll (maxEvents).");
    public static final ConfigKey<Duration> SSF_POLL_IDLE_WAIT = new ConfigKey<>("signals.ssf.pollIdleWait", "1s", ConfigType.durationBetween("0s", "5m"),
            "Pause after a poll that brought and acknowledged nothing (a transmitter that long-polls answers slower anyway).");
    public static final ConfigKey<Duration> SSF_POLL_MIN_BACKOFF = new ConfigKey<>("signals.ssf.pollMinBackoff", "1s", ConfigType.positiveDuration(),
            "First pause after a failed poll; it doubles with each failure in a row, up to signals.ssf.pollMaxBackoff.");
    public static final ConfigKey<Duration> SSF_POLL_MAX_BACKOFF = new ConfigKey<>("signals.ssf.pollMaxBackoff", "1m", ConfigType.positiveDuration(),
            "Longest pause between polls while the transmitter fails.");
    public static final ConfigKey<Duration> SSF_POLL_TIMEOUT = new ConfigKey<>("signals.ssf.pollTimeout", "30s", ConfigType.durationBetween("1s", "5m"),
            "Deadline of one request to the transmitter, a long poll included.");

    public static final List<ConfigKey<?>> ALL = List.of(SIDECAR_ID, API_HOST, API_PORT, API_NOOP_ROUTE, API_TLS_CERT,
            API_TLS_KEY, API_TLS_CLIENT_AUTH, API_TLS_CLIENT_CA, API_SOCKET_PATH, ADMIN_ENABLED,
            ADMIN_HOST, ADMIN_PORT,
            ADMIN_TOKEN, ADMIN_JWT_ISSUER, ADMIN_TLS_CERT, ADMIN_TLS_KEY, ADMIN_TLS_CLIENT_CA, ADMIN_SIGNING_KEY_FILE,
            ADMIN_SIGNING_KEY_ID, METRICS_HOST, METRICS_PORT, MAX_TOKEN_BYTES, CACHE_MAX_BYTES, DPOP_REPLAY_CACHE_SIZE,
            DPOP_NONCE_LIFETIME, DPOP_NONCE_SECRET_FILE, KAFKA_BOOTSTRAP, KAFKA_TOPIC,
            KAFKA_STATUS_TOPIC, FLEET_STATUS_INTERVAL, FLEET_GONE_AFTER, FLEET_CLIENT_IDLE_AFTER, SHUTDOWN_GRACE, DATA_DIR, BLOOM_EXPECTED, BLOOM_FPP,
            SWEEP_INTERVAL, MAX_STALENESS, ON_STALE, REQUIRE_SIGNED_EVENTS, DEAD_LETTER_MAX_BYTES,
            PARTITION_CHECK_INTERVAL, END_CHECK_INTERVAL, AUTHZ_DEFAULT_ACTION, AUTHZ_CLIENT_IDENTITY_HEADERS,
            AUTHZ_CASE_INSENSITIVE_PATHS, AUTHZ_CLIENT_CERT_HEADER, AUTHZ_TRUSTED_PROXIES, LOGGING_FORMAT, TRACING_OTLP_ENDPOINT, TRACING_SERVICE_NAME,
            TRACING_REQUEST_SAMPLE_RATIO, SIGNALS_MAX_AGE, SIGNALS_REPLAY_CACHE_SIZE, SIGNALS_LOGOUT_WAIT_FOR,
            SIGNALS_LOGOUT_FLEET_TIMEOUT, SSF_ISSUER, SSF_AUDIENCE, SSF_SPEAKS_FOR, SSF_PUSH, SSF_PUSH_TOKEN, SSF_POLL,
            SSF_CONFIGURATION_URL, SSF_POLL_TOKEN, SSF_POLL_MAX_EVENTS, SSF_POLL_IDLE_WAIT, SSF_POLL_MIN_BACKOFF,
            SSF_POLL_MAX_BACKOFF, SSF_POLL_TIMEOUT);

    /** Keys of each issuer entry (under {@code issuers[i]}), with defaults. */
    public static final ConfigKey<String> ISSUER = new ConfigKey<>("issuer", null, ConfigType.STRING, "Exact iss value. Required.");
    public static final ConfigKey<String> AUDIENCES = new ConfigKey<>("audiences", null, ConfigType.STRING,
            "Accepted aud values; a token must name at least one. Required, non-empty.");
    public static final ConfigKey<String> ALGORITHMS = new ConfigKey<>("algorithms", null, ConfigType.STRING,
            "Accepted algorithms; defaults to the algorithms of static keys; required with jwksUri or discovery.");
    public static final ConfigKey<String> REQUIRED_CLAIMS = new ConfigKey<>("requiredClaims", "[]", ConfigType.STRING,
            "Claims that must be present besides exp.");
    public static final ConfigKey<String> TYPE = new ConfigKey<>("type", null, ConfigType.STRING,
            "Required typ header (e.g. at+jwt for RFC 9068 access tokens); unset accepts any.");
    public static final ConfigKey<String> PROFILE = new ConfigKey<>("profile", null, ConfigType.STRING,
            "rfc9068: tokens must be RFC 9068 JWT access tokens: typ at+jwt (or application/at+jwt) and iss, exp, aud, "
                    + "sub, client_id, iat, jti present (else bad_type, missing_claim, bad_audience for aud; a claim of the wrong type: malformed). "
                    + "Unset: no profile.");
    public static final ConfigKey<Duration> CLOCK_SKEW = new ConfigKey<>("clockSkew", "30s", ConfigType.durationBetween("0s", "10m"),
            "Tolerance for exp, nbf, iat and revocation rule times.");
    // At most ten years, far past any real token: rule expiries are event time + lifetime + skew in
    // epoch seconds, and an unbounded lifetime overflowed there, so a revoke was published already
    // expired and dead-lettered everywhere.
    public static final ConfigKey<Duration> MAX_TOKEN_LIFETIME = new ConfigKey<>("maxTokenLifetime", "24h", ConfigType.positiveDurationAtMost(Duration.ofDays(3650), "3650d (ten years)"),
            "Longest lifetime of this issuer's tokens: tokens whose exp is further ahead are refused, "
                    + "and revocation rules expire this long after their time (kid rules never: they hold until restored). "
                    + "At most 3650d.");
    public static final ConfigKey<Duration> MAX_TOKEN_AGE = new ConfigKey<>("maxTokenAge", null, ConfigType.positiveDuration(),
            "Refuse tokens whose iat is older than this (token_too_old); unset for no limit.");
    public static final ConfigKey<String> KEYS = new ConfigKey<>("keys", null, ConfigType.STRING,
            "Static trusted keys, each one of: secret / secretBase64 (HMAC), pemFile, jwksFile; with alg and kid.");
    public static final ConfigKey<String> JWKS_URI = new ConfigKey<>("jwksUri", null, ConfigType.STRING,
            "Fetch the keys from this JWKS URL in the background (https; http only on loopback). Instead of keys.");
    public static final ConfigKey<Boolean> DISCOVERY = new ConfigKey<>("discovery", "false", ConfigType.BOOLEAN,
            "true: find the JWKS URL in {issuer}/.well-known/openid-configuration. Instead of keys.");
    public static final ConfigKey<Duration> JWKS_REFRESH = new ConfigKey<>("jwksRefreshInterval", "5m", ConfigType.positiveDuration(),
            "How often remote keys are fetched again.");
    public static final ConfigKey<Duration> JWKS_MIN_REFRESH = new ConfigKey<>("jwksMinRefreshInterval", "30s", ConfigType.positiveDuration(),
            "Earliest refetch after a token names an unknown kid; also the first retry delay after a failed fetch.");
    public static final ConfigKey<Duration> JWKS_FETCH_TIMEOUT = new ConfigKey<>("jwksFetchTimeout", "10s", ConfigType.positiveDuration(),
            "Deadline of each key request (discovery document or JWKS), from connecting to the last byte of the body; "
                    + "a request past it fails, and other issuers never wait for it.");

    public static final ConfigKey<String> ISSUER_TOKEN_LOCATIONS = new ConfigKey<>("tokenLocations", null, ConfigType.STRING,
            "Forward auth only: the places this issuer's tokens may come from (header, cookie:NAME, query:NAME); a token "
                    + "found elsewhere is refused as token_location_not_allowed. Unset: wherever the route looks.");

    public static final ConfigKey<String> LOGOUT_CLIENT_ID = new ConfigKey<>("logoutClientId", null, ConfigType.STRING,
            "The client id (or a list of them) this issuer's back-channel logout tokens name in aud: with it, POST /v1/backchannel-logout on "
                    + "the admin listener takes them and revokes the session (sid) or user (sub). Unset: refused.");

    public static final ConfigKey<String> DPOP = new ConfigKey<>("dpop", "allowed", ConfigType.oneOf("allowed", "required"),
            "DPoP (RFC 9449). allowed: tokens with cnf.jkt need Authorization: DPoP and a DPoP proof, other tokens are "
                    + "bearer tokens; required: every token must be DPoP-bound (else dpop_required).");
    public static final ConfigKey<Duration> DPOP_PROOF_WINDOW = new ConfigKey<>("dpopProofWindow", "60s",
            ConfigType.durationBetween("1s", "10m"),
            "How far a DPoP proof's iat may be from now, either way; its jti is remembered that long (per sidecar: "
                    + "a replay to another sidecar is possible only within this window).");
    public static final ConfigKey<String> DPOP_ALGORITHMS = new ConfigKey<>("dpopAlgorithms", null, ConfigType.STRING,
            "Algorithms accepted for DPoP proofs (asymmetric only, e.g. [ES256, PS256]); unset: the issuer's "
                    + "asymmetric algorithms.");
    public static final ConfigKey<Boolean> DPOP_NONCE = new ConfigKey<>("dpopNonce", "false", ConfigType.BOOLEAN,
            "true: DPoP proofs for this issuer's tokens must carry a server nonce (RFC 9449 §9). A proof without one, or "
                    + "with an expired one, is a 401 use_dpop_nonce with the nonce to use in DPoP-Nonce; every answer "
                    + "to a DPoP request carries the current one (verify.dpopNonceLifetime).");

    public static final ConfigKey<String> DECRYPTION_KEYS = new ConfigKey<>("decryptionKeys", null, ConfigType.STRING,
            "Keys that open this issuer's encrypted tokens (a signed JWT inside a JWE, RFC 7519 §5.2), each one of: pemFile "
                    + "(an unencrypted PKCS#8 PRIVATE KEY) with alg and kid, or jwksFile (a JWKS of private keys, each with kid "
                    + "and alg, or the entry's alg). alg: RSA-OAEP-256 (RSA, 2048 bits or more), ECDH-ES or ECDH-ES+A256KW "
                    + "(P-256, P-384, P-521, the private scalar from 1 to the curve order less one), or dir (a kty oct key in a "
                    + "jwksFile only). RSA1_5 and PBES2 are never taken. "
                    + "Unset: this issuer's encrypted tokens are refused.");
    public static final ConfigKey<String> ENCRYPTION = new ConfigKey<>("encryption", "allowed", ConfigType.oneOf("allowed", "required"),
            "allowed: encrypted and plain signed tokens are both accepted; required: plain ones are refused "
                    + "(encryption_required); needs decryptionKeys.");
    public static final ConfigKey<String> CONTENT_ENCRYPTION = new ConfigKey<>("contentEncryption", null, ConfigType.STRING,
            "The enc values accepted for encrypted tokens, from A128GCM, A256GCM, A128CBC-HS256, A256CBC-HS512; unset: all four.");

    public static final List<ConfigKey<?>> ISSUER_KEYS = List.of(ISSUER, AUDIENCES, ALGORITHMS, REQUIRED_CLAIMS, TYPE,
            PROFILE, CLOCK_SKEW, MAX_TOKEN_LIFETIME, MAX_TOKEN_AGE, KEYS, JWKS_URI, DISCOVERY, JWKS_REFRESH, JWKS_MIN_REFRESH,
            JWKS_FETCH_TIMEOUT, ISSUER_TOKEN_LOCATIONS, LOGOUT_CLIENT_ID, DPOP, DPOP_PROOF_WINDOW, DPOP_ALGORITHMS, DPOP_NONCE,
            DECRYPTION_KEYS, ENCRYPTION, CONTENT_ENCRYPTION);

    /** Keys of each entry of {@code routes} (under {@code routes[i]}); documented as {@code routes[].name} etc. */
    public static final ConfigKey<String> ROUTE_NAME = new ConfigKey<>("name", null, ConfigType.STRING,
            "Names the route in metrics and logs. Required, unique.");
    public static final ConfigKey<String> ROUTE_HOSTS = new ConfigKey<>("hosts", "[]", ConfigType.STRING,
            "Hosts it covers, exact (api.example.com) or below a domain (*.example.com), without port; empty: any host.");
    public static final ConfigKey<String> ROUTE_METHODS = new ConfigKey<>("methods", "[]", ConfigType.STRING,
            "Methods it covers (GET, POST, ...), exactly as sent; empty: any method.");
    public static final ConfigKey<String> ROUTE_PATH = new ConfigKey<>("path", null, ConfigType.STRING,
            "Path template: literal segments, {name} for any one segment, a last ** for any rest (/orders/{id}, "
                    + "/files/**). Give path or pathPrefix, or neither for every path.");
    public static final ConfigKey<String> ROUTE_PATH_PREFIX = new ConfigKey<>("pathPrefix", null, ConfigType.STRING,
            "Path prefix by whole segments: /orders covers /orders and /orders/42, never /orders-admin.");
    public static final ConfigKey<String> ROUTE_ISSUERS = new ConfigKey<>("issuers", "[]", ConfigType.STRING,
            "The token's iss must be one of these (configured issuers); else 403 access_denied.");
    public static final ConfigKey<String> ROUTE_AUDIENCES = new ConfigKey<>("audiences", "[]", ConfigType.STRING,
            "The token's aud must name one of these; else 403 access_denied.");
    public static final ConfigKey<String> ROUTE_SCOPES = new ConfigKey<>("scopes", "[]", ConfigType.STRING,
            "The token's scope/scp must grant every one of these; else 403 insufficient_scope naming them.");
    public static final ConfigKey<String> ROUTE_CLAIMS = new ConfigKey<>("claims", "{}", ConfigType.STRING,
            "Claim name: accepted value or list of values; a list claim needs one accepted member; else 403 access_denied.");
    public static final ConfigKey<String> ROUTE_ACR = new ConfigKey<>("acr", "[]", ConfigType.STRING,
            "Accepted acr values, most preferred first; else 401 with the RFC 9470 step-up challenge (acr_values).");
    public static final ConfigKey<String> ROUTE_MAX_AGE = new ConfigKey<>("maxAge", null, ConfigType.STRING,
            "Most time since auth_time (e.g. 10m); older or missing: 401 with the RFC 9470 step-up challenge (max_age).");
    public static final ConfigKey<String> ROUTE_TOKEN_LOCATIONS = new ConfigKey<>("tokenLocations", null, ConfigType.STRING,
            "Where this route's tokens may be: header, cookie:NAME, query:NAME (leaks into logs; avoid). Unset: "
                    + "authz.tokenLocations. A request with tokens in two places is a 400.");

    public static final List<ConfigKey<?>> ROUTE_KEYS = List.of(ROUTE_NAME, ROUTE_HOSTS, ROUTE_METHODS, ROUTE_PATH,
            ROUTE_PATH_PREFIX, ROUTE_ISSUERS, ROUTE_AUDIENCES, ROUTE_SCOPES, ROUTE_CLAIMS, ROUTE_ACR, ROUTE_MAX_AGE,
            ROUTE_TOKEN_LOCATIONS);

    /** Keys of each entry of {@code admin.credentials} (under {@code admin.credentials[i]}). */
    public static final ConfigKey<String> CREDENTIAL_NAME = new ConfigKey<>("name", null, ConfigType.STRING,
            "Who this credential is: the actor in the audit log and on the events. Required, unique.");
    public static final ConfigKey<String> CREDENTIAL_TOKEN = new ConfigKey<>("token", null, ConfigType.STRING,
            "The bearer credential, at least 32 characters, no blanks, unique. Required.");
    public static final ConfigKey<String> CREDENTIAL_SCOPES = new ConfigKey<>("scopes", null, ConfigType.STRING,
            "What it may do: a non-empty list of revocations:write (revoke, restore) and revocations:read (look up "
                    + "rules, list dead letters). Required.");

    public static final ConfigKey<String> CREDENTIAL_ISSUERS = new ConfigKey<>("issuers", null, ConfigType.STRING,
            "Whose rules it may revoke, restore and read: a non-empty list of issuers[].issuer values, exactly. Any other "
                    + "issuer's rule is a 403 issuer_not_permitted naming it, and the dead-letter listing is refused. "
                    + "Unset: every issuer.");

    public static final List<ConfigKey<?>> CREDENTIAL_KEYS = List.of(CREDENTIAL_NAME, CREDENTIAL_TOKEN, CREDENTIAL_SCOPES,
            CREDENTIAL_ISSUERS);

    /** Keys of each entry of {@code revocation.publisherKeys} (under {@code revocation.publisherKeys[i]}). */
    public static final ConfigKey<String> PUBLISHER_KID = new ConfigKey<>("kid", null, ConfigType.STRING,
            "The name event signatures carry in their kid. Required, unique.");
    public static final ConfigKey<String> PUBLISHER_ALG = new ConfigKey<>("alg", null, ConfigType.STRING, "EdDSA (Ed25519) or ES256. Required.");
    public static final ConfigKey<String> PUBLISHER_PEM_FILE = new ConfigKey<>("pemFile", null, ConfigType.STRING,
            "File with the PEM public key (PUBLIC KEY). Give this or pem.");
    public static final ConfigKey<String> PUBLISHER_PEM = new ConfigKey<>("pem", null, ConfigType.STRING,
            "The PEM public key itself, e.g. from a ConfigMap. Give this or pemFile.");
    public static final ConfigKey<String> PUBLISHER_TRUST = new ConfigKey<>("trust", "current", ConfigType.STRING,
            "current: its signatures count. retired (rotating it out): they still count, and sidecars with an admin "
                    + "API re-sign every live rule and restore it last signed with their own key; then remove it. "
                    + "compromised: its revokes count and are re-signed, its restores are refused; then remove it.");

    public static final List<ConfigKey<?>> PUBLISHER_KEY_KEYS = List.of(PUBLISHER_KID, PUBLISHER_ALG, PUBLISHER_PEM_FILE,
            PUBLISHER_PEM, PUBLISHER_TRUST);

    private ConfigKeys() {
    }
}
