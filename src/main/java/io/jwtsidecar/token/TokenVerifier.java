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
 * the signature check, never the time claims, the DPoP proof or revocation.
 *
 * <p>DPoP (RFC 9449): a token bound to a key ({@code cnf.jkt}) passes only through
 * {@link #verifyDpop} with a good proof ({@link DpopProofCheck}), checked after the time claims and
 * before revocation, on every request: a proof is per request, never cached. Through
 * {@link #verify} (the {@code Bearer} scheme) it is {@link Verdict#DPOP_REQUIRED}. A bearer token
 * without {@code cnf} costs two field reads more than before.
 *
 * <p>Encrypted tokens (a JWS inside a JWE, RFC 7519 §5.2): a token of five segments, when some
 * issuer has decryption keys, is opened by {@link NestedJwe} after the cache lookup (a token seen
 * before costs no decryption) and its inner JWS then takes every step a plain token takes. The
 * cache and the DPoP {@code ath} use the token as presented. A plain token from an issuer whose
 * tokens must be encrypted is {@link Verdict#ENCRYPTION_REQUIRED}. A signed token pays nothing
 * for this: only a token that fails to parse as a JWS is looked at as a JWE.
 *
 * <p>Thread-safe and non-blocking apart from the {@link RevocationCheck}; meant to be called
 * from Vert.x event loops.
 */
public final class TokenVerifier {
    private static final IssuerSignedJwt.TypeRule ACCESS_TOKEN_TYPE = IssuerSignedJwt.TypeRule.issuerConfigured();

    private final Map<String, IssuerPolicy> policies;
    private final int maxTokenBytes;
    private final Clock clock;
    private final RevocationCheck revocation;
    private final @Nullable VerifiedTokenCache cache;
    private final IssuerSignedJwt signedJwts;
    private final LongAdder signatureChecks = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    /** Opens encrypted tokens; null when no issuer has a decryption key. */
    private final @Nullable NestedJwe encrypted;

    /** Proof ids remembered per sidecar when none is given: one proof window's worth at 1,000 proofs/s. */
    public static final int DEFAULT_DPOP_REPLAY_CACHE_SIZE = 60_000;

    private final DpopProofCheck dpop;

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
        this(policies, maxTokenBytes, clock, revocation, cacheBytes, new SeenIds(DEFAULT_DPOP_REPLAY_CACHE_SIZE, clock));
    }

    /** @param dpopProofIds the DPoP proof ids seen (the replay cache); bounded, this sidecar's own */
    public TokenVerifier(Collection<IssuerPolicy> policies, int maxTokenBytes, Clock clock,
                         RevocationCheck revocation, long cacheBytes, SeenIds dpopProofIds) {
        this(policies, maxTokenBytes, clock, revocation, cacheBytes, dpopProofIds,
                DpopNonces.withRandomSecret(DpopNonces.DEFAULT_LIFETIME, clock));
    }

    /** @param dpopNonces the server nonces for issuers whose proofs must carry one */
    public TokenVerifier(Collection<IssuerPolicy> policies, int maxTokenBytes, Clock clock,
                         RevocationCheck revocation, long cacheBytes, SeenIds dpopProofIds, DpopNonces dpopNonces) {
        Map<String, IssuerPolicy> byIssuer = new HashMap<>();
        for (IssuerPolicy p : policies) {
            if (byIssuer.putIfAbsent(p.issuer(), p) != null) {
                throw new IllegalArgumentException("issuer configured twice: " + p.issuer());
            }
        }
        this.policies = Map.copyOf(byIssuer);
        this.signedJwts = new IssuerSignedJwt(this.policies);
        this.encrypted = NestedJwe.of(this.policies.values(), maxTokenBytes).orElse(null);
        this.maxTokenBytes = maxTokenBytes;
        this.clock = clock;
        this.revocation = revocation;
        this.cache = cacheBytes > 0 ? new VerifiedTokenCache(cacheBytes, clock) : null;
        this.dpop = new DpopProofCheck(clock, dpopProofIds, dpopNonces);
    }

    /** Signatures checked so far (tokens that reached the signature step without a cache hit). */
    public long signatureChecks() {
        return signatureChecks.sum();
    }

    /** Decryptions tried so far (one per key tried on an encrypted token without a cache hit). */
    public long decryptions() {
        return encrypted == null ? 0 : encrypted.decryptions();
    }

    /** Verifications answered from the verified-token cache so far. */
    public long cacheHits() {
        return cacheHits.sum();
    }

    /** Tokens held by the verified-token cache (0 when it is off). */
    public long cachedTokens() {
        return cache == null ? 0 : cache.size();
    }

    /**
     * The same parsing, issuer, key and signature checks for JWTs that are not access tokens
     * (logout tokens, security event tokens), against the same configured issuers.
     */
    public IssuerSignedJwt signedJwts() {
        return signedJwts;
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
        return verify(token, true, Binding.BEARER, null);
    }

    /**
     * A token presented with the {@code DPoP} scheme (RFC 9449 §7.1): the token must be bound
     * ({@code cnf.jkt}) and {@code request} must carry one good proof for it.
     */
    public VerificationOutcome verifyDpop(String token, DpopProofCheck.Request request) {
        return verify(token, true, Binding.DPOP, request);
    }

    /**
     * The checks of {@link #verify} apart from the DPoP binding: whether the token is genuine,
     * current and not revoked, for RFC 7662 introspection, where the caller holds the token
     * without presenting it for a request.
     */
    public VerificationOutcome verifyIgnoringBinding(String token) {
        return verify(token, true, Binding.IGNORED, null);
    }

    /**
     * The same checks without revocation: whether the token is genuine and current, for
     * revoking it by handing it over ({@code POST /oauth2/revoke}), which must work for a token
     * some rule already blocks and while revocation data is stale.
     */
    public VerificationOutcome verifyIgnoringRevocation(String token) {
        return verify(token, false, Binding.IGNORED, null);
    }

    /** How the token was presented, for its DPoP binding. */
    private enum Binding { BEARER, DPOP, IGNORED }

    private VerificationOutcome verify(String token, boolean checkRevocation, Binding binding,
                                       DpopProofCheck.@Nullable Request proof) {
        try {
            return verifyOrThrow(token, checkRevocation, binding, proof);
        } catch (Exception e) { // NOPMD: checked exceptions thrown sneakily by a library are rejections too
            return VerificationOutcome.rejected(Verdict.MALFORMED, "verification failed: " + e);
        }
    }

    private VerificationOutcome verifyOrThrow(String token, boolean checkRevocation, Binding binding,
                                              DpopProofCheck.@Nullable Request proof) {
        if (token == null || token.isEmpty()) {
            return reject(Verdict.MISSING_TOKEN, "no token");
        }
        if (token.length() > maxTokenBytes) {
            return reject(Verdict.TOO_LARGE, "token is longer than " + maxTokenBytes + " bytes");
        }
        VerifiedTokenCache.Entry cached = cache == null ? null : cache.get(token);
        if (cached != null) {
            cacheHits.increment();
            return finish(cached, token, checkRevocation, binding, proof);
        }
        CompactJws jws;
        IssuerPolicy openedFor = null;
        try {
            jws = CompactJws.parse(token);
        } catch (MalformedTokenException e) {
            // Only a token that is not a JWS is looked at as a JWE: a signed token pays nothing.
            if (encrypted == null || !NestedJwe.isCompactJwe(token)) {
                return reject(Verdict.MALFORMED, e.reason());
            }
            NestedJwe.Result opened = encrypted.open(token);
            if (opened instanceof NestedJwe.Refused refused) {
                return reject(refused.verdict(), refused.detail());
            }
            jws = ((NestedJwe.Opened) opened).inner();
            openedFor = ((NestedJwe.Opened) opened).policy();
        }
        IssuerSignedJwt.Result checked = IssuerSignedJwt.check(jws, ACCESS_TOKEN_TYPE, policies::get);
        if (checked instanceof IssuerSignedJwt.Refused refused) {
            if (refused.verdict() == Verdict.BAD_SIGNATURE) {
                signatureChecks.increment();
            }
            return reject(refused.verdict(), refused.detail());
        }
        signatureChecks.increment();
        IssuerSignedJwt.Signed signed = (IssuerSignedJwt.Signed) checked;
        IssuerPolicy policy = signed.policy();
        IssuerKeys keys = signed.keys();
        VerificationKey key = signed.key();
        if (openedFor == null && policy.encryption().mode() == EncryptionPolicy.Mode.REQUIRED) {
            return reject(Verdict.ENCRYPTION_REQUIRED, "this issuer's tokens must be encrypted");
        }
        if (openedFor != null && openedFor != policy) { // NestedJwe compared iss already; kept as the last word
            return reject(Verdict.JWE_ISSUER_MISMATCH, "the inner token's iss is not the issuer whose key opened it");
        }
        if (jws.claims().has("events")) {
            // A logout token or security event token (RFC 8417 §4.2) signed by the same issuer
            // must never pass as an access token, whatever its aud says.
            return reject(Verdict.BAD_TYPE, "a token with an events claim is a security event, not an access token");
        }

        ClaimsCheck claims = ClaimsCheck.of(jws.claims(), policy);
        if (claims.failure() != null) {
            return claims.failure();
        }
        JsonNode cnf = jws.claims().get("cnf");
        String boundKey = null;
        if (cnf != null) {
            JsonNode jkt = cnf.get("jkt");
            if (!cnf.isObject() || jkt == null && !cnf.has("x5t#S256")) {
                // Another binding than DPoP or a client certificate: it cannot be checked, so it cannot pass.
                return reject(Verdict.CONFIRMATION_UNSUPPORTED, "cnf names neither jkt nor x5t#S256, the bindings checked here");
            }
            // A certificate binding (x5t#S256) is checked by the HTTP layer, which has the certificate.
            if (jkt != null && (!jkt.isTextual() || jkt.textValue().isEmpty())) {
                return reject(Verdict.MALFORMED, "cnf.jkt is not a non-empty string");
            }
            boundKey = jkt == null ? null : jkt.textValue();
        }
        // The key's own names, never the header's kid: with one key without kid, a header names anything.
        VerifiedToken verified = new VerifiedToken(policy.issuer(), claims.subject(), claims.jti(),
                claims.sessionId(), claims.clientId(), keys.idsOf(key), key.thumbprint(), claims.issuedAt(),
                claims.times().exp(), jws.payloadSegment(), jws.claimsJson(),
                new IdentityJson(policy.issuer(), claims.subject(), jws.claimsJson()), new ClaimValues(jws.claims()), boundKey);
        VerifiedTokenCache.Entry entry = new VerifiedTokenCache.Entry(policy, keys, verified, claims.times());
        if (cache != null) {
            cache.put(token, entry);
        }
        return finish(entry, token, checkRevocation, binding, proof);
    }

    /** The checks no cache may skip: time claims against the clock, the DPoP binding, then revocation. */
    private VerificationOutcome finish(VerifiedTokenCache.Entry e, String token, boolean checkRevocation,
                                       Binding binding, DpopProofCheck.@Nullable Request proof) {
        VerificationOutcome expired = e.times().check(e.policy(), clock.millis() / 1000.0);
        if (expired != null) {
            return expired;
        }
        String boundKey = e.token().boundKey();
        DpopHints hints = null;
        if (binding != Binding.IGNORED && (boundKey != null || binding == Binding.DPOP
                || e.policy().dpop().mode() == DpopPolicy.Mode.REQUIRED)) {
            VerificationOutcome refused = binding(e.policy(), token, boundKey, binding, proof);
            if (refused != null) {
                return refused.withDpopHints(dpop.hints(e.policy()));
            }
            hints = dpop.acceptedHints(e.policy());
        }
        VerificationOutcome outcome = checkRevocation ? revocationChecked(e) : VerificationOutcome.accepted(e.token());
        // Every answer to a DPoP request carries the current nonce, so a client never proves with an expired one.
        return hints == null ? outcome : outcome.withDpopHints(hints);
    }

    private VerificationOutcome revocationChecked(VerifiedTokenCache.Entry e) {
        return switch (revocation.check(e.token(), e.policy().clockSkew().toSeconds())) {
            case REVOKED -> reject(Verdict.REVOKED, "a revocation rule matches");
            case STALE -> reject(Verdict.REVOCATION_DATA_STALE, "revocation data is not known to be current");
            case NOT_REVOKED_STALE -> VerificationOutcome.acceptedWithStaleRevocationData(e.token());
            case NOT_REVOKED -> VerificationOutcome.accepted(e.token());
        };
    }

    /** RFC 9449 §7.1, §7.2: null when the presentation suits the token's binding and its proof holds. */
    private @Nullable VerificationOutcome binding(IssuerPolicy policy, String token, @Nullable String boundKey,
                                                  Binding binding, DpopProofCheck.@Nullable Request proof) {
        if (binding == Binding.BEARER || proof == null) {
            return reject(Verdict.DPOP_REQUIRED, boundKey != null ? "a DPoP-bound token needs the DPoP scheme and a proof"
                    : "this issuer's tokens must be DPoP-bound");
        }
        if (boundKey == null) {
            return reject(Verdict.DPOP_TOKEN_NOT_BOUND, "the DPoP scheme with a token that has no cnf.jkt");
        }
        return dpop.check(proof, token, boundKey, policy);
    }

    static VerificationOutcome reject(Verdict verdict, String detail) {
        return VerificationOutcome.rejected(verdict, detail);
    }
}
