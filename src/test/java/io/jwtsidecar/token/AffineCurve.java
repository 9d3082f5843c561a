package io.jwtsidecar.token;

import java.math.BigInteger;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Textbook affine arithmetic on y² = x³ + ax + b over a prime field, for building attack tokens:
 * addition and doubling never use {@code b}, so a point off the curve is multiplied as an
 * unchecking implementation would multiply it (the invalid-curve attack). Slow, and only for tests.
 */
final class AffineCurve {
    /** A point; null stands for the point at infinity. */
    record Point(BigInteger x, BigInteger y) {
    }

    private final BigInteger p;
    private final BigInteger a;
    private final BigInteger b;

    private AffineCurve(BigInteger p, BigInteger a, BigInteger b) {
        this.p = p;
        this.a = a;
        this.b = b;
    }

    static AffineCurve of(ECParameterSpec params) {
        return new AffineCurve(((ECFieldFp) params.getCurve().getField()).getP(), params.getCurve().getA(),
                params.getCurve().getB());
    }

    boolean contains(Point q) {
        BigInteger left = q.y().modPow(BigInteger.TWO, p);
        BigInteger right = q.x().pow(3).add(a.multiply(q.x())).add(b).mod(p);
        return left.equals(right);
    }

    @Nullable Point multiply(Point q, BigInteger k) {
        Point result = null;
        Point addend = q;
        for (int i = 0; i < k.bitLength(); i++) {
            if (k.testBit(i)) {
                result = add(result, addend);
            }
            addend = add(addend, addend);
        }
        return result;
    }

    private @Nullable Point add(@Nullable Point s, @Nullable Point t) {
        if (s == null) {
            return t;
        }
        if (t == null) {
            return s;
        }
        BigInteger lambda;
        if (s.x().equals(t.x())) {
            if (!s.y().equals(t.y()) || s.y().signum() == 0) {
                return null;
            }
            lambda = s.x().pow(2).multiply(BigInteger.valueOf(3)).add(a)
                    .multiply(s.y().shiftLeft(1).modInverse(p)).mod(p);
        } else {
            lambda = t.y().subtract(s.y()).multiply(t.x().subtract(s.x()).modInverse(p)).mod(p);
        }
        BigInteger x = lambda.pow(2).subtract(s.x()).subtract(t.x()).mod(p);
        BigInteger y = lambda.multiply(s.x().subtract(x)).subtract(s.y()).mod(p);
        return new Point(x, y);
    }

    /** A coordinate as the unsigned big-endian bytes of a fixed length (JWK x, y; ECDH's Z). */
    static byte[] fixed(BigInteger v, int length) {
        byte[] raw = v.toByteArray();
        if (raw.length == length) {
            return raw;
        }
        if (raw.length > length) {
            return Arrays.copyOfRange(raw, raw.length - length, raw.length);
        }
        byte[] out = new byte[length];
        System.arraycopy(raw, 0, out, length - raw.length, raw.length);
        return out;
    }
}
