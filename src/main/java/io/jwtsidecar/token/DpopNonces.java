package io.jwtsidecar.token;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Server-provided DPoP nonces (RFC 9449 §9, §4.3 step 10) without any state per client: a nonce is
 * the number of the current period of {@code lifetime} and an HMAC-SHA256 of it under a secret, so
 * any sidecar holding the same secret accepts it, and none has to remember which nonces it gave.
 * A nonce is good in its own period and the next, so between one and two lifetimes; a client
 * gets the current one in {@code DPoP-Nonce} on every answer to a DPoP request of an issuer that
 * requires nonces, and is refused with {@code use_dpop_nonce} (and given one) when its proof has
 * none or an expired one.
 *
 * <p>Why: a proof's {@code iat} is the client's clock. A nonce proves that the proof was made
 * after the server said the nonce, so a proof made in advance by someone who held the key
 * briefly (a pre-generated proof, §11.2) stops working within two lifetimes.
 *
 * <p>The two good nonces are computed once a period, so checking one costs two constant-time
 * comparisons, no HMAC. Thread-safe.
 */
public final class DpopNonces {
    /** A nonce is good for five to ten minutes unless configured otherwise. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);
    private static final int SECRET_BYTES = 32;
    private static final int MAC_BYTES = 16;

    private final byte[] secret;
    private final long periodMillis;
    private final Clock clock;
    private volatile Period period = new Period(Long.MIN_VALUE, "", "");

    /** The nonces good during one period: its own and the one before. */
    private record Period(long number, String current, String previous) {
    }

    /**
     * @param secret   at least 32 bytes; sidecars sharing it accept each other's nonces
     * @param lifetime how long a period lasts: a nonce is good for one to two of them
     * @param clock    the source of "now"
     */
    public DpopNonces(byte[] secret, Duration lifetime, Clock clock) {
        if (secret.length < SECRET_BYTES) {
            throw new IllegalArgumentException("a nonce secret needs at least " + SECRET_BYTES + " bytes, got "
                    + secret.length);
        }
        if (lifetime.toMillis() < 1000) {
            throw new IllegalArgumentException("a nonce lifetime must be at least 1s, got " + lifetime);
        }
        this.secret = secret.clone();
        this.periodMillis = lifetime.toMillis();
        this.clock = clock;
    }

    /** With a random secret of this process: only this sidecar accepts its nonces. */
    public static DpopNonces withRandomSecret(Duration lifetime, Clock clock) {
        byte[] secret = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(secret);
        return new DpopNonces(secret, lifetime, clock);
    }

    /** The nonce to give a client now. */
    public String current() {
        return now().current;
    }

    /** Whether {@code nonce} was given by a sidecar with this secret during this period or the one before. */
    public boolean isGood(String nonce) {
        Period p = now();
        byte[] given = nonce.getBytes(StandardCharsets.US_ASCII);
        // Both compared, in constant time, so the answer's timing says nothing about which one matched.
        boolean current = MessageDigest.isEqual(given, p.current.getBytes(StandardCharsets.US_ASCII));
        boolean previous = MessageDigest.isEqual(given, p.previous.getBytes(StandardCharsets.US_ASCII));
        return current | previous;
    }

    private Period now() {
        long number = Math.floorDiv(clock.millis(), periodMillis);
        Period p = period;
        if (p.number != number) {
            // Racing threads compute the same values; whichever write lands is right.
            p = new Period(number, nonceOf(number), nonceOf(number - 1));
            period = p;
        }
        return p;
    }

    private String nonceOf(long number) {
        byte[] counter = ByteBuffer.allocate(Long.BYTES).putLong(number).array();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] tag = Arrays.copyOf(mac.doFinal(counter), MAC_BYTES);
            byte[] nonce = ByteBuffer.allocate(Long.BYTES + MAC_BYTES).put(counter).put(tag).array();
            return Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has HmacSHA256", e);
        }
    }
}
