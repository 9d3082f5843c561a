package io.jwtsidecar.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.token.CompactJws.MalformedTokenException;
import io.jwtsidecar.token.keys.IssuerKeys;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.VerificationKey;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a bearer token is good: the one coordinator of parsing, key selection,
 * signature, claims and revocation, in that order.
 *
 * <p>The order is part of the security contract: the size cap comes before any parsing; the
 * issuer is looked up before any key is touched; the header's algorithm must equal the one the
 * selected key is bound to before the signature is checked; claims are only read for meaning
 * after the signature holds; revocation comes last. Every failure is a {@link Verdict}, and any
 * unexpected exception is a rejection, never a pass.
 *
 * <p>A token verified before is found in the {@link VerifiedTokenCache} and skips parsing and
 * the signature check, never the time claims or revocation.
 *
 * <p>Thread-safe and non-blocking apart from the {@link RevocationCheck}; meant to be called
 * from Vert.x event loops.
 */
public final class TokenVerifier {
    private static final int MAX_KID_LENGTH = 256;

    private final Map<String, IssuerPolicy> policies;
    private final int maxTokenBytes;
    private final Clock clock;
    private final RevocationCheck revocation;
    private final @Nullable VerifiedTokenCache cache;
    private final LongAdder signatureChecks = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();

    /** A verifier without a verified-token cache. */
    public TokenVerifier(Collection<IssuerPolicy> policies, int maxTokenBytes, Clock clock,
                         RevocationCheck revocation) {
        this(policies, maxTokenBytes, clock, revocation, 0);
    }

    /**
     * @param maxTokenBytes tokens longer than this are refused before parsing
     * @param clock         the source of "now" for every time claim
     * @param cacheBytes    budget of the verified-token cache; 0 turns it off
     */
    public TokenVerifier(Collection<IssuerPolicy> policies, int maxTokenBytes, Clock clock,
                         RevocationCheck revocation, long cacheBytes) {
        Map<String, IssuerPolicy> byIssuer = new HashMap<>();
        for (IssuerPolicy p : policies) {
            if (byIssuer.putIfAbsent(p.issuer(), p) != null) {
                throw new IllegalArgumentException("issuer configured twice: " + p.issuer());
            }
        }
        this.policies = Map.copyOf(byIssuer);
        this.maxTokenBytes = maxTokenBytes;
        this.clock = clock;
        this.revocation = revocation;
        this.cache = cacheBytes > 0 ? new VerifiedTokenCache(cacheBytes, clock) : null;
    }

    /** Signatures checked so far (tokens that reached the signature step without a cache hit). */
    public long signatureChecks() {
        return signatureChecks.sum();
    }

    /** Verifications answered from the verified-token cache so far. */
    public long cacheHits() {
        return cacheHits.sum();
    }

    /** Tokens held by the verified-token cache (0 when it is off). */
    public long cachedTokens() {
        return cache == null ? 0 : cache.size();
    }

    /** The policy for an exact issuer string, if configured. */
    public Optional<IssuerPolicy> policy(String issuer) {
        return Optional.ofNullable(policies.get(issuer));
    }

    /**
     * @param token the compact token, without the {@code Bearer } prefix; may be null
     * @return never null
     */
    public VerificationOutcome verify(String token) {
        try {
            return verifyOrThrow(token);
        } catch (Exception e) { // NOPMD: checked exceptions thrown sneakily by a library are rejections too
            return VerificationOutcome.rejected(Verdict.MALFORMED, "verification failed: " + e);
        }
    }

