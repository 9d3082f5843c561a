package io.jwtsidecar.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.token.CompactJws.MalformedTokenException;
import io.jwtsidecar.token.keys.ContentEncryption;
import io.jwtsidecar.token.keys.DecryptionKey;
import io.jwtsidecar.token.keys.JweDecrypter;
import io.jwtsidecar.token.keys.KeyManagementAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Opens an encrypted token, a nested JWT (RFC 7519 §5.2: a JWS inside a compact JWE, RFC 7516
 * §7.1), and hands back the inner JWS for the ordinary checks. Decryption never makes a token
 * good by itself: only the inner signature, verified as for any token, does.
 *
 * <p>Before anything is decrypted, cheapest first: five segments of canonical base64url (jjwt
 * would take others, a second spelling of the same token), a protected header of at most
 * {@value #MAX_HEADER_CHARS} characters parsed as strictly as a JWS header, no {@code zip}
 * (RFC 8725 §3.6: compression before encryption leaks the plaintext's length), no {@code crit},
 * an {@code alg} and {@code enc} from the closed sets ({@link KeyManagementAlgorithm},
 * {@link ContentEncryption}: no RSA1_5, no PBES2), {@code cty} {@code JWT}, and a key: the one
 * the {@code kid} names, bound to the header's {@code alg}; without a {@code kid}, the keys
 * bound to that {@code alg} (and the {@code epk}'s curve), tried in turn, at most
 * {@value #MAX_KEYS_WITHOUT_KID}. {@code dir} is refused unless a symmetric key is configured
 * for it.
 *
 * <p>Every decryption failure is one verdict with one detail ({@link Verdict#JWE_DECRYPTION_FAILED}),
 * so that a wrong key, a bad tag or a bad padding cannot be told apart from outside. After
 * decryption: the content must be a compact JWS of at most the token size limit, its {@code iss}
 * must be the issuer whose key opened it, and {@code iss}, {@code sub} and {@code aud}
 * replicated in the JWE header (RFC 7519 §5.3) must equal the inner claims.
 *
 * <p>Thread-safe: immutable apart from the decryption counter.
 */
final class NestedJwe {
    /** Room for a P-521 epk, a kid of 256 characters and the usual members, several times over. */
    static final int MAX_HEADER_CHARS = 4096;
    /** Keys tried for a JWE without kid: each try is a private-key operation. */
    static final int MAX_KEYS_WITHOUT_KID = 3;
    private static final String DECRYPTION_FAILED = "the token could not be decrypted";
    private static final List<String> REPLICATED_CLAIMS = List.of("iss", "sub", "aud");

    /** A decryption key with the issuer it belongs to and its ready decrypter. */
    private record Opener(IssuerPolicy policy, JweDecrypter decrypter) {
        DecryptionKey key() {
            return decrypter.key();
        }
    }

    /** The result of {@link #open}: the inner token and who opened it, or why not. */
    sealed interface Result permits Opened, Refused {
    }

    /**
     * @param inner  the inner JWS, parsed strictly, not yet checked
     * @param policy the issuer whose decryption key opened the JWE; the inner {@code iss} names it
     */
    record Opened(CompactJws inner, IssuerPolicy policy) implements Result {
    }

    record Refused(Verdict verdict, String detail) implements Result {
    }

    private final Map<String, Opener> byKid;
    private final List<Opener> all;
    private final int maxInnerBytes;
    private final LongAdder decryptions = new LongAdder();

    private NestedJwe(List<Opener> all, Map<String, Opener> byKid, int maxInnerBytes) {
        this.all = List.copyOf(all);
        this.byKid = Map.copyOf(byKid);
        this.maxInnerBytes = maxInnerBytes;
    }

    /**
     * The opener of the issuers' encrypted tokens, or empty when no issuer has a decryption key
     * (then a JWE stays what it always was: a malformed JWS).
     *
     * @param maxInnerBytes the longest inner token accepted
     * @throws IllegalArgumentException when two keys share a kid: a kid must name one key
     */
    static Optional<NestedJwe> of(Collection<IssuerPolicy> policies, int maxInnerBytes) {
        List<Opener> all = new ArrayList<>();
        Map<String, Opener> byKid = new HashMap<>();
        for (IssuerPolicy p : policies) {
            for (DecryptionKey key : p.encryption().keys()) {
                Opener opener = new Opener(p, new JweDecrypter(key, p.encryption().contentEncryption()));
                all.add(opener);
                if (key.kid() != null && byKid.putIfAbsent(key.kid(), opener) != null) {
                    throw new IllegalArgumentException("decryption key id '" + key.kid() + "' is configured twice");
                }
            }
        }
        return all.isEmpty() ? Optional.empty() : Optional.of(new NestedJwe(all, byKid, maxInnerBytes));
    }

    /** Whether the token has the five segments of a compact JWE (asked only of tokens that are not a JWS). */
    static boolean isCompactJwe(String token) {
        int dots = 0;
        for (int i = token.indexOf('.'); i >= 0; i = token.indexOf('.', i + 1)) {
            if (++dots > 4) {
                return false;
            }
        }
        return dots == 4;
    }

    /** Decryptions tried so far (one per key tried). */
    long decryptions() {
        return decryptions.sum();
    }

    /** @param token a compact JWE ({@link #isCompactJwe}), already within the size limit */
    Result open(String token) {
        int[] dots = new int[4];
        int found = 0;
        for (int i = token.indexOf('.'); i >= 0 && found < 4; i = token.indexOf('.', i + 1)) {
            dots[found++] = i;
        }
        if (found != 4 || token.indexOf('.', dots[3] + 1) >= 0) {
            return refused(Verdict.JWE_MALFORMED, "a JWE has five segments");
        }
        if (dots[0] == 0 || dots[2] == dots[1] + 1 || dots[3] == dots[2] + 1 || dots[3] == token.length() - 1) {
            return refused(Verdict.JWE_MALFORMED, "empty header, IV, ciphertext or tag");
        }
        if (dots[0] > MAX_HEADER_CHARS) {
            return refused(Verdict.JWE_MALFORMED, "JWE header is longer than " + MAX_HEADER_CHARS + " characters");
        }
        // jjwt's decoder takes non-canonical base64url (unused bits set), which would make a second
        // string of the same token valid; every segment is held to the canonical form first.
        for (int i = 0; i < 4; i++) {
            if (Base64Url.decode(token, dots[i] + 1, i == 3 ? token.length() : dots[i + 1]) == null) {
                return refused(Verdict.JWE_MALFORMED, "a JWE segment is not canonical base64url");
            }
        }
        ObjectNode header;
        try {
            header = CompactJws.object(token, 0, dots[0], "JWE header");
        } catch (MalformedTokenException e) {
            return refused(Verdict.JWE_MALFORMED, e.reason());
        }
        if (header.has("zip")) {
            return refused(Verdict.JWE_COMPRESSION_REFUSED, "compressed tokens (zip) are refused");
        }
        if (header.has("crit")) {
            return refused(Verdict.JWE_MALFORMED, "crit header names extensions this verifier does not support");
        }
        String algName = IssuerSignedJwt.textOrNull(header, "alg");
        String encName = IssuerSignedJwt.textOrNull(header, "enc");
        if (algName == null || encName == null) {
            return refused(Verdict.JWE_MALFORMED, "JWE header has no alg or enc string");
        }
        KeyManagementAlgorithm alg = KeyManagementAlgorithm.fromJoseName(algName).orElse(null);
        ContentEncryption enc = ContentEncryption.fromJoseName(encName).orElse(null);
        if (alg == null || enc == null) {
            return refused(Verdict.JWE_ALGORITHM_NOT_ALLOWED, (alg == null ? "alg '" + abbreviate(algName)
                    : "enc '" + abbreviate(encName)) + "' is never accepted");
        }
        // RFC 7518 §4.5, §4.6: dir and ECDH-ES (direct key agreement) have an empty encrypted key.
        // No tag covers that segment and jjwt ignores it for these algorithms, so any bytes there
        // would open: a second spelling of the same token, a miss in the cache for each.
        boolean emptyKey = dots[1] == dots[0] + 1;
        if (emptyKey != alg.directKey()) {
            return refused(Verdict.JWE_MALFORMED, alg.directKey() ? "alg " + alg + " takes an empty encrypted key"
                    : "alg " + alg + " needs an encrypted key");
        }
        String cty = IssuerSignedJwt.textOrNull(header, "cty");
        // RFC 7515 §4.1.10: media types compare ignoring case, and "application/" may be left out.
        if (!IssuerSignedJwt.typeMatches(cty, "JWT")) {
            return refused(Verdict.JWE_NOT_NESTED, "cty must be JWT: only a signed JWT inside is accepted");
        }
        JsonNode kid = header.get("kid");
        if (kid != null && !kid.isTextual()) {
            return refused(Verdict.JWE_MALFORMED, "kid is not a string");
        }
        Candidates candidates = candidates(kid == null ? null : kid.textValue(), alg, enc, header);
        if (candidates.refused() != null) {
            return candidates.refused();
        }
        Result mismatch = null;
        for (Opener opener : candidates.openers()) {
            decryptions.increment();
            byte[] content = opener.decrypter().decrypt(token);
            if (content != null) {
                Result result = inner(content, opener.policy(), header);
                // Without a kid, two issuers may hold the same key: the inner iss's own copy is
                // still to be tried before the mismatch is the answer.
                if (!(result instanceof Refused r && r.verdict() == Verdict.JWE_ISSUER_MISMATCH)) {
                    return result;
                }
                mismatch = result;
            }
        }
        return mismatch != null ? mismatch : refused(Verdict.JWE_DECRYPTION_FAILED, DECRYPTION_FAILED);
    }

    /** The keys to try, in order, or why there are none. */
    private record Candidates(List<Opener> openers, @Nullable Refused refused) {
        static Candidates none(Verdict verdict, String detail) {
            return new Candidates(List.of(), new Refused(verdict, detail));
        }
    }

    private Candidates candidates(@Nullable String kid, KeyManagementAlgorithm alg, ContentEncryption enc, ObjectNode header) {
        List<Opener> fit = new ArrayList<>();
        if (kid != null) {
            Opener named = kid.length() > DecryptionKey.MAX_KID_LENGTH ? null : byKid.get(kid);
            if (named == null) {
                return Candidates.none(Verdict.JWE_UNKNOWN_KEY, "no decryption key with this kid");
            }
            if (named.key().alg() != alg) {
                return Candidates.none(Verdict.JWE_ALGORITHM_NOT_ALLOWED, "key is bound to " + named.key().alg() + ", header says " + alg);
            }
            fit.add(named);
        } else {
            JsonNode epk = header.get("epk");
            String crv = epk != null && epk.isObject() ? IssuerSignedJwt.textOrNull((ObjectNode) epk, "crv") : null;
            boolean anyForAlg = false;
            for (Opener o : all) {
                if (o.key().alg() == alg) {
                    anyForAlg = true;
                    // An epk on another curve cannot be this key's; trying costs a key agreement.
                    if (!alg.ecdh() || crv == null || crv.equals(o.key().curve())) {
                        fit.add(o);
                    }
                }
            }
            if (!anyForAlg) {
                return Candidates.none(Verdict.JWE_ALGORITHM_NOT_ALLOWED, "no decryption key is bound to " + alg);
            }
            if (fit.isEmpty()) {
                return Candidates.none(Verdict.JWE_UNKNOWN_KEY, "no " + alg + " decryption key on the epk's curve");
            }
            if (fit.size() > MAX_KEYS_WITHOUT_KID) {
                return Candidates.none(Verdict.JWE_UNKNOWN_KEY, "no kid, and " + fit.size() + " decryption keys fit; the token must name one");
            }
        }
        fit.removeIf(o -> !o.policy().encryption().contentEncryption().contains(enc) || !o.key().fits(enc));
        if (fit.isEmpty()) {
            return Candidates.none(Verdict.JWE_ALGORITHM_NOT_ALLOWED, "enc " + enc + " is not accepted with this key");
        }
        return new Candidates(fit, null);
    }

    /** The decrypted content as the inner JWS of {@code policy}, or why not. */
    private Result inner(byte[] content, IssuerPolicy policy, ObjectNode header) {
        if (content.length > maxInnerBytes) {
            // Cannot happen while the outer token is within the same limit and nothing is
            // decompressed; kept so that no later change makes the inner token unbounded.
            return refused(Verdict.TOO_LARGE, "the decrypted token is longer than " + maxInnerBytes + " bytes");
        }
        if (!CompactJws.plainAscii(content)) {
            return refused(Verdict.JWE_NOT_NESTED, "the content is not a compact JWS");
        }
        String inner = new String(content, StandardCharsets.US_ASCII);
        CompactJws jws;
        try {
            jws = CompactJws.parse(inner);
        } catch (MalformedTokenException e) {
            // A bare claims set, a JWE in a JWE, an unsigned JWS with an empty signature.
            return refused(Verdict.JWE_NOT_NESTED, "the content is not a compact JWS: " + e.reason());
        }
        JsonNode iss = jws.claims().get("iss");
        if (iss != null && iss.isTextual() && !iss.textValue().equals(policy.issuer())) {
            return refused(Verdict.JWE_ISSUER_MISMATCH, "the inner token's iss is not the issuer whose key opened it");
        }
        for (String claim : REPLICATED_CLAIMS) {
            JsonNode replicated = header.get(claim);
            if (replicated != null && !sameValue(claim, replicated, jws.claims().get(claim))) {
                return refused(Verdict.JWE_HEADER_CLAIM_MISMATCH, claim + " in the JWE header differs from the inner token's");
            }
        }
        return new Opened(jws, policy);
    }

    /**
     * Whether a replicated header value is the claim's: equal JSON, except that an {@code aud}
     * string is the one-member array of it (RFC 7519 §4.1.3 allows either form).
     */
    private static boolean sameValue(String claim, JsonNode replicated, @Nullable JsonNode inner) {
        if (replicated.equals(inner)) {
            return true;
        }
        if (!claim.equals("aud") || inner == null) {
            return false;
        }
        JsonNode one = replicated.isArray() && replicated.size() == 1 ? replicated.get(0) : replicated;
        JsonNode other = inner.isArray() && inner.size() == 1 ? inner.get(0) : inner;
        return one.isTextual() && one.equals(other);
    }

    private static Refused refused(Verdict verdict, String detail) {
        return new Refused(verdict, detail);
    }

    private static String abbreviate(String s) {
        return s.length() <= 16 ? s : s.substring(0, 16) + "…";
    }
}
