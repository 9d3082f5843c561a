package io.jwtsidecar.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.token.CompactJws.MalformedTokenException;
import io.jwtsidecar.token.keys.IssuerKeys;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.VerificationKey;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The steps every JWT this sidecar trusts goes through before its claims mean anything, whether
 * it is an access token ({@link TokenVerifier}) or a signal from an identity provider (a
 * back-channel logout token, a security event token): strict parsing, an algorithm that is
 * never {@code none}, header members refused rather than ignored, the issuer it names looked up
 * among the configured ones before any key is touched, a key selected by {@code kid} and bound to
 * the header's algorithm, the explicit type, and only then the signature.
 *
 * <p>One implementation for every kind of JWT, so that a rule added for access tokens (a header
 * member refused, a key check) is never missing from the signal receivers. Stateless and
 * thread-safe apart from the issuers' key sources.
 */
public final class IssuerSignedJwt {
    private static final int MAX_KID_LENGTH = 256;

    private final Map<String, IssuerPolicy> policies;

    /** @param policies the configured issuers, by their exact {@code iss} */
    IssuerSignedJwt(Map<String, IssuerPolicy> policies) {
        this.policies = policies;
    }

    /**
     * What the {@code typ} header must be, given the issuer: a problem sentence, or null when the
     * header is acceptable. {@code typ} is null when the header has none.
     */
    @FunctionalInterface
    public interface TypeRule {
        @Nullable String problem(@Nullable String typ, IssuerPolicy policy);

        /** The issuer's configured {@code type}, when it has one (access tokens). */
        static TypeRule issuerConfigured() {
            return (typ, policy) -> policy.expectedType() == null || typeMatches(typ, policy.expectedType())
                    ? null : "typ must be " + policy.expectedType();
        }

        /** {@code expected} when a typ is given; a token without one passes (e.g. logout tokens). */
        static TypeRule whenPresent(String expected) {
            return (typ, policy) -> typ == null || typeMatches(typ, expected) ? null : "typ must be " + expected;
        }

        /** Exactly {@code expected}, which must be there (e.g. security event tokens). */
        static TypeRule required(String expected) {
            return (typ, policy) -> typeMatches(typ, expected) ? null : "typ must be " + expected;
        }
    }

    /** The result of {@link #check}: a token whose signature holds, or why not. */
    public sealed interface Result permits Signed, Refused {
    }

    /**
     * A token signed by a configured issuer's key; its claims are not checked beyond {@code iss}.
     *
     * @param policy the issuer it names
     * @param keys   that issuer's key set the key came from
     * @param key    the key that verified the signature
     * @param header the JOSE header, parsed strictly
     * @param claims the claims set, parsed strictly (no duplicate members)
     */
    public record Signed(IssuerPolicy policy, IssuerKeys keys, VerificationKey key, ObjectNode header, ObjectNode claims)
            implements Result {
    }

    /** A token refused before or at its signature, with the verdict an access token would get. */
    public record Refused(Verdict verdict, String detail) implements Result {
    }

    /**
     * Parses {@code token} strictly and checks it up to and including its signature.
     *
     * @param maxBytes tokens longer than this are refused before parsing
     * @param type     what the {@code typ} header must be
     */
    public Result check(String token, int maxBytes, TypeRule type) {
        if (token.isEmpty()) {
            return new Refused(Verdict.MISSING_TOKEN, "no token");
        }
        if (token.length() > maxBytes) {
            return new Refused(Verdict.TOO_LARGE, "token is longer than " + maxBytes + " bytes");
        }
        try {
            return check(CompactJws.parse(token), type, policies::get);
        } catch (MalformedTokenException e) {
            return new Refused(Verdict.MALFORMED, e.reason());
        } catch (RuntimeException e) { // NOPMD: an unexpected failure is a refusal, never a pass
            return new Refused(Verdict.MALFORMED, "verification failed: " + e);
        }
    }

    /**
     * For a signal refused as {@link Verdict#UNKNOWN_KEY}: completes once its issuer's keys were
     * fetched again ({@code KeySource.refetched()}), so the caller can
     * check it once more. A provider that rotated its key sends its next logout signed with the
     * new one and never sends it again; waiting for the access-token path's background refetch
     * would lose it. Completes at once when the token names no configured issuer, or one
     * {@code mayRefetch} does not accept: only issuers that may send such signals, so that anyone
     * able to reach a receiver cannot make the sidecar ask every issuer's key server.
     */
    public CompletionStage<Void> keysRefetched(String token, Predicate<String> mayRefetch) {
        try {
            JsonNode iss = CompactJws.parse(token).claims().get("iss");
            IssuerPolicy policy = iss != null && iss.isTextual() && mayRefetch.test(iss.textValue())
                    ? policies.get(iss.textValue()) : null;
            return policy == null ? CompletableFuture.completedFuture(null) : policy.keys().refetched();
        } catch (MalformedTokenException | RuntimeException e) { // NOPMD: nothing to wait for
            return CompletableFuture.completedFuture(null);
        }
    }