    private VerificationOutcome verifyOrThrow(String token) {
        if (token == null || token.isEmpty()) {
            return reject(Verdict.MISSING_TOKEN, "no token");
        }
        if (token.length() > maxTokenBytes) {
            return reject(Verdict.TOO_LARGE, "token is longer than " + maxTokenBytes + " bytes");
        }
        VerifiedTokenCache.Entry cached = cache == null ? null : cache.get(token);
        if (cached != null) {
            cacheHits.increment();
            return finish(cached);
        }
        CompactJws jws;
        try {
            jws = CompactJws.parse(token);
        } catch (MalformedTokenException e) {
            return reject(Verdict.MALFORMED, e.reason());
        }
        ObjectNode header = jws.header();

        JsonNode algNode = header.get("alg");
        if (algNode == null || !algNode.isTextual()) {
            return reject(Verdict.MALFORMED, "header has no alg string");
        }
        String algName = algNode.textValue();
        Optional<JwsAlgorithm> alg = JwsAlgorithm.fromJoseName(algName);
        if (alg.isEmpty()) {
            return reject(Verdict.ALG_NOT_ALLOWED, "algorithm '" + abbreviate(algName) + "' is never accepted");
        }
        String headerProblem = headerProblem(header);
        if (headerProblem != null) {
            return reject(Verdict.MALFORMED, headerProblem);
        }

        JsonNode issNode = jws.claims().get("iss");
        if (issNode == null) {
            return reject(Verdict.MISSING_CLAIM, "iss is missing");
        }
        if (!issNode.isTextual()) {
            return reject(Verdict.MALFORMED, "iss is not a string");
        }
        IssuerPolicy policy = policies.get(issNode.textValue());
        if (policy == null) {
            return reject(Verdict.UNKNOWN_ISSUER, "issuer is not configured");
        }
        if (!policy.algorithms().contains(alg.get())) {
            return reject(Verdict.ALG_NOT_ALLOWED, alg.get() + " is not allowed for this issuer");
        }

        IssuerKeys keys = policy.keys().current();
        if (keys == null) {
            return reject(Verdict.KEYS_UNAVAILABLE, "no usable key set for this issuer yet");
        }
        String kid = textOrNull(header, "kid");
        if (kid != null && kid.length() > MAX_KID_LENGTH) {
            return reject(Verdict.UNKNOWN_KEY, "kid is too long");
        }
        VerificationKey key = keys.select(kid);
        if (key == null) {
            if (kid != null) {
                policy.keys().unknownKid(kid);
            }
            return reject(Verdict.UNKNOWN_KEY, kid == null ? "token has no kid and the issuer has several keys"
                    : "no key with this kid");
        }
        if (key.algorithm() != alg.get()) {
            return reject(Verdict.ALG_NOT_ALLOWED, "key is bound to " + key.algorithm() + ", header says " + alg.get());
        }
        if (policy.expectedType() != null && !typeMatches(textOrNull(header, "typ"), policy.expectedType())) {
            return reject(Verdict.BAD_TYPE, "typ must be " + policy.expectedType());
        }
        signatureChecks.increment();
        if (!key.verify(jws.signingInput(), jws.signature())) {
            return reject(Verdict.BAD_SIGNATURE, "signature does not verify with key " + key);
        }

        ClaimsCheck claims = ClaimsCheck.of(jws.claims(), policy);
        if (claims.failure() != null) {
            return claims.failure();
        }
        // The key's own names, never the header's kid: with one key without kid, a header names anything.
        VerifiedToken verified = new VerifiedToken(policy.issuer(), claims.subject(), claims.jti(),
                claims.sessionId(), claims.clientId(), keys.idsOf(key), key.thumbprint(), claims.issuedAt(),
                claims.times().exp(), jws.payloadSegment(), jws.claimsJson(),
                new IdentityJson(policy.issuer(), claims.subject(), jws.claimsJson()), new ClaimValues(jws.claims()));
        VerifiedTokenCache.Entry entry = new VerifiedTokenCache.Entry(policy, keys, verified, claims.times());
        if (cache != null) {
            cache.put(token, entry);
        }
        return finish(entry);
    }

    /** The checks no cache may skip: time claims against the clock, then revocation. */
    private VerificationOutcome finish(VerifiedTokenCache.Entry e) {
        VerificationOutcome expired = e.times().check(e.policy(), clock.millis() / 1000.0);
        if (expired != null) {
            return expired;
        }
        return switch (revocation.check(e.token(), e.policy().clockSkew().toSeconds())) {
            case REVOKED -> reject(Verdict.REVOKED, "a revocation rule matches");
            case STALE -> reject(Verdict.REVOCATION_DATA_STALE, "revocation data is not known to be current");
            case NOT_REVOKED_STALE -> VerificationOutcome.acceptedWithStaleRevocationData(e.token());
            case NOT_REVOKED -> VerificationOutcome.accepted(e.token());
        };
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

    private static @Nullable String textOrNull(ObjectNode node, String field) {
        JsonNode n = node.get(field);
        return n != null && n.isTextual() ? n.textValue() : null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 16 ? s : s.substring(0, 16) + "…";
    }

    static VerificationOutcome reject(Verdict verdict, String detail) {
        return VerificationOutcome.rejected(verdict, detail);
    }
}
