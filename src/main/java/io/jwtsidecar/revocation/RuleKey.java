package io.jwtsidecar.revocation;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The identity of a revocation rule: scope, issuer and value. Its byte form is the Kafka
 * record key (so compaction keeps the latest event per rule) and the RocksDB key.
 *
 * <p>Byte form: {@code scope US issuer US value} in UTF-8, where US is the ASCII unit
 * separator 0x1F, which the event validation forbids inside the fields.
 */
public record RuleKey(RevocationScope scope, String issuer, String value) {
    static final char SEPARATOR = '\u001f';

    public RuleKey {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(value, "value");
    }

    public byte[] toBytes() {
        return (scope.wireName() + SEPARATOR + issuer + SEPARATOR + value).getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException when the bytes are not a rule key */
    public static RuleKey fromBytes(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        int a = s.indexOf(SEPARATOR);
        int b = a < 0 ? -1 : s.indexOf(SEPARATOR, a + 1);
        if (a < 0 || b < 0) {
            throw new IllegalArgumentException("not a rule key: " + s);
        }
        RevocationScope scope = RevocationScope.fromWireName(s.substring(0, a))
                .orElseThrow(() -> new IllegalArgumentException("unknown scope in rule key: " + s));
        return new RuleKey(scope, s.substring(a + 1, b), s.substring(b + 1));
    }

    @Override
    public String toString() {
        return scope.wireName() + ":" + issuer + ":" + value;
    }
}
