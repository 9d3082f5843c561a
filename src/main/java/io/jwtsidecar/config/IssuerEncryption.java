package io.jwtsidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.token.EncryptionPolicy;
import io.jwtsidecar.token.keys.ContentEncryption;
import io.jwtsidecar.token.keys.DecryptionKey;
import io.jwtsidecar.token.keys.DecryptionKeyLoader;
import io.jwtsidecar.token.keys.KeyManagementAlgorithm;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An issuer's encrypted tokens: {@code decryptionKeys}, {@code encryption} and
 * {@code contentEncryption} of one {@code issuers[]} entry, read into an {@link EncryptionPolicy}.
 * Key files are read and checked here, so a bad key is a configuration error naming the key, the
 * setting and what is wrong, never the key material.
 */
final class IssuerEncryption {
    private static final List<String> KEY_FIELDS = List.of("kid", "alg", "pemFile", "jwksFile");
    private static final String REQUIRED = "required";

    private final ReadContext context;
    private final List<String> errors;

    IssuerEncryption(ReadContext context) {
        this.context = context;
        this.errors = context.errors();
    }

    /** The entry's encryption policy; null after recording an error. */
    @Nullable EncryptionPolicy read(String at, ObjectNode n) {
        int before = errors.size();
        String mode = context.readIn(n, at, ConfigKeys.ENCRYPTION);
        List<DecryptionKey> keys = n.has(ConfigKeys.DECRYPTION_KEYS.name()) ? keys(at, n.get(ConfigKeys.DECRYPTION_KEYS.name()))
                : List.of();
        Set<ContentEncryption> enc = contentEncryption(at, n);
        if (REQUIRED.equals(mode) && !n.has(ConfigKeys.DECRYPTION_KEYS.name())) {
            errors.add(at + "." + ConfigKeys.ENCRYPTION.name() + ": 'required' needs decryptionKeys (else every token is refused)");
        }
        if (errors.size() > before) {
            return null;
        }
        return new EncryptionPolicy(REQUIRED.equals(mode) ? EncryptionPolicy.Mode.REQUIRED : EncryptionPolicy.Mode.ALLOWED,
                keys, enc);
    }

    private Set<ContentEncryption> contentEncryption(String at, ObjectNode n) {
        String key = ConfigKeys.CONTENT_ENCRYPTION.name();
        if (!n.has(key)) {
            return ContentEncryption.ALL;
        }
        Set<ContentEncryption> accepted = new LinkedHashSet<>();
        for (String name : context.stringList(n, at, key)) {
            ContentEncryption enc = ContentEncryption.fromJoseName(name).orElse(null);
            if (enc == null) {
                errors.add(at + "." + key + ": '" + name + "' is not a supported content encryption (A128GCM, A256GCM, "
                        + "A128CBC-HS256, A256CBC-HS512)");
            } else {
                accepted.add(enc);
            }
        }
        if (accepted.isEmpty()) {
            errors.add(at + "." + key + ": at least one content encryption is required");
        }
        return accepted;
    }

    private List<DecryptionKey> keys(String at, JsonNode list) {
        return context.keyEntries(at + "." + ConfigKeys.DECRYPTION_KEYS.name(), list,
                "must be a non-empty list of keys (pemFile or jwksFile each)", (entryAt, entry) -> key(entry));
    }

    private List<DecryptionKey> key(ObjectNode k) {
        ReadContext.onlyKnownFields(k, KEY_FIELDS);
        String kid = ReadContext.scalar(k, "kid");
        String algName = ReadContext.scalar(k, "alg");
        KeyManagementAlgorithm alg = null;
        if (algName != null) {
            alg = KeyManagementAlgorithm.fromJoseName(algName).orElseThrow(() -> new IllegalArgumentException(
                    "alg '" + algName + "' is not a key management algorithm taken here (RSA-OAEP-256, ECDH-ES, "
                            + "ECDH-ES+A256KW, dir; never RSA1_5 or PBES2)"));
        }
        boolean pem = k.has("pemFile");
        if (pem == k.has("jwksFile")) {
            throw new IllegalArgumentException("give exactly one of pemFile, jwksFile");
        }
        String source = pem ? "pemFile" : "jwksFile";
        String path = ReadContext.scalar(k, source);
        if (path == null) {
            throw new IllegalArgumentException(source + " must be a text value");
        }
        if (!pem) {
            if (kid != null) {
                throw new IllegalArgumentException("kid comes from the JWKS; do not set it beside jwksFile");
            }
            return DecryptionKeyLoader.jwks(context.readFile(source, path), alg);
        }
        if (alg == null) {
            throw new IllegalArgumentException("alg is required for pemFile");
        }
        return List.of(DecryptionKeyLoader.pem(kid, alg, context.readFile(source, path)));
    }
}