    /** The same, for a token already parsed; the hot path of {@link TokenVerifier}. */
    static Result check(CompactJws jws, TypeRule type, Function<String, @Nullable IssuerPolicy> policies) {
        ObjectNode header = jws.header();
        JsonNode algNode = header.get("alg");
        if (algNode == null || !algNode.isTextual()) {
            return new Refused(Verdict.MALFORMED, "header has no alg string");
        }
        String algName = algNode.textValue();
        Optional<JwsAlgorithm> alg = JwsAlgorithm.fromJoseName(algName);
        if (alg.isEmpty()) {
            return new Refused(Verdict.ALG_NOT_ALLOWED, "algorithm '" + abbreviate(algName) + "' is never accepted");
        }
        String headerProblem = headerProblem(header);
        if (headerProblem != null) {
            return new Refused(Verdict.MALFORMED, headerProblem);
        }

        JsonNode issNode = jws.claims().get("iss");
        if (issNode == null) {
            return new Refused(Verdict.MISSING_CLAIM, "iss is missing");
        }
        if (!issNode.isTextual()) {
            return new Refused(Verdict.MALFORMED, "iss is not a string");
        }
        IssuerPolicy policy = policies.apply(issNode.textValue());
        if (policy == null) {
            return new Refused(Verdict.UNKNOWN_ISSUER, "issuer is not configured");
        }
        if (!policy.algorithms().contains(alg.get())) {
            return new Refused(Verdict.ALG_NOT_ALLOWED, alg.get() + " is not allowed for this issuer");
        }

        IssuerKeys keys = policy.keys().current();
        if (keys == null) {
            return new Refused(Verdict.KEYS_UNAVAILABLE, "no usable key set for this issuer yet");
        }
        String kid = textOrNull(header, "kid");
        if (kid != null && kid.length() > MAX_KID_LENGTH) {
            return new Refused(Verdict.UNKNOWN_KEY, "kid is too long");
        }
        VerificationKey key = keys.select(kid);
        if (key == null) {
            if (kid != null) {
                policy.keys().unknownKid(kid);
            }
            return new Refused(Verdict.UNKNOWN_KEY, kid == null ? "token has no kid and the issuer has several keys"
                    : "no key with this kid");
        }
        if (key.algorithm() != alg.get()) {
            return new Refused(Verdict.ALG_NOT_ALLOWED, "key is bound to " + key.algorithm() + ", header says " + alg.get());
        }
        String typeProblem = type.problem(textOrNull(header, "typ"), policy);
        if (typeProblem != null) {
            return new Refused(Verdict.BAD_TYPE, typeProblem);
        }
        if (!key.verify(jws.signingInput(), jws.signature())) {
            return new Refused(Verdict.BAD_SIGNATURE, "signature does not verify with key " + key);
        }
        return new Signed(policy, keys, key, header, jws.claims());
    }

    /** Header members this verifier cannot honour: refusing beats silently ignoring them. */
    private static @Nullable String headerProblem(ObjectNode header) {
        if (header.has("crit")) {
            // No extension is understood, so any crit (valid or not) must fail (RFC 7515 §4.1.11).
            return "crit header names extensions this verifier does not support";
        }
        JsonNode b64 = header.get("b64");
        if (b64 != null && !(b64.isBoolean() && b64.booleanValue())) {
            return "unencoded payloads (b64) are not allowed in JWTs";
        }
        if (header.has("enc") || header.has("zip")) {
            return "JWE headers are not accepted";
        }
        JsonNode kid = header.get("kid");
        if (kid != null && !kid.isTextual()) {
            return "kid is not a string";
        }
        JsonNode typ = header.get("typ");
        if (typ != null && !typ.isTextual()) {
            return "typ is not a string";
        }
        return null;
    }

    /** RFC 7515 §4.1.9: media types compare case-insensitively, "application/" may be omitted. */
    static boolean typeMatches(@Nullable String actual, String expected) {
        if (actual == null) {
            return false;
        }
        return stripApplication(actual).equals(stripApplication(expected));
    }

    private static String stripApplication(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        return t.startsWith("application/") ? t.substring("application/".length()) : t;
    }

    static @Nullable String textOrNull(ObjectNode node, String field) {
        JsonNode n = node.get(field);
        return n != null && n.isTextual() ? n.textValue() : null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 16 ? s : s.substring(0, 16) + "…";
    }
}
