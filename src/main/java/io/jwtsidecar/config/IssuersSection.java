package io.jwtsidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.token.keys.FetchableUrl;
import io.jwtsidecar.token.keys.IssuerKeys;
import io.jwtsidecar.token.DpopPolicy;
import io.jwtsidecar.token.EncryptionPolicy;
import io.jwtsidecar.token.keys.DecryptionKey;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeyLoader;
import io.jwtsidecar.token.keys.VerificationKey;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code issuers}: the trusted issuers as {@link IssuerSettings}. Static keys are loaded and
 * checked here (a bad key file is a configuration error); remote keys are only where and how
 * often to fetch, for the composition root to build a source from.
 */
final class IssuersSection {
    /** {@code profile: rfc9068}: RFC 9068 JWT access tokens. */
    private static final String RFC_9068 = "rfc9068";
    /** RFC 9068 §2.1; the verifier also takes {@code application/at+jwt} (RFC 7515 §4.1.9). */
    private static final String RFC_9068_TYPE = "at+jwt";
    /** RFC 9068 §2.2: the claims a JWT access token must carry. */
    private static final List<String> RFC_9068_CLAIMS = List.of("iss", "exp", "aud", "sub", "client_id", "iat", "jti");
    private static final Set<String> KEY_FIELDS = Set.of("kid", "alg", "secret", "secretBase64", "pemFile", "jwksFile");

    private final ReadContext context;
    private final List<String> errors;

    IssuersSection(ReadContext context) {
        this.context = context;
        this.errors = context.errors();
    }

