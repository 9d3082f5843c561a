package io.jwtsidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.admin.AdminScope;
import io.jwtsidecar.admin.IssuerLimit;
import io.jwtsidecar.logging.LogFormat;
import io.jwtsidecar.revocation.EventKeys;
import io.jwtsidecar.revocation.EventSigner;
import io.jwtsidecar.revocation.PublisherKey;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeyLoader;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

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
    private static final int MIN_ADMIN_TOKEN_LENGTH = 32;
    /** A mapping (header name → claim), so not one of the scalar {@link ConfigKeys}. */
    private static final String CLAIM_HEADERS = "api.claimHeaders";
    /** A list of {@code {name, token, scopes, issuers}}, so not one of the scalar {@link ConfigKeys}. */
    private static final String ADMIN_CREDENTIALS = "admin.credentials";
    /** A list of {@code {kid, alg, pemFile | pem, retired}}, so not one of the scalar {@link ConfigKeys}. */
    private static final String PUBLISHER_KEYS = "revocation.publisherKeys";
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

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

    private SidecarConfig read(YamlDocument document, Path baseDir) {
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
        private final List<String> errors;

        /** Keys an environment variable set: an error about them is not about the file's line. */
        private final Set<String> fromEnvironment = new HashSet<>();

        Reader(YamlDocument document, ObjectNode root, Path baseDir) {
            this.document = document;
            this.root = root;
            this.context = new ReadContext(root, baseDir);
            this.errors = context.errors();
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
            Optional<Boolean> adminSetting = adminEnabledSetting();
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
            boolean noopRoute = read(ConfigKeys.API_NOOP_ROUTE);
            Map<String, String> claimHeaders = passthrough(CLAIM_HEADERS);
            claimHeaders.keySet().stream().filter(h -> !HEADER_NAME.matcher(h).matches()).forEach(h ->
                    errors.add(CLAIM_HEADERS + "." + h + ": '" + h + "' is not a valid HTTP header name"));
            SidecarConfig.Listener admin = adminRead
                    ? new SidecarConfig.Listener(read(ConfigKeys.ADMIN_HOST), read(ConfigKeys.ADMIN_PORT))
                    : new SidecarConfig.Listener(ConfigKeys.ADMIN_HOST.defaultValue(),
                            Integer.parseInt(ConfigKeys.ADMIN_PORT.defaultValue()));
            if (adminRead && api.port() != 0 && api.port() == admin.port() && adminCredentialGiven()) {
                errors.add(ConfigKeys.ADMIN_PORT.name() + ": '" + admin.port() + "' is also " + ConfigKeys.API_PORT.name()
                        + "; the admin API needs a port of its own");
            }
            Optional<SidecarConfig.Listener> metrics = metricsListener(api, admin, adminRead);
            if (adminSetting.orElse(false) && !adminCredentialGiven()) {
                errors.add(ConfigKeys.ADMIN_ENABLED.name() + ": 'true' needs " + ConfigKeys.ADMIN_TOKEN.name() + ", "
                        + ADMIN_CREDENTIALS + " or " + ConfigKeys.ADMIN_JWT_ISSUER.name() + ": the admin API has no open mode");
            }
            Optional<String> adminToken = adminRead ? text(ConfigKeys.ADMIN_TOKEN) : Optional.empty();
            if (adminToken.isPresent() && adminToken.get().length() < MIN_ADMIN_TOKEN_LENGTH) {
                errors.add(ConfigKeys.ADMIN_TOKEN.name() + ": must be at least " + MIN_ADMIN_TOKEN_LENGTH
                        + " characters, got " + adminToken.get().length() + " (value hidden)");
            }
            List<SidecarConfig.AdminCredential> adminCredentials = adminRead ? adminCredentials(adminToken) : List.of();
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
                    read(ConfigKeys.FLEET_GONE_AFTER));
            Duration shutdownGrace = read(ConfigKeys.SHUTDOWN_GRACE);
            long expected = read(ConfigKeys.BLOOM_EXPECTED);
            double fpp = read(ConfigKeys.BLOOM_FPP);
            Duration sweep = read(ConfigKeys.SWEEP_INTERVAL);
            Duration maxStaleness = read(ConfigKeys.MAX_STALENESS);
            String onStale = read(ConfigKeys.ON_STALE);
            // Freshness is never confirmed past the last partition count, so the count must come well within maxStaleness.
            Duration partitionCheck = readOptional(ConfigKeys.PARTITION_CHECK_INTERVAL)
                    .orElseGet(() -> min(Duration.ofSeconds(5), maxStaleness.dividedBy(3)));
            if (partitionCheck.compareTo(maxStaleness) >= 0) {
                errors.add(ConfigKeys.PARTITION_CHECK_INTERVAL.name() + ": '" + text(ConfigKeys.PARTITION_CHECK_INTERVAL)
                        .orElseThrow() + "' must be shorter than " + ConfigKeys.MAX_STALENESS.name() + " ("
                        + text(ConfigKeys.MAX_STALENESS).orElseThrow() + "): new partitions must be found before data "
                        + "counts as stale");
            }
            long deadLetterBytes = read(ConfigKeys.DEAD_LETTER_MAX_BYTES);
            List<PublisherKey> publisherKeys = publisherKeys();
            boolean requireSigned = requireSignedEvents(publisherKeys);
            Optional<EventSigner> signer = adminRead ? eventSigner(publisherKeys, requireSigned) : Optional.empty();
            SidecarConfig.Revocation revocation = new SidecarConfig.Revocation(
                    resolve(text(ConfigKeys.DATA_DIR).orElseThrow()), expected, fpp, sweep, maxStaleness,
                    onStale.equals("fail-open"), publisherKeys, requireSigned, deadLetterBytes, partitionCheck);
            List<IssuerSettings> issuers = new IssuersSection(context).read();
            Optional<String> adminJwtIssuer = adminRead ? adminJwtIssuer() : Optional.empty();
            Optional<SidecarConfig.AdminTls> adminTls = adminRead ? adminTls() : Optional.empty();
            SidecarConfig.Authz authz = authz();
            LogFormat logFormat = logFormat();
            SidecarConfig.Tracing tracing = new TracingSection(context).read();
            if (!errors.isEmpty()) {
                throw new ConfigException(errors.stream().map(e -> document.locate(e, fromEnvironment)).toList());
            }
            SidecarConfig.AdminAccess adminAccess = adminRead
                    ? new SidecarConfig.AdminAccess(adminToken, adminCredentials, adminJwtIssuer)
                    : SidecarConfig.AdminAccess.off();
            return new SidecarConfig(id, api, claimHeaders, admin, adminTls, adminAccess, maxTokenBytes, cacheMaxBytes, kafka, fleet,
                    revocation, issuers, noopRoute, signer, authz, metrics, shutdownGrace, logFormat, tracing);
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
            } else if (port != 0 && port == admin.port() && adminRead && adminCredentialGiven()) {
                errors.add(ConfigKeys.METRICS_PORT.name() + ": '" + port + "' is also " + ConfigKeys.ADMIN_PORT.name()
                        + "; the metrics listener needs a port of its own");
            }
            return Optional.of(new SidecarConfig.Listener(host, port));
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
            return new SidecarConfig.Authz(new AuthzConfigReader(root, errors).read(action.equals("deny"), caseInsensitive,
                    issuers), !copies.equals("strip"));
        }

        /** {@code revocation.publisherKeys}: a list of {@code {kid, alg, pemFile | pem, retired}}. */
        private List<PublisherKey> publisherKeys() {
            List<PublisherKey> result = new ArrayList<>();
            Set<String> kids = new LinkedHashSet<>();
            for (ListEntry entry : listEntries(PUBLISHER_KEYS, ConfigKeys.PUBLISHER_KEY_KEYS, "{kid, alg, pemFile or pem}",
                    "kid, alg and pemFile or pem")) {
                String at = entry.at();
                JsonNode n = entry.node();
                int before = errors.size();
                errors.addAll(entry.unknownKeys());
                String kid = unique(at, n, ConfigKeys.PUBLISHER_KID, kids);
                String algName = scalar(n, ConfigKeys.PUBLISHER_ALG.name());
                JwsAlgorithm alg = algName == null ? null : JwsAlgorithm.fromJoseName(algName).orElse(null);
                if (alg != JwsAlgorithm.EdDSA && alg != JwsAlgorithm.ES256) {
                    errors.add(at + ".alg: must be EdDSA or ES256, got '" + algName + "'");
                }
                String pemFile = scalar(n, ConfigKeys.PUBLISHER_PEM_FILE.name());
                String pem = scalar(n, ConfigKeys.PUBLISHER_PEM.name());
                if ((pemFile == null) == (pem == null)) {
                    errors.add(at + ": give exactly one of pemFile and pem");
                }
                String trustText = Optional.ofNullable(scalar(n, ConfigKeys.PUBLISHER_TRUST.name()))
                        .orElse(ConfigKeys.PUBLISHER_TRUST.defaultValue());
                PublisherKey.Trust trust = Arrays.stream(PublisherKey.Trust.values())
                        .filter(t -> t.name().toLowerCase(Locale.ROOT).equals(trustText)).findFirst().orElse(null);
                if (trust == null) {
                    errors.add(at + ".trust: must be current, retired or compromised, got '" + trustText + "'");
                }
                if (errors.size() != before) {
                    continue;
                }
                try {
                    String text = pem != null ? pem : readFile(ConfigKeys.PUBLISHER_PEM_FILE.name(), pemFile);
                    result.add(new PublisherKey(kid, StaticKeyLoader.pem(kid, alg, text), trust));
                } catch (IllegalArgumentException e) {
                    errors.add(at + (pem != null ? ".pem: " : ".pemFile: ") + e.getMessage());
                }
            }
            return result;
        }

        /** On whenever publisher keys are given, unless turned off explicitly; never on without a key. */
        private boolean requireSignedEvents(List<PublisherKey> keys) {
            JsonNode given = at(ConfigKeys.REQUIRE_SIGNED_EVENTS.name());
            boolean listed = at(PUBLISHER_KEYS) != null && !at(PUBLISHER_KEYS).isNull();
            if (given == null || given.isNull()) {
                return listed;
            }
            boolean required = read(ConfigKeys.REQUIRE_SIGNED_EVENTS);
            if (required && !listed) {
                errors.add(ConfigKeys.REQUIRE_SIGNED_EVENTS.name() + ": 'true' needs at least one key in "
                        + PUBLISHER_KEYS + " to verify signatures with");
            }
            return required;
        }

        /**
         * {@code admin.signingKeyFile} and {@code admin.signingKeyId}: the admin API's signing key
         * (not read with {@code admin.enabled: false}).
         * Its public key must be a trusted, current publisher key (checked by signing and verifying a
         * probe), or every sidecar would dead-letter what this one publishes.
         */
        private Optional<EventSigner> eventSigner(List<PublisherKey> keys, boolean requireSigned) {
            Optional<String> file = text(ConfigKeys.ADMIN_SIGNING_KEY_FILE);
            Optional<String> kid = text(ConfigKeys.ADMIN_SIGNING_KEY_ID);
            if (file.isEmpty()) {
                if (kid.isPresent()) {
                    errors.add(ConfigKeys.ADMIN_SIGNING_KEY_ID.name() + ": '" + kid.get() + "' is set but "
                            + ConfigKeys.ADMIN_SIGNING_KEY_FILE.name() + " is not");
                }
                if (requireSigned && adminCredentialGiven()) {
                    errors.add(ConfigKeys.ADMIN_SIGNING_KEY_FILE.name() + ": required: "
                            + ConfigKeys.REQUIRE_SIGNED_EVENTS.name() + " is on, and every sidecar would dead-letter the "
                            + "unsigned events this admin API publishes");
                }
                return Optional.empty();
            }
            if (kid.isEmpty()) {
                errors.add(ConfigKeys.ADMIN_SIGNING_KEY_ID.name() + ": required with " + ConfigKeys.ADMIN_SIGNING_KEY_FILE.name());
                return Optional.empty();
            }
            Optional<PublisherKey> trusted = keys.stream().filter(k -> k.kid().equals(kid.get())).findFirst();
            if (trusted.isEmpty()) {
                errors.add(ConfigKeys.ADMIN_SIGNING_KEY_ID.name() + ": '" + kid.get() + "' is not the kid of any entry of "
                        + PUBLISHER_KEYS);
                return Optional.empty();
            }
            if (trusted.get().trust() != PublisherKey.Trust.CURRENT) {
                errors.add(ConfigKeys.ADMIN_SIGNING_KEY_ID.name() + ": '" + kid.get() + "' is marked "
                        + trusted.get().trust().name().toLowerCase(Locale.ROOT) + " in " + PUBLISHER_KEYS
                        + "; sign with a current key");
            }
            Path path = resolve(file.get());
            try {
                String pem = ConfigFiles.read(ConfigKeys.ADMIN_SIGNING_KEY_FILE.name(), path);
                EventSigner signer = new EventSigner(kid.get(), EventKeys.privateKey(pem));
                if (!EventKeys.matches(signer, trusted.get().key())) {
                    errors.add(ConfigKeys.ADMIN_SIGNING_KEY_FILE.name() + ": '" + path + "' is not the private key of "
                            + "publisher key '" + kid.get() + "' (a signature made with it does not verify)");
                }
                return Optional.of(signer);
            } catch (UnreadableFile e) {
                errors.add(ConfigKeys.ADMIN_SIGNING_KEY_FILE.name() + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                errors.add(ConfigKeys.ADMIN_SIGNING_KEY_FILE.name() + ": '" + path + "': " + e.getMessage());
            }
            return Optional.empty();
        }

        private static Duration min(Duration a, Duration b) {
            return a.compareTo(b) <= 0 ? a : b;
        }

        /** {@code admin.enabled}: true or false when given (anything else is an error, read as false), else empty. */
        private Optional<Boolean> adminEnabledSetting() {
            return readOptional(ConfigKeys.ADMIN_ENABLED);
        }

        private boolean adminCredentialGiven() {
            for (String key : List.of(ConfigKeys.ADMIN_TOKEN.name(), ADMIN_CREDENTIALS, ConfigKeys.ADMIN_JWT_ISSUER.name())) {
                JsonNode n = at(key);
                if (n != null && !n.isNull()) {
                    return true;
                }
            }
            return false;
        }

        /**
         * {@code admin.credentials}: a list of {@code {name, token, scopes, issuers?}}. Names and tokens
         * must be unique (also against {@code admin.token}), so every credential names exactly one actor.
         */
        private List<SidecarConfig.AdminCredential> adminCredentials(Optional<String> adminToken) {
            List<SidecarConfig.AdminCredential> result = new ArrayList<>();
            Map<String, String> tokenOwners = new HashMap<>();
            adminToken.ifPresent(t -> tokenOwners.put(t, ConfigKeys.ADMIN_TOKEN.name()));
            Set<String> names = new LinkedHashSet<>();
            for (ListEntry entry : listEntries(ADMIN_CREDENTIALS, ConfigKeys.CREDENTIAL_KEYS, "{name, token, scopes}",
                    "name, token and scopes")) {
                String at = entry.at();
                JsonNode n = entry.node();
                int before = errors.size();
                errors.addAll(entry.unknownKeys());
                String name = unique(at, n, ConfigKeys.CREDENTIAL_NAME, names);
                String token = scalar(n, ConfigKeys.CREDENTIAL_TOKEN.name());
                if (token == null || token.isEmpty()) {
                    errors.add(at + ".token: required");
                } else if (token.length() < MIN_ADMIN_TOKEN_LENGTH) {
                    errors.add(at + ".token: must be at least " + MIN_ADMIN_TOKEN_LENGTH + " characters, got "
                            + token.length() + " (value hidden)");
                } else if (tokenOwners.containsKey(token)) {
                    errors.add(at + ".token: the same as " + tokenOwners.get(token) + " (value hidden); every "
                            + "credential needs a token of its own");
                } else {
                    tokenOwners.put(token, at + ".token");
                }
                Set<AdminScope> scopes = adminScopes(at, n.get(ConfigKeys.CREDENTIAL_SCOPES.name()));
                IssuerLimit issuers = credentialIssuers(at, n.get(ConfigKeys.CREDENTIAL_ISSUERS.name()));
                if (errors.size() == before) {
                    result.add(new SidecarConfig.AdminCredential(name, token, scopes, issuers));
                }
            }
            return result;
        }

        /** A {@code ${name}} at {@code path} that the environment does not set and that has no default. */
        private record ListEntry(String at, JsonNode node, List<String> unknownKeys) {
        }

        /**
         * The mappings of the list at {@code path}, each with the errors for its unknown keys (the
         * caller reports them with the entry's own, in order); an absent list is empty, and a list
         * that is not one, or an entry that is not a mapping, is reported with what it should be.
         */
        private List<ListEntry> listEntries(String path, List<ConfigKey<?>> keys, String listOf, String mappingWith) {
            List<ListEntry> entries = new ArrayList<>();
            JsonNode list = at(path);
            if (list == null || list.isNull()) {
                return entries;
            }
            if (!list.isArray()) {
                errors.add(path + ": must be a list of " + listOf);
                return entries;
            }
            for (int i = 0; i < list.size(); i++) {
                String at = path + "[" + i + "]";
                JsonNode n = list.get(i);
                if (!n.isObject()) {
                    errors.add(at + ": must be a mapping with " + mappingWith);
                    continue;
                }
                List<String> unknown = new ArrayList<>();
                for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (keys.stream().noneMatch(k -> k.name().equals(f))) {
                        unknown.add(at + "." + f + ": unknown key");
                    }
                }
                entries.add(new ListEntry(at, n, unknown));
            }
            return entries;
        }

        /** A required value that must differ from the same key's value in every other entry; null when missing. */
        private String unique(String at, JsonNode n, ConfigKey<?> key, Set<String> seen) {
            String value = scalar(n, key.name());
            if (value == null || value.isBlank()) {
                errors.add(at + "." + key.name() + ": required");
            } else if (!seen.add(value)) {
                errors.add(at + "." + key.name() + ": '" + value + "' is configured twice");
            }
            return value;
        }

        private Set<AdminScope> adminScopes(String at, JsonNode list) {
            String key = at + "." + ConfigKeys.CREDENTIAL_SCOPES.name();
            List<String> known = Arrays.stream(AdminScope.values()).map(AdminScope::wireName).toList();
            Set<AdminScope> scopes = EnumSet.noneOf(AdminScope.class);
            if (list == null || list.isNull() || (list.isArray() && list.isEmpty())) {
                errors.add(key + ": at least one of " + known + " is required");
                return scopes;
            }
            if (!list.isArray()) {
                errors.add(key + ": must be a list, a non-empty subset of " + known);
                return scopes;
            }
            for (JsonNode s : list) {
                Optional<AdminScope> scope = s.isTextual() ? AdminScope.fromWireName(s.textValue()) : Optional.empty();
                if (scope.isEmpty()) {
                    errors.add(key + ": '" + s.asText() + "' is not one of " + known);
                } else {
                    scopes.add(scope.get());
                }
            }
            return scopes;
        }

        /**
         * {@code admin.credentials[i].issuers}: absent for every issuer, else a non-empty list of
         * configured issuers, each exactly as in {@code issuers[].issuer} (a limit naming an issuer
         * the sidecar does not have is a typo that would quietly permit nothing).
         */
        private IssuerLimit credentialIssuers(String at, JsonNode list) {
            String key = at + "." + ConfigKeys.CREDENTIAL_ISSUERS.name();
            if (list == null || list.isNull()) {
                return IssuerLimit.everyIssuer();
            }
            if (!list.isArray() || list.isEmpty()) {
                errors.add(key + ": must be a non-empty list of issuers[].issuer values; leave it out for every issuer");
                return IssuerLimit.only(Set.of());
            }
            Set<String> configured = configuredIssuers();
            Set<String> named = new LinkedHashSet<>();
            for (JsonNode i : list) {
                if (!i.isTextual()) {
                    errors.add(key + ": '" + i + "' is not an issuer name (a string)");
                } else if (!configured.contains(i.textValue())) {
                    errors.add(key + ": '" + i.textValue() + "' is not the issuer of any entry of issuers (exact match)");
                } else if (i.textValue().equals(text(ConfigKeys.ADMIN_JWT_ISSUER).orElse(null))) {
                    errors.add(key + ": '" + i.textValue() + "' is " + ConfigKeys.ADMIN_JWT_ISSUER.name()
                            + ": its rules decide which admin credentials work, so only a credential for every issuer "
                            + "may touch them; leave it out");
                } else {
                    named.add(i.textValue());
                }
            }
            return IssuerLimit.only(named);
        }

        /**
         * The {@code issuer} of every entry of {@code issuers} as written: compared with the file's
         * entries, not the valid ones, so a broken entry is reported once, by itself.
         */
        private Set<String> configuredIssuers() {
            Set<String> names = new LinkedHashSet<>();
            JsonNode list = root.get("issuers");
            if (list != null && list.isArray()) {
                for (JsonNode n : list) {
                    String name = n.isObject() ? scalar(n, ConfigKeys.ISSUER.name()) : null;
                    if (name != null) {
                        names.add(name);
                    }
                }
            }
            return names;
        }

        /** {@code admin.jwtIssuer} must name a configured issuer exactly: its keys and policy verify the tokens. */
        private Optional<String> adminJwtIssuer() {
            Optional<String> issuer = text(ConfigKeys.ADMIN_JWT_ISSUER);
            if (issuer.isEmpty()) {
                return issuer;
            }
            if (!configuredIssuers().contains(issuer.get())) {
                errors.add(ConfigKeys.ADMIN_JWT_ISSUER.name() + ": '" + issuer.get()
                        + "' is not the issuer of any entry of issuers (exact match)");
            }
            return issuer;
        }

        /** admin.tlsCertFile + admin.tlsKeyFile (both or neither), and optionally admin.tlsClientCaFile. */
        private Optional<SidecarConfig.AdminTls> adminTls() {
            Optional<String> cert = text(ConfigKeys.ADMIN_TLS_CERT);
            Optional<String> key = text(ConfigKeys.ADMIN_TLS_KEY);
            Optional<String> ca = text(ConfigKeys.ADMIN_TLS_CLIENT_CA);
            if (cert.isEmpty() && key.isEmpty()) {
                ca.ifPresent(c -> errors.add(ConfigKeys.ADMIN_TLS_CLIENT_CA.name() + ": '" + c
                        + "' needs admin.tlsCertFile and admin.tlsKeyFile (mutual TLS is TLS first)"));
                return Optional.empty();
            }
            if (cert.isEmpty() || key.isEmpty()) {
                ConfigKey<?> missing = cert.isEmpty() ? ConfigKeys.ADMIN_TLS_CERT : ConfigKeys.ADMIN_TLS_KEY;
                ConfigKey<?> given = cert.isEmpty() ? ConfigKeys.ADMIN_TLS_KEY : ConfigKeys.ADMIN_TLS_CERT;
                errors.add(missing.name() + ": required together with " + given.name());
                return Optional.empty();
            }
            Path certPath = readableFile(ConfigKeys.ADMIN_TLS_CERT, cert.get());
            Path keyPath = readableFile(ConfigKeys.ADMIN_TLS_KEY, key.get());
            Path caPath = ca.map(c -> readableFile(ConfigKeys.ADMIN_TLS_CLIENT_CA, c)).orElse(null);
            return Optional.of(new SidecarConfig.AdminTls(certPath, keyPath, caPath));
        }

        private Path readableFile(ConfigKey<?> key, String value) {
            Path p = resolve(value);
            ConfigFiles.problem(p).ifPresent(problem -> errors.add(key.name() + ": " + problem));
            return p;
        }

        private Map<String, String> passthrough(String path) {
            Map<String, String> result = new TreeMap<>();
            JsonNode n = at(path);
            if (n == null) {
                return result;
            }
            if (!n.isObject()) {
                errors.add(path + ": must be a mapping of Kafka client settings");
                return result;
            }
            flatten("", n, result);
            return result;
        }

        private void flatten(String prefix, JsonNode n, Map<String, String> into) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                if (e.getValue().isObject()) {
                    flatten(name, e.getValue(), into);
                } else {
                    into.put(name, e.getValue().asText());
                }
            }
        }

        private void checkUnknownKeys() {
            Set<String> known = new LinkedHashSet<>();
            ConfigKeys.ALL.forEach(k -> known.add(k.name()));
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> section = it.next();
                String s = section.getKey();
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
                            && !name.equals(CLAIM_HEADERS) && !name.equals(ADMIN_CREDENTIALS)
                            && !name.equals(PUBLISHER_KEYS) && !name.equals(AuthzConfigReader.TOKEN_LOCATIONS)) {
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

        private JsonNode at(String dotted) {
            return context.at(dotted);
        }

        private Path resolve(String path) {
            return context.resolve(path);
        }

        private String readFile(String key, String path) {
            return context.readFile(key, path);
        }

        private static String scalar(JsonNode n, String field) {
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
