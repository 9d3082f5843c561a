package io.jwtsidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.logging.LogFormat;
import io.jwtsidecar.revocation.EventSigner;
import io.jwtsidecar.revocation.PublisherKey;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads the YAML configuration, applies environment overrides, loads the issuers' keys and
 * validates everything, reporting every problem at once in a {@link ConfigException}. Each
 * message names the key (e.g. {@code issuers[0].keys[1].alg}) and the offending value; secrets
 * are never echoed.
 *
 * <p>Two ways to take values from the environment: every key of {@link ConfigKeys#ALL} is
 * overridden by its {@link ConfigKey#envName()} variable, and any string in the file may say
 * {@code ${NAME}} or {@code ${NAME:-default}}. Relative file paths are resolved against the
 * configuration file's directory.
 */
public final class ConfigLoader {
    /** A mapping (header name → claim), so not one of the scalar {@link ConfigKeys}. */
    private static final String CLAIM_HEADERS = "api.claimHeaders";
    /** An IPv4 or IPv6 address literal, never a host name (InetAddress would look that up). */
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Longest {@code api.socketPath}: {@code sun_path} holds 108 bytes on Linux and 104 on BSDs. */
    private static final int MAX_SOCKET_PATH_BYTES = 100;
    private static final Duration MIN_END_CHECK = Duration.ofMillis(250);
    /**
     * What the name the socket is first bound at adds to its directory
     * ({@code UnixSocketFile.BIND_PATH_EXTRA_BYTES}; the config does not depend on the HTTP code).
     */
    private static final int SOCKET_BIND_EXTRA_BYTES = 12;

    private final Map<String, String> env;

    /** @param env the environment to read overrides and {@code ${…}} variables from */
    public ConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** Loads a configuration file. */
    public SidecarConfig load(Path file) {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(List.of("cannot read configuration file: " + ConfigFiles.problem(file)
                    .orElseGet(() -> file + " (" + e.getMessage() + ")")));
        }
        Path base = file.toAbsolutePath().getParent();
        return read(YamlDocument.parse(yaml, file.toString()), base);
    }

    /**
     * Parses configuration text; relative paths resolve against {@code baseDir}. Errors name no
     * line (there is no file to look in), except for a YAML syntax error.
     */
    public SidecarConfig parse(String yaml, Path baseDir) {
        return read(YamlDocument.parse(yaml, null), baseDir);
    }

    private SidecarConfig read(YamlDocument document, @Nullable Path baseDir) {
        JsonNode root = document.tree();
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = JsonNodeFactory.instance.objectNode();
        }
        if (!root.isObject()) {
            throw new ConfigException(List.of("configuration must be a YAML mapping"));
        }
        Reader r = new Reader(document, (ObjectNode) root, baseDir);
        return r.read();
    }

    /** Accumulates errors while reading one document. */
    private final class Reader {
        private final YamlDocument document;
        private final ObjectNode root;
        private final ReadContext context;
        /** A nonce secret shorter than this is guessable; 32 base64 characters carry 192 bits. */
        private static final int DPOP_NONCE_SECRET_CHARS = 32;
        private final List<String> errors;
        private final AdminSection adminSection;
        private final RevocationSection revocationSection;

        /** Keys an environment variable set: an error about them is not about the file's line. */
        private final Set<String> fromEnvironment = new HashSet<>();

        Reader(YamlDocument document, ObjectNode root, @Nullable Path baseDir) {
            this.document = document;
            this.root = root;
            this.context = new ReadContext(root, baseDir);
            this.errors = context.errors();
            this.adminSection = new AdminSection(context);
            this.revocationSection = new RevocationSection(context);
        }

        SidecarConfig read() {
            Interpolation variables = new Interpolation(env);
            variables.interpolate(root, "");
            for (ConfigKey<?> key : ConfigKeys.ALL) {
                String override = env.get(key.envName());
                if (override != null) {
                    setPath(key.name(), override);
                    fromEnvironment.add(key.name());
                }
            }
            checkUnknownKeys();
            errors.addAll(UnknownVariables.problems(env, variables.referenced()));
            Optional<Boolean> adminSetting = adminSection.adminEnabledSetting();
            // admin.enabled: false makes the rest of admin.* inert: a ConfigMap shared with an admin
            // plane may name its secrets and files, which a sidecar without an admin API never has.
            boolean adminRead = !adminSetting.equals(Optional.of(false));
            List<String> unset = new ArrayList<>();
            for (Interpolation.Unset v : variables.unset()) {
                if (adminRead || v.path().equals(ConfigKeys.ADMIN_ENABLED.name()) || !v.path().startsWith("admin.")) {
                    unset.add(v.path() + ": environment variable " + v.name() + " is not set");
                }
            }
            errors.addAll(0, unset);

            String id = readOptional(ConfigKeys.SIDECAR_ID).orElseGet(Reader::defaultId);
            SidecarConfig.Listener api = new SidecarConfig.Listener(read(ConfigKeys.API_HOST),
                    read(ConfigKeys.API_PORT));
            ListenerTlsReader tls = new ListenerTlsReader(context);
            Optional<SidecarConfig.ListenerTls> apiTls = tls.read(ListenerTlsReader.API);
            Optional<Path> apiSocket = socketPath();
            boolean noopRoute = read(ConfigKeys.API_NOOP_ROUTE);
            Map<String, String> claimHeaders = passthrough(CLAIM_HEADERS);
            claimHeaders.keySet().stream().filter(h -> !HEADER_NAME.matcher(h).matches()).forEach(h ->
                    errors.add(CLAIM_HEADERS + "." + h + ": '" + h + "' is not a valid HTTP header name"));
            SidecarConfig.Listener admin = adminRead
                    ? new SidecarConfig.Listener(read(ConfigKeys.ADMIN_HOST), read(ConfigKeys.ADMIN_PORT))
                    : new SidecarConfig.Listener(ConfigKeys.ADMIN_HOST.declaredDefault(),
                            Integer.parseInt(ConfigKeys.ADMIN_PORT.defaultValue()));
            if (adminRead && api.port() != 0 && api.port() == admin.port() && adminSection.adminCredentialGiven()) {
                errors.add(ConfigKeys.ADMIN_PORT.name() + ": '" + admin.port() + "' is also " + ConfigKeys.API_PORT.name()
                        + "; the admin API needs a port of its own");
            }
            Optional<SidecarConfig.Listener> metrics = metricsListener(api, admin, adminRead);
            if (adminSetting.orElse(false) && !adminSection.adminCredentialGiven()) {
                errors.add(ConfigKeys.ADMIN_ENABLED.name() + ": 'true' needs " + ConfigKeys.ADMIN_TOKEN.name() + ", "
                        + AdminSection.CREDENTIALS + " or " + ConfigKeys.ADMIN_JWT_ISSUER.name() + ": the admin API has no open mode");
            }
            Optional<String> adminToken = adminRead ? text(ConfigKeys.ADMIN_TOKEN) : Optional.empty();
            adminToken.flatMap(AdminSection::tokenProblem)
                    .ifPresent(problem -> errors.add(ConfigKeys.ADMIN_TOKEN.name() + ": " + problem));
            List<SidecarConfig.AdminCredential> adminCredentials = adminRead ? adminSection.adminCredentials(adminToken) : List.of();
            int maxTokenBytes = read(ConfigKeys.MAX_TOKEN_BYTES);
            long cacheMaxBytes = read(ConfigKeys.CACHE_MAX_BYTES);
            Optional<String> bootstrap = text(ConfigKeys.KAFKA_BOOTSTRAP).filter(b -> !b.isBlank());
            if (bootstrap.isEmpty()) {
                errors.add(ConfigKeys.KAFKA_BOOTSTRAP.name() + ": required (or set "
                        + ConfigKeys.KAFKA_BOOTSTRAP.envName() + ")");
            }
            String topic = read(ConfigKeys.KAFKA_TOPIC);
            String statusTopic = text(ConfigKeys.KAFKA_STATUS_TOPIC).orElseThrow();
            if (!statusTopic.matches("[a-zA-Z0-9._-]{1,249}") || statusTopic.equals(topic)) {
                errors.add(ConfigKeys.KAFKA_STATUS_TOPIC.name() + ": '" + statusTopic
                        + "' must be a valid Kafka topic name other than the revocation topic");
            }
            SidecarConfig.Kafka kafka = new SidecarConfig.Kafka(bootstrap.orElse(""), topic, statusTopic,
                    passthrough("kafka.consumer"), passthrough("kafka.producer"));
            errors.addAll(KafkaSettings.problems(kafka.consumer(), kafka.producer()));
            SidecarConfig.Fleet fleet = new SidecarConfig.Fleet(read(ConfigKeys.FLEET_STATUS_INTERVAL),
                    read(ConfigKeys.FLEET_GONE_AFTER), read(ConfigKeys.FLEET_CLIENT_IDLE_AFTER));
            // An idle sidecar is heard once a heartbeat, and live for three: forgotten before that, a live
            // sidecar that has not applied an event would drop out of a wait for all.
            if (fleet.statusInterval().multipliedBy(3).compareTo(fleet.goneAfter()) >= 0) {
                errors.add(ConfigKeys.FLEET_GONE_AFTER.name() + ": '" + text(ConfigKeys.FLEET_GONE_AFTER)
                        .orElse(ConfigKeys.FLEET_GONE_AFTER.defaultValue()) + "' must be longer than three "
                        + ConfigKeys.FLEET_STATUS_INTERVAL.name() + " (" + text(ConfigKeys.FLEET_STATUS_INTERVAL)
                        .orElse(ConfigKeys.FLEET_STATUS_INTERVAL.defaultValue()) + "): an idle sidecar must not be "
                        + "forgotten between its heartbeats");
            }
            Duration shutdownGrace = read(ConfigKeys.SHUTDOWN_GRACE);
            long expected = read(ConfigKeys.BLOOM_EXPECTED);
            double fpp = read(ConfigKeys.BLOOM_FPP);
            Duration sweep = read(ConfigKeys.SWEEP_INTERVAL);
            Duration maxStaleness = read(ConfigKeys.MAX_STALENESS);
            String onStale = read(ConfigKeys.ON_STALE);
            // Freshness is never confirmed past the last partition count, so the count must come well within maxStaleness.
            // A third of the budget, at most 10s: each count is a request per sidecar, and a quiet topic still
            // confirms in time (docs/SCALE.md, "Ways down", step 4).
            Duration partitionCheck = readOptional(ConfigKeys.PARTITION_CHECK_INTERVAL)
                    .orElseGet(() -> thirdOfBudget(maxStaleness));
            if (partitionCheck.compareTo(maxStaleness) >= 0) {
                errors.add(ConfigKeys.PARTITION_CHECK_INTERVAL.name() + ": '" + text(ConfigKeys.PARTITION_CHECK_INTERVAL)
                        .orElseThrow() + "' must be shorter than " + ConfigKeys.MAX_STALENESS.name() + " ("
                        + text(ConfigKeys.MAX_STALENESS).orElseThrow() + "): new partitions must be found before data "
                        + "counts as stale");
            }
            // Each end check is a ListOffsets per leader broker from every sidecar; a third of the budget keeps a
            // quiet topic confirmed well inside it (docs/SCALE.md, "Ways down", step 2).
            Duration endCheck = readOptional(ConfigKeys.END_CHECK_INTERVAL).orElseGet(() -> endCheckInterval(maxStaleness));
            if (endCheck.compareTo(maxStaleness) >= 0 && text(ConfigKeys.END_CHECK_INTERVAL).isPresent()) {
                errors.add(ConfigKeys.END_CHECK_INTERVAL.name() + ": '" + text(ConfigKeys.END_CHECK_INTERVAL)
                        .orElseThrow() + "' must be shorter than " + ConfigKeys.MAX_STALENESS.name() + " ("
                        + text(ConfigKeys.MAX_STALENESS).orElseThrow() + "): a quiet topic must be confirmed before "
                        + "data counts as stale");
            }
            // A confirmation speaks for the earlier of an end check and the partition count before it, so on a
            // quiet topic up to both intervals pass between two: they must fit in the budget together.
            if (endCheck.plus(partitionCheck).compareTo(maxStaleness) >= 0 && partitionCheck.compareTo(maxStaleness) < 0
                    && endCheck.compareTo(maxStaleness) < 0) {
                errors.add(ConfigKeys.MAX_STALENESS.name() + ": '" + text(ConfigKeys.MAX_STALENESS).orElseThrow()
                        + "' is not longer than " + ConfigKeys.END_CHECK_INTERVAL.name() + " ("
                        + text(ConfigKeys.END_CHECK_INTERVAL).orElse(endCheck.toMillis() + "ms by default") + ") plus "
                        + ConfigKeys.PARTITION_CHECK_INTERVAL.name() + " ("
                        + text(ConfigKeys.PARTITION_CHECK_INTERVAL).orElse(partitionCheck.toMillis() + "ms by default")
                        + "): a quiet topic would count as stale between two confirmations; lengthen it or shorten those");
            }
            long deadLetterBytes = read(ConfigKeys.DEAD_LETTER_MAX_BYTES);
            List<PublisherKey> publisherKeys = revocationSection.publisherKeys();
            boolean requireSigned = revocationSection.requireSignedEvents(publisherKeys);
            Optional<EventSigner> signer = adminRead ? adminSection.eventSigner(publisherKeys, requireSigned) : Optional.empty();
            SidecarConfig.Revocation revocation = new SidecarConfig.Revocation(
                    resolve(text(ConfigKeys.DATA_DIR).orElseThrow()), expected, fpp, sweep, maxStaleness,
                    onStale.equals("fail-open"), publisherKeys, requireSigned, deadLetterBytes, partitionCheck,
                    endCheck);
            List<IssuerSettings> issuers = new IssuersSection(context).read();
            Optional<String> adminJwtIssuer = adminRead ? adminSection.adminJwtIssuer() : Optional.empty();
            Optional<SidecarConfig.ListenerTls> adminTls = adminRead ? tls.read(ListenerTlsReader.ADMIN) : Optional.empty();
            SidecarConfig.Authz authz = authz();
            LogFormat logFormat = logFormat();
            SidecarConfig.Tracing tracing = new TracingSection(context).read();
            SidecarConfig.Signals signals = new SidecarConfig.Signals(read(ConfigKeys.SIGNALS_MAX_AGE),
                    read(ConfigKeys.SIGNALS_REPLAY_CACHE_SIZE), read(ConfigKeys.SIGNALS_LOGOUT_WAIT_FOR).equals("all"),
                    read(ConfigKeys.SIGNALS_LOGOUT_FLEET_TIMEOUT), new SsfSection(context).read(issuers));
            SidecarConfig.Dpop dpop = dpop();
            if (!errors.isEmpty()) {
                throw new ConfigException(errors.stream().map(e -> document.locate(e, fromEnvironment)).toList());
            }
            SidecarConfig.AdminAccess adminAccess = adminRead
                    ? new SidecarConfig.AdminAccess(adminToken, adminCredentials, adminJwtIssuer)
                    : SidecarConfig.AdminAccess.off();
            return new SidecarConfig(id, api, apiTls, apiSocket, claimHeaders, admin, adminTls, adminAccess, maxTokenBytes, cacheMaxBytes, kafka, fleet,
                    revocation, issuers, noopRoute, signer, authz, metrics, shutdownGrace, logFormat, tracing, signals, dpop);
        }

        /** {@code verify.dpopReplayCacheSize}, {@code verify.dpopNonceLifetime}, {@code verify.dpopNonceSecretFile}. */
        private SidecarConfig.Dpop dpop() {
            Optional<String> secret = text(ConfigKeys.DPOP_NONCE_SECRET_FILE).flatMap(file -> {
                Path path = context.resolve(file);
                try {
                    String text = ConfigFiles.read(ConfigKeys.DPOP_NONCE_SECRET_FILE.name(), path).strip();
                    if (text.length() < DPOP_NONCE_SECRET_CHARS) {
                        errors.add(ConfigKeys.DPOP_NONCE_SECRET_FILE.name() + ": '" + path + "' holds " + text.length()
                                + " characters; a nonce secret needs at least " + DPOP_NONCE_SECRET_CHARS);
                        return Optional.empty();
                    }
                    return Optional.of(text);
                } catch (UnreadableFile e) {
                    errors.add(ConfigKeys.DPOP_NONCE_SECRET_FILE.name() + ": " + e.getMessage());
                    return Optional.empty();
                }
            });
            return new SidecarConfig.Dpop(read(ConfigKeys.DPOP_REPLAY_CACHE_SIZE), read(ConfigKeys.DPOP_NONCE_LIFETIME), secret);
        }

        /** {@code logging.format}: text or json. */
        private LogFormat logFormat() {
            return LogFormat.parse(read(ConfigKeys.LOGGING_FORMAT)).orElse(LogFormat.TEXT);
        }

        /**
         * {@code metrics.host} and {@code metrics.port}: a listener of its own for Prometheus, only
         * when a port is given. The host is checked either way, as {@code admin.host} is.
         */
        private Optional<SidecarConfig.Listener> metricsListener(SidecarConfig.Listener api, SidecarConfig.Listener admin,
                                                                 boolean adminRead) {
            String host = read(ConfigKeys.METRICS_HOST);
            Optional<Integer> given = readOptional(ConfigKeys.METRICS_PORT);
            if (given.isEmpty()) {
                return Optional.empty();
            }
            int port = given.get();
            // Different hosts do not help: 0.0.0.0:8181 and 127.0.0.1:8181 cannot both be bound.
            if (port != 0 && port == api.port()) {
                errors.add(ConfigKeys.METRICS_PORT.name() + ": '" + port + "' is also " + ConfigKeys.API_PORT.name()
                        + "; the metrics listener needs a port of its own");
            } else if (port != 0 && port == admin.port() && adminRead && adminSection.adminCredentialGiven()) {
                errors.add(ConfigKeys.METRICS_PORT.name() + ": '" + port + "' is also " + ConfigKeys.ADMIN_PORT.name()
                        + "; the metrics listener needs a port of its own");
            }
            return Optional.of(new SidecarConfig.Listener(host, port));
        }

        /**
         * {@code api.socketPath}: absolute, and short enough for {@code sun_path} (108 bytes on
         * Linux, fewer elsewhere) with room to spare. Whether its directory exists is checked when
         * the socket is bound, since the directory may be mounted only in the pod that runs it.
         */
        private Optional<Path> socketPath() {
            Optional<String> given = text(ConfigKeys.API_SOCKET_PATH).filter(p -> !p.isEmpty());
            if (given.isEmpty()) {
                return Optional.empty();
            }
            String p = given.get();
            int dirBytes = p.lastIndexOf('/') < 0 ? 0 : p.substring(0, p.lastIndexOf('/')).getBytes(StandardCharsets.UTF_8).length;
            String problem = !p.startsWith("/") ? "must be an absolute path"
                    : p.getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES
                            ? "is longer than " + MAX_SOCKET_PATH_BYTES + " bytes, more than a unix socket address holds"
                    : dirBytes + SOCKET_BIND_EXTRA_BYTES > MAX_SOCKET_PATH_BYTES
                            ? "is in a directory longer than " + (MAX_SOCKET_PATH_BYTES - SOCKET_BIND_EXTRA_BYTES)
                                    + " bytes: the socket is bound in a directory of its own inside it first"
                    : p.endsWith("/") || p.chars().anyMatch(Character::isISOControl) ? "must name a file, without control characters"
                    : null;
            if (problem != null) {
                errors.add(ConfigKeys.API_SOCKET_PATH.name() + ": '" + p + "' " + problem);
                return Optional.empty();
            }
            return Optional.of(Path.of(p).normalize());
        }

        /** {@code authz.*}, {@code routes} and each issuer's {@code tokenLocations}. */
        private SidecarConfig.Authz authz() {
            String action = read(ConfigKeys.AUTHZ_DEFAULT_ACTION);
            String copies = read(ConfigKeys.AUTHZ_CLIENT_IDENTITY_HEADERS);
            Set<String> issuers = new LinkedHashSet<>();
            JsonNode list = root.get("issuers");
            if (list != null && list.isArray()) {
                list.forEach(n -> {
                    if (n.isObject() && n.get("issuer") != null && n.get("issuer").isTextual()) {
                        issuers.add(n.get("issuer").textValue());
                    }
                });
            }
            boolean caseInsensitive = read(ConfigKeys.AUTHZ_CASE_INSENSITIVE_PATHS);
            Optional<String> certHeader = readOptional(ConfigKeys.AUTHZ_CLIENT_CERT_HEADER).filter(h -> !h.isBlank());
            Set<InetAddress> proxies = trustedProxies();
            if (certHeader.isPresent() && proxies.isEmpty()) {
                errors.add(ConfigKeys.AUTHZ_CLIENT_CERT_HEADER.name() + ": needs " + ConfigKeys.AUTHZ_TRUSTED_PROXIES.name()
                        + " (the proxies whose header is believed)");
            }
            return new SidecarConfig.Authz(new AuthzConfigReader(root, errors).read(action.equals("deny"), caseInsensitive,
                    issuers), !copies.equals("strip"), certHeader, proxies);
        }

        /** {@code authz.trustedProxies}: a list, or one comma-separated text (an environment variable). */
        private Set<InetAddress> trustedProxies() {
            String key = ConfigKeys.AUTHZ_TRUSTED_PROXIES.name();
            JsonNode authz = root.get("authz");
            JsonNode v = authz == null ? null : authz.get("trustedProxies");
            List<String> given = new ArrayList<>();
            if (v != null && v.isArray()) {
                v.forEach(e -> given.add(e.isTextual() ? e.textValue() : e.toString()));
            } else if (v != null && !v.isNull()) {
                for (String part : v.asText().split(",", -1)) {
                    given.add(part.trim());
                }
            }
            Set<InetAddress> proxies = new LinkedHashSet<>();
            for (String address : given) {
                // Literal addresses only: a host name would mean a DNS lookup, and trusting whatever it resolves to.
                if (!IP_LITERAL.matcher(address).matches()) {
                    errors.add(key + ": '" + address + "' is not an IP address");
                    continue;
                }
                try {
                    proxies.add(InetAddress.getByName(address));
                } catch (IOException e) {
                    errors.add(key + ": '" + address + "' is not an IP address");
                }
            }
            return proxies;
        }

        private static Duration min(Duration a, Duration b) {
            return a.compareTo(b) <= 0 ? a : b;
        }

        /** A third of {@code maxStaleness}, at most 10s: the default interval of each freshness question. */
        private static Duration thirdOfBudget(Duration maxStaleness) {
            return min(Duration.ofSeconds(10), maxStaleness.dividedBy(3));
        }

        /**
         * The default end check interval: {@link #thirdOfBudget}, at least 250ms. The floor keeps a
         * sub-second budget from asking the brokers more than four times a second; such a budget still
         * fits one end check and one partition count down to 375ms.
         */
        private static Duration endCheckInterval(Duration maxStaleness) {
            Duration third = thirdOfBudget(maxStaleness);
            return third.compareTo(MIN_END_CHECK) < 0 ? MIN_END_CHECK : third;
        }

        private void checkUnknownKeys() {
            Set<String> known = new LinkedHashSet<>();
            ConfigKeys.ALL.forEach(k -> known.add(k.name()));
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> section = it.next();
                String s = section.getKey();
                if (s.equals("signals") && section.getValue().isObject() && section.getValue().has("ssf")) {
                    errors.addAll(SsfSection.unknownKeys(section.getValue().get("ssf"), known));
                }
                if (s.equals("issuers") || s.equals(AuthzConfigReader.ROUTES)) {
                    continue;
                }
                if (!section.getValue().isObject()) {
                    errors.add(s + ": unknown key");
                    continue;
                }
                for (Iterator<String> f = section.getValue().fieldNames(); f.hasNext(); ) {
                    String name = s + "." + f.next();
                    if (!known.contains(name) && !name.equals("kafka.consumer") && !name.equals("kafka.producer")
                            && !name.equals(CLAIM_HEADERS) && !name.equals(AdminSection.CREDENTIALS)
                            && !name.equals(RevocationSection.PUBLISHER_KEYS) && !name.equals(SsfSection.SECTION) && !name.equals(AuthzConfigReader.TOKEN_LOCATIONS)) {
                        errors.add(name + ": unknown key");
                    }
                }
            }
        }

        private Optional<String> text(ConfigKey<?> key) {
            return context.text(key);
        }

        private <T> T read(ConfigKey<T> key) {
            return context.read(key);
        }

        private <T> Optional<T> readOptional(ConfigKey<T> key) {
            return context.readOptional(key);
        }

        private @Nullable JsonNode at(String dotted) {
            return context.at(dotted);
        }

        private Path resolve(String path) {
            return context.resolve(path);
        }

        private Map<String, String> passthrough(String path) {
            return context.passthrough(path);
        }

        private static @Nullable String scalar(JsonNode n, String field) {
            return ReadContext.scalar(n, field);
        }

        private void setPath(String dotted, String value) {
            String[] parts = dotted.split("\\.");
            ObjectNode n = root;
            for (int i = 0; i < parts.length - 1; i++) {
                JsonNode child = n.get(parts[i]);
                if (child == null || !child.isObject()) {
                    child = n.putObject(parts[i]);
                }
                n = (ObjectNode) child;
            }
            n.put(parts[parts.length - 1], value);
        }

        private static String defaultId() {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "sidecar";
            }
            return host + "-" + UUID.randomUUID().toString().substring(0, 8);
        }
    }
}
