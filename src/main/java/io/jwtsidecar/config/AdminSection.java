package io.jwtsidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.jwtsidecar.admin.AdminScope;
import io.jwtsidecar.admin.IssuerLimit;
import io.jwtsidecar.revocation.EventKeys;
import io.jwtsidecar.revocation.EventSigner;
import io.jwtsidecar.revocation.PublisherKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code admin.*}: who may call the admin API (the static token, named credentials, an issuer
 * whose tokens are credentials) and the key it signs events with ({@link ListenerTlsReader} reads
 * its TLS files). The loader asks it nothing else when {@code admin.enabled} is false.
 */
final class AdminSection {
    /** A list of {@code {name, token, scopes, issuers}}, so not one of the scalar {@link ConfigKeys}. */
    static final String CREDENTIALS = "admin.credentials";
    static final int MIN_TOKEN_LENGTH = 32;

    /**
     * What is wrong with a static admin token, after {@code "key: "}, or empty. A token with a blank
     * inside could never be presented: a bearer value has none (RFC 6750 §2.1).
     */
    static Optional<String> tokenProblem(String token) {
        if (token.length() < MIN_TOKEN_LENGTH) {
            return Optional.of("must be at least " + MIN_TOKEN_LENGTH + " characters, got " + token.length()
                    + " (value hidden)");
        }
        if (token.chars().anyMatch(Character::isWhitespace)) {
            return Optional.of("must not contain spaces or other blanks: a bearer value has none (value hidden)");
        }
        return Optional.empty();
    }

    private final ReadContext context;
    private final List<String> errors;

    AdminSection(ReadContext context) {
        this.context = context;
        this.errors = context.errors();
    }

    /** {@code admin.enabled}: true or false when given (anything else is an error, read as false), else empty. */
    Optional<Boolean> adminEnabledSetting() {
        return context.readOptional(ConfigKeys.ADMIN_ENABLED);
    }

    /** Whether any admin credential is configured at all (read or not): the admin API would run. */
    boolean adminCredentialGiven() {
        for (String key : List.of(ConfigKeys.ADMIN_TOKEN.name(), CREDENTIALS, ConfigKeys.ADMIN_JWT_ISSUER.name())) {
            JsonNode n = context.at(key);
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
    List<SidecarConfig.AdminCredential> adminCredentials(Optional<String> adminToken) {
        List<SidecarConfig.AdminCredential> result = new ArrayList<>();
        Map<String, String> tokenOwners = new HashMap<>();
        adminToken.ifPresent(t -> tokenOwners.put(t, ConfigKeys.ADMIN_TOKEN.name()));
        Set<String> names = new LinkedHashSet<>();
        for (ReadContext.ListEntry entry : context.listEntries(CREDENTIALS, ConfigKeys.CREDENTIAL_KEYS, "{name, token, scopes}",
                "name, token and scopes")) {
            String at = entry.at();
            JsonNode n = entry.node();
            int before = errors.size();
            errors.addAll(entry.unknownKeys());
            String name = context.unique(at, n, ConfigKeys.CREDENTIAL_NAME, names);
            String token = ReadContext.scalar(n, ConfigKeys.CREDENTIAL_TOKEN.name());
            if (token == null || token.isEmpty()) {
                errors.add(at + ".token: required");
            } else if (tokenProblem(token).isPresent()) {
                errors.add(at + ".token: " + tokenProblem(token).get());
            } else if (tokenOwners.containsKey(token)) {
                errors.add(at + ".token: the same as " + tokenOwners.get(token) + " (value hidden); every "
                        + "credential needs a token of its own");
            } else {
                tokenOwners.put(token, at + ".token");
            }
            Set<AdminScope> scopes = adminScopes(at, n.get(ConfigKeys.CREDENTIAL_SCOPES.name()));
            IssuerLimit issuers = credentialIssuers(at, n.get(ConfigKeys.CREDENTIAL_ISSUERS.name()));
            if (errors.size() == before && name != null && token != null) {
                result.add(new SidecarConfig.AdminCredential(name, token, scopes, issuers));
            }
        }
        return result;
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
            } else if (i.textValue().equals(context.text(ConfigKeys.ADMIN_JWT_ISSUER).orElse(null))) {
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
        JsonNode list = context.root().get("issuers");
        if (list != null && list.isArray()) {
            for (JsonNode n : list) {
                String name = n.isObject() ? ReadContext.scalar(n, ConfigKeys.ISSUER.name()) : null;
                if (name != null) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** {@code admin.jwtIssuer} must name a configured issuer exactly: its keys and policy verify the tokens. */
    Optional<String> adminJwtIssuer() {
        Optional<String> issuer = context.text(ConfigKeys.ADMIN_JWT_ISSUER);
        if (issuer.isEmpty()) {
            return issuer;
        }
        if (!configuredIssuers().contains(issuer.get())) {
            errors.add(ConfigKeys.ADMIN_JWT_ISSUER.name() + ": '" + issuer.get()
                    + "' is not the issuer of any entry of issuers (exact match)");
        }
        return issuer;
    }

    /**
     * {@code admin.signingKeyFile} and {@code admin.signingKeyId}: the admin API's signing key
     * (not read with {@code admin.enabled: false}).
     * Its public key must be a trusted, current publisher key (checked by signing and verifying a
     * probe), or every sidecar would dead-letter what this one publishes.
     */
    Optional<EventSigner> eventSigner(List<PublisherKey> keys, boolean requireSigned) {
        Optional<String> file = context.text(ConfigKeys.ADMIN_SIGNING_KEY_FILE);
        Optional<String> kid = context.text(ConfigKeys.ADMIN_SIGNING_KEY_ID);
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
                    + RevocationSection.PUBLISHER_KEYS);
            return Optional.empty();
        }
        if (trusted.get().trust() != PublisherKey.Trust.CURRENT) {
            errors.add(ConfigKeys.ADMIN_SIGNING_KEY_ID.name() + ": '" + kid.get() + "' is marked "
                    + trusted.get().trust().name().toLowerCase(Locale.ROOT) + " in " + RevocationSection.PUBLISHER_KEYS
                    + "; sign with a current key");
        }
        Path path = context.resolve(file.get());
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
}