    /** Every entry of {@code issuers}, each checked; an entry with any error is left out. */
    List<IssuerSettings> read() {
        JsonNode list = context.root().get("issuers");
        List<IssuerSettings> result = new ArrayList<>();
        if (list == null || !list.isArray() || list.isEmpty()) {
            errors.add("issuers: at least one trusted issuer is required");
            return result;
        }
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "issuers[" + i + "]";
            JsonNode n = list.get(i);
            if (!n.isObject()) {
                errors.add(at + ": must be a mapping");
                continue;
            }
            IssuerSettings p = issuer(at, (ObjectNode) n);
            if (p != null && !seen.add(p.issuer())) {
                errors.add(at + ".issuer: '" + p.issuer() + "' is configured twice");
            }
            if (p != null) {
                result.add(p);
            }
        }
        Set<String> kids = new LinkedHashSet<>();
        for (IssuerSettings p : result) {
            for (DecryptionKey key : p.encryption().keys()) {
                if (key.kid() != null && !kids.add(key.kid())) {
                    // A JWE's kid must name one key, whichever issuer it belongs to.
                    errors.add("issuers: decryption key id '" + key.kid() + "' is configured twice");
                }
            }
        }
        return result;
    }

    private @Nullable IssuerSettings issuer(String at, ObjectNode n) {
        int before = errors.size();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (ConfigKeys.ISSUER_KEYS.stream().noneMatch(k -> k.name().equals(f))) {
                errors.add(at + "." + f + ": unknown key");
            }
        }
        String issuer = ReadContext.scalar(n, "issuer");
        if (issuer == null || issuer.isBlank()) {
            errors.add(at + ".issuer: required");
        }
        List<String> audiences = context.stringList(n, at, "audiences");
        if (audiences.isEmpty()) {
            errors.add(at + ".audiences: at least one audience is required");
        }
        List<String> required = context.stringList(n, at, "requiredClaims");
        String type = ReadContext.scalar(n, "type");
        String profile = ReadContext.scalar(n, ConfigKeys.PROFILE.name());
        if (profile != null) {
            if (!profile.equals(RFC_9068)) {
                errors.add(at + ".profile: '" + profile + "' is not a profile (expected " + RFC_9068 + ")");
            } else if (type != null && !RFC_9068_TYPE.equalsIgnoreCase(type) && !("application/" + RFC_9068_TYPE).equalsIgnoreCase(type)) {
                errors.add(at + ".type: '" + type + "' contradicts profile " + RFC_9068 + " (typ " + RFC_9068_TYPE + ")");
            } else {
                type = RFC_9068_TYPE;
                required = withProfileClaims(required);
            }
        }
        List<String> logoutClientIds = logoutClientIds(at, n);
        Duration skew = context.readIn(n, at, ConfigKeys.CLOCK_SKEW);
        Duration lifetime = context.readIn(n, at, ConfigKeys.MAX_TOKEN_LIFETIME);
        Duration maxAge = n.has(ConfigKeys.MAX_TOKEN_AGE.name()) ? context.readIn(n, at, ConfigKeys.MAX_TOKEN_AGE) : null;
        boolean remote = n.has(ConfigKeys.JWKS_URI.name()) || "true".equals(ReadContext.scalar(n, ConfigKeys.DISCOVERY.name()));
        Set<JwsAlgorithm> algorithms = new LinkedHashSet<>();
        if (n.has("algorithms")) {
            for (String a : context.stringList(n, at, "algorithms")) {
                JwsAlgorithm alg = JwsAlgorithm.fromJoseName(a).orElse(null);
                if (alg == null) {
                    errors.add(at + ".algorithms: '" + a + "' is not a supported algorithm");
                } else {
                    algorithms.add(alg);
                }
            }
        } else if (remote) {
            errors.add(at + ".algorithms: required with jwksUri or discovery (the keys are not known at start-up)");
        }
        KeySourceSettings keySource = remote ? remoteKeys(at, n, issuer) : staticKeys(at, n, algorithms);
        DpopPolicy dpop = dpop(at, n);
        EncryptionPolicy encryption = new IssuerEncryption(context).read(at, n);
        if (errors.size() > before || keySource == null || issuer == null || dpop == null || encryption == null) {
            return null;
        }
        return new IssuerSettings(issuer, keySource, algorithms, Set.copyOf(audiences), required, type,
                skew, lifetime, maxAge, logoutClientIds, dpop, encryption);
    }

    /** {@code dpop}, {@code dpopProofWindow}, {@code dpopAlgorithms}, {@code dpopNonce}; null after recording an error. */
    private @Nullable DpopPolicy dpop(String at, ObjectNode n) {
        String mode = context.readIn(n, at, ConfigKeys.DPOP);
        Duration window = context.readIn(n, at, ConfigKeys.DPOP_PROOF_WINDOW);
        Boolean nonce = context.readIn(n, at, ConfigKeys.DPOP_NONCE);
        Set<JwsAlgorithm> algorithms = new LinkedHashSet<>();
        boolean ok = true;
        if (n.has(ConfigKeys.DPOP_ALGORITHMS.name())) {
            for (String a : context.stringList(n, at, ConfigKeys.DPOP_ALGORITHMS.name())) {
                JwsAlgorithm alg = JwsAlgorithm.fromJoseName(a).orElse(null);
                if (alg == null || alg.family() == JwsAlgorithm.Family.HMAC) {
                    errors.add(at + "." + ConfigKeys.DPOP_ALGORITHMS.name() + ": '" + a
                            + "' is not a supported asymmetric algorithm");
                    ok = false;
                } else {
                    algorithms.add(alg);
                }
            }
        }
        if (!ok || mode == null || window == null || nonce == null) {
            return null;
        }
        return new DpopPolicy("required".equals(mode) ? DpopPolicy.Mode.REQUIRED : DpopPolicy.Mode.ALLOWED,
                window, algorithms, nonce);
    }

    /**
     * The configured required claims and RFC 9068 §2.2's, in that order, once each. Their types
     * (strings, NumericDates, a string or list of strings for aud) are the verifier's own checks.
     */
    private static List<String> withProfileClaims(List<String> configured) {
        Set<String> all = new LinkedHashSet<>(configured);
        all.addAll(RFC_9068_CLAIMS);
        return List.copyOf(all);
    }

    /** {@code logoutClientId}: one client id, or a list of them (several clients of one realm). */
    private List<String> logoutClientIds(String at, ObjectNode n) {
        String key = ConfigKeys.LOGOUT_CLIENT_ID.name();
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return List.of();
        }
        List<String> ids = v.isArray() ? context.stringList(n, at, key) : v.isTextual() ? List.of(v.textValue()) : List.of();
        if (ids.isEmpty() || ids.stream().anyMatch(String::isBlank)) {
            errors.add(at + "." + key + ": must be a client id or a non-empty list of them");
        }
        return ids;
    }

    /** Keys from the configuration; the issuer's algorithms default to theirs. */
    private @Nullable KeySourceSettings staticKeys(String at, ObjectNode n, Set<JwsAlgorithm> algorithms) {
        List<VerificationKey> keys = keys(at, n.get("keys"));
        if (algorithms.isEmpty()) {
            keys.forEach(k -> algorithms.add(k.algorithm()));
        }
        try {
            new IssuerKeys(keys); // the same checks the verifier's key set makes: refused now, not at start
            return new KeySourceSettings.StaticKeys(keys);
        } catch (IllegalArgumentException e) {
            errors.add(at + ".keys: " + e.getMessage());
            return null;
        }
    }

    /** A JWKS URL or discovery; the sidecar fetches it in the background once started. */
    private @Nullable KeySourceSettings remoteKeys(String at, ObjectNode n, @Nullable String issuer) {
        if (n.has("keys")) {
            errors.add(at + ".keys: give either keys or jwksUri/discovery, not both");
        }
        boolean discovery = "true".equals(ReadContext.scalar(n, ConfigKeys.DISCOVERY.name()));
        String uri = ReadContext.scalar(n, ConfigKeys.JWKS_URI.name());
        if (discovery && uri != null) {
            errors.add(at + ".jwksUri: give either jwksUri or discovery: true, not both");
            return null;
        }
        Duration refresh = context.readIn(n, at, ConfigKeys.JWKS_REFRESH);
        Duration minRefresh = context.readIn(n, at, ConfigKeys.JWKS_MIN_REFRESH);
        Duration fetchTimeout = context.readIn(n, at, ConfigKeys.JWKS_FETCH_TIMEOUT);
        if (issuer == null) {
            return null;
        }
        try {
            Optional<URI> jwksUri = Optional.ofNullable(uri).map(URI::create);
            FetchableUrl.check(jwksUri.orElseGet(() -> FetchableUrl.discoveryUri(issuer)));
            return new KeySourceSettings.RemoteJwks(jwksUri, refresh, minRefresh, fetchTimeout);
        } catch (IllegalArgumentException e) {
            errors.add(at + (discovery ? ".issuer: discovery URL " : ".jwksUri: ") + e.getMessage());
            return null;
        }
    }

    private List<VerificationKey> keys(String at, JsonNode list) {
        return context.keyEntries(at + ".keys", list, "at least one key is required", this::key);
    }

    private List<VerificationKey> key(String at, ObjectNode k) {
        ReadContext.onlyKnownFields(k, KEY_FIELDS);
        String kid = ReadContext.scalar(k, "kid");
        String algName = ReadContext.scalar(k, "alg");
        JwsAlgorithm alg = null;
        if (algName != null) {
            alg = JwsAlgorithm.fromJoseName(algName).orElseThrow(() -> new IllegalArgumentException(
                    "alg '" + algName + "' is not a supported algorithm"));
        }
        List<String> sources = new ArrayList<>();
        for (String s : List.of("secret", "secretBase64", "pemFile", "jwksFile")) {
            if (k.has(s)) {
                sources.add(s);
            }
        }
        if (sources.size() != 1) {
            throw new IllegalArgumentException("give exactly one of secret, secretBase64, pemFile, jwksFile (got "
                    + sources + ")");
        }
        String source = sources.get(0);
        String value = ReadContext.scalar(k, source);
        if (value == null) {
            throw new IllegalArgumentException(source + " must be a text value");
        }
        if (source.equals("jwksFile")) {
            List<VerificationKey> loaded = StaticKeyLoader.jwks(context.readFile(source, value), alg);
            if (kid != null) {
                throw new IllegalArgumentException("kid comes from the JWKS; do not set it beside jwksFile");
            }
            return loaded;
        }
        if (alg == null) {
            throw new IllegalArgumentException("alg is required for " + source);
        }
        return switch (source) {
            case "secret" -> List.of(StaticKeyLoader.hmac(kid, alg, value.getBytes(StandardCharsets.UTF_8)));
            case "secretBase64" -> List.of(StaticKeyLoader.hmac(kid, alg, base64Secret(value)));
            default -> List.of(StaticKeyLoader.pem(kid, alg, context.readFile(source, value)));
        };
    }

    private static byte[] base64Secret(String value) {
        try {
            return Base64.getDecoder().decode(value.replace('-', '+').replace('_', '/'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secretBase64 is not base64 (value hidden)");
        }
    }

}
