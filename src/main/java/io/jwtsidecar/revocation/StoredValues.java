package io.jwtsidecar.revocation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The byte form of rules and restore marks in RocksDB.
 *
 * <p>Format 1: {@code 0x81, at (8), expiresAt (8), recordMillis (8), current (1), signer length
 * (2), signer (UTF-8), eventId (UTF-8, the rest)}, where {@code recordMillis}, {@code current}
 * and {@code signer} are the key's {@link Provenance}. Releases before it stored {@code at (8),
 * expiresAt (8), eventId} with no version byte; their {@code at} is a non-negative long, whose
 * first byte is 0x00 to 0x7F whatever its value, so a first byte of 0x81 tells the two forms
 * apart for any value either could hold. Rules and marks of scope {@code kid} read as permanent
 * whatever expiry an older release stored: a key rule holds until restored.
 */
final class StoredValues {
    private static final byte FORMAT_1 = (byte) 0x81;
    private static final int HEADER = 1 + 8 + 8 + 8 + 1 + 2;

    private StoredValues() {
    }

    static byte[] encode(long at, long expiresAt, String eventId, Provenance p) {
        byte[] signer = p.signer().getBytes(StandardCharsets.UTF_8);
        byte[] id = eventId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(HEADER + signer.length + id.length)
                .put(FORMAT_1).putLong(at).putLong(expiresAt).putLong(p.recordMillis()).put((byte) (p.current() ? 1 : 0))
                .putShort((short) signer.length).put(signer).put(id).array();
    }

    static byte[] encode(Rule r, Provenance p) {
        return encode(r.at(), r.expiresAt(), r.eventId(), p);
    }

    static byte[] encode(RestoreMark m, Provenance p) {
        return encode(m.at(), m.expiresAt(), m.eventId(), p);
    }

    /** The stored expiry, as the sweep reads it (permanent for scope kid). */
    static long expiresAt(RuleKey key, byte[] value) {
        if (key.scope() == RevocationScope.KID) {
            return Rule.PERMANENT;
        }
        return ByteBuffer.wrap(value, value[0] == FORMAT_1 ? 9 : 8, 8).getLong();
    }

    static Rule rule(RuleKey key, byte[] value) {
        Decoded d = decode(key, value);
        return new Rule(key, d.at, d.expiresAt, d.eventId);
    }

    static RestoreMark mark(RuleKey key, byte[] value) {
        Decoded d = decode(key, value);
        return new RestoreMark(key, d.at, d.expiresAt, d.eventId);
    }

    static Provenance provenance(byte[] value) {
        if (value[0] != FORMAT_1) {
            return Provenance.unknown();
        }
        ByteBuffer b = ByteBuffer.wrap(value, 17, value.length - 17);
        long recordMillis = b.getLong();
        boolean current = b.get() != 0;
        byte[] signer = new byte[b.getShort()];
        b.get(signer);
        return new Provenance(recordMillis, new String(signer, StandardCharsets.UTF_8), current);
    }

    private record Decoded(long at, long expiresAt, String eventId) {
    }

    private static Decoded decode(RuleKey key, byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        String eventId;
        long at;
        long expiresAt;
        if (value[0] == FORMAT_1) {
            b.get();
            at = b.getLong();
            expiresAt = b.getLong();
            b.getLong();
            b.get();
            int signerLength = b.getShort();
            int idStart = HEADER + signerLength;
            eventId = new String(value, idStart, value.length - idStart, StandardCharsets.UTF_8);
        } else {
            at = b.getLong();
            expiresAt = b.getLong();
            eventId = new String(value, 16, value.length - 16, StandardCharsets.UTF_8);
        }
        if (key.scope() == RevocationScope.KID) {
            expiresAt = Rule.PERMANENT;
        }
        return new Decoded(at, expiresAt, eventId);
    }
}
