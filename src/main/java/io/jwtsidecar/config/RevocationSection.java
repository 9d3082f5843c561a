package io.jwtsidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.jwtsidecar.revocation.PublisherKey;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeyLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** {@code revocation.*}'s event trust: the publisher keys, and whether events must be signed by one. */
final class RevocationSection {
    /** A list of {@code {kid, alg, pemFile | pem, trust}}, so not one of the scalar {@link ConfigKeys}. */
    static final String PUBLISHER_KEYS = "revocation.publisherKeys";

    private final ReadContext context;
    private final List<String> errors;

    RevocationSection(ReadContext context) {
        this.context = context;
        this.errors = context.errors();
    }

    /** {@code revocation.publisherKeys}: a list of {@code {kid, alg, pemFile | pem, retired}}. */
    List<PublisherKey> publisherKeys() {
        List<PublisherKey> result = new ArrayList<>();
        Set<String> kids = new LinkedHashSet<>();
        for (ReadContext.ListEntry entry : context.listEntries(PUBLISHER_KEYS, ConfigKeys.PUBLISHER_KEY_KEYS, "{kid, alg, pemFile or pem}",
                "kid, alg and pemFile or pem")) {
            String at = entry.at();
            JsonNode n = entry.node();
            int before = errors.size();
            errors.addAll(entry.unknownKeys());
            String kid = context.unique(at, n, ConfigKeys.PUBLISHER_KID, kids);
            String algName = ReadContext.scalar(n, ConfigKeys.PUBLISHER_ALG.name());
            JwsAlgorithm alg = algName == null ? null : JwsAlgorithm.fromJoseName(algName).orElse(null);
            if (alg != JwsAlgorithm.EdDSA && alg != JwsAlgorithm.ES256) {
                errors.add(at + ".alg: must be EdDSA or ES256, got '" + algName + "'");
            }
            String pemFile = ReadContext.scalar(n, ConfigKeys.PUBLISHER_PEM_FILE.name());
            String pem = ReadContext.scalar(n, ConfigKeys.PUBLISHER_PEM.name());
            if ((pemFile == null) == (pem == null)) {
                errors.add(at + ": give exactly one of pemFile and pem");
            }
            String trustText = Optional.ofNullable(ReadContext.scalar(n, ConfigKeys.PUBLISHER_TRUST.name()))
                    .orElse(ConfigKeys.PUBLISHER_TRUST.defaultValue());
            PublisherKey.Trust trust = Arrays.stream(PublisherKey.Trust.values())
                    .filter(t -> t.name().toLowerCase(Locale.ROOT).equals(trustText)).findFirst().orElse(null);
            if (trust == null) {
                errors.add(at + ".trust: must be current, retired or compromised, got '" + trustText + "'");
            }
            if (errors.size() != before || kid == null || alg == null || trust == null) {
                continue; // the errors above say why
            }
            try {
                String text = pem != null ? pem : context.readFile(ConfigKeys.PUBLISHER_PEM_FILE.name(),
                        Objects.requireNonNull(pemFile, "exactly one of pem and pemFile"));
                result.add(new PublisherKey(kid, StaticKeyLoader.pem(kid, alg, text), trust));
            } catch (IllegalArgumentException e) {
                errors.add(at + (pem != null ? ".pem: " : ".pemFile: ") + e.getMessage());
            }
        }
        return result;
    }

    /** On whenever publisher keys are given, unless turned off explicitly; never on without a key. */
    boolean requireSignedEvents(List<PublisherKey> keys) {
        JsonNode given = context.at(ConfigKeys.REQUIRE_SIGNED_EVENTS.name());
        boolean listed = context.at(PUBLISHER_KEYS) != null && !context.at(PUBLISHER_KEYS).isNull();
        if (given == null || given.isNull()) {
            return listed;
        }
        boolean required = context.read(ConfigKeys.REQUIRE_SIGNED_EVENTS);
        if (required && !listed) {
            errors.add(ConfigKeys.REQUIRE_SIGNED_EVENTS.name() + ": 'true' needs at least one key in "
                    + PUBLISHER_KEYS + " to verify signatures with");
        }
        return required;
    }
}
