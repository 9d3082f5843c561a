package io.jwtsidecar.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jwtsidecar.token.CompactJws.MalformedTokenException;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.VerificationKey;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks a DPoP proof (RFC 9449 §4.3) for one request and one DPoP-bound access token: the
 * proof-of-possession half of {@code Authorization: DPoP <token>}.
 *
 * <p>In order: exactly one proof of at most {@value #MAX_PROOF_LENGTH} characters; a strict JWS
 * ({@link CompactJws}) with {@code typ} {@code dpop+jwt}; an asymmetric {@code alg} from the
 * issuer's DPoP algorithms; a {@code jwk} header with no private members, usable for that
 * algorithm; the signature by that key; {@code jti}, {@code htm}, {@code htu}, {@code iat} and
 * {@code ath} present; {@code htm} equal to the request's method; {@code htu} equal to the
 * request's URI without query and fragment (both compared after RFC 3986 §6.2.2/§6.2.3
 * normalisation of scheme, host and default port); {@code iat} within the issuer's proof window
 * either side of now; {@code ath} the base64url SHA-256 of the access token; the RFC 7638
 * thumbprint of {@code jwk} equal to the token's {@code cnf.jkt}; and last, so that only a proof
 * good in every other way takes a place in it, a {@code jti} not seen in the window
 * ({@link SeenIds}, per key thumbprint). For an issuer that requires server nonces (§9), a
 * {@code nonce} claim this sidecar's {@link DpopNonces} gave, checked before the replay cache.
 *
 * <p>Every refusal is its own {@link Verdict} ({@code dpop_proof_*}); details name what is wrong,
 * never the proof or the token. Pure apart from the replay cache; thread-safe.
 */
public final class DpopProofCheck {
    /** A proof is a few hundred bytes (an RSA jwk makes it about a kilobyte). */
    static final int MAX_PROOF_LENGTH = 8 * 1024;
    private static final Set<String> PRIVATE_JWK_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");
    private static final IssuerSignedJwt.TypeRule DPOP_TYPE = IssuerSignedJwt.TypeRule.required("dpop+jwt");

    private final Clock clock;
    private final SeenIds replay;
    private final DpopNonces nonces;
    private final ProofKeys proofKeys = new ProofKeys();

    /**
     * The request a proof must describe.
     *
     * @param proofs every value of the {@code DPoP} header, as received
     * @param method the HTTP method of the original request
     * @param uri    the original request's absolute URI ({@code https://host/path}); its query and
     *               fragment are ignored
     */
    public record Request(List<String> proofs, String method, String uri) {
        public Request {
            proofs = List.copyOf(proofs);
        }
    }

    /**
     * @param clock  the source of "now" for {@code iat}
     * @param replay the proof ids seen, per key thumbprint; bounded
     * @param nonces  the server nonces given and accepted, for issuers that require them
     */
    public DpopProofCheck(Clock clock, SeenIds replay, DpopNonces nonces) {
        this.clock = clock;
        this.replay = replay;
        this.nonces = nonces;
    }

    /**
     * What an answer to a DPoP request for {@code policy}'s tokens tells the client: the proof
     * algorithms (for a challenge) and, when the issuer requires nonces, the current nonce.
     */
    public DpopHints hints(IssuerPolicy policy) {
        StringBuilder algs = new StringBuilder();
        Set<JwsAlgorithm> accepted = policy.dpop().algorithms(policy);
        // In the enum's order, so the challenge reads the same on every sidecar and every time.
        for (JwsAlgorithm a : accepted.isEmpty() ? accepted : EnumSet.copyOf(accepted)) {
            algs.append(algs.length() == 0 ? "" : " ").append(a.name());
        }
        return new DpopHints(algs.toString(), policy.dpop().nonce() ? nonces.current() : null);
    }

    /** The current nonce when {@code policy} requires nonces, else null; for answers that accept. */
    public @Nullable DpopHints acceptedHints(IssuerPolicy policy) {
        return policy.dpop().nonce() ? new DpopHints(null, nonces.current()) : null;
    }

    /**
     * @param request     the proofs and the request they must describe
     * @param accessToken the access token as presented (its hash is {@code ath})
     * @param jkt         the token's {@code cnf.jkt}
     * @param policy      the token issuer's policy (its DPoP algorithms and proof window)
     * @return null when the proof holds, else the refusal
     */
    public @Nullable VerificationOutcome check(Request request, String accessToken, String jkt, IssuerPolicy policy) {
        try {
            return checkOrThrow(request, accessToken, jkt, policy);
        } catch (RuntimeException e) { // NOPMD: an unexpected failure is a refusal, never a pass
            return refuse(Verdict.DPOP_PROOF_MALFORMED, "proof check failed: " + e.getClass().getSimpleName());
        }
    }

    private @Nullable VerificationOutcome checkOrThrow(Request request, String accessToken, String jkt,
                                                       IssuerPolicy policy) {
        if (request.proofs().isEmpty()) {
            return refuse(Verdict.DPOP_PROOF_MISSING, "no DPoP header");
        }
        if (request.proofs().size() > 1) {
            return refuse(Verdict.DPOP_PROOF_MULTIPLE, "more than one DPoP header");
        }
        String proof = request.proofs().get(0).strip();
        if (proof.isEmpty()) {
            return refuse(Verdict.DPOP_PROOF_MISSING, "empty DPoP header");
        }
        if (proof.length() > MAX_PROOF_LENGTH) {
            return refuse(Verdict.DPOP_PROOF_MALFORMED, "proof is longer than " + MAX_PROOF_LENGTH + " characters");
        }
        CompactJws jws;
        try {
            jws = CompactJws.parse(proof);
        } catch (MalformedTokenException e) {
            return refuse(Verdict.DPOP_PROOF_MALFORMED, e.reason());
        }
        ObjectNode header = jws.header();
        if (header.has("crit") || header.has("enc") || header.has("zip") || header.has("b64")) {
            return refuse(Verdict.DPOP_PROOF_MALFORMED, "header members a DPoP proof must not use (crit, enc, zip, b64)");
        }
        JsonNode typ = header.get("typ");
        if (DPOP_TYPE.problem(typ != null && typ.isTextual() ? typ.textValue() : null, policy) != null) {
            return refuse(Verdict.DPOP_PROOF_BAD_TYPE, "typ must be dpop+jwt");
        }
        JsonNode algNode = header.get("alg");
        JwsAlgorithm alg = algNode != null && algNode.isTextual()
                ? JwsAlgorithm.fromJoseName(algNode.textValue()).orElse(null) : null;
        if (alg == null || alg.family() == JwsAlgorithm.Family.HMAC || !policy.dpop().algorithms(policy).contains(alg)) {
            return refuse(Verdict.DPOP_PROOF_ALG_NOT_ALLOWED, "alg must be one of " + policy.dpop().algorithms(policy));
        }
        JsonNode jwk = header.get("jwk");
        if (jwk == null || !jwk.isObject()) {
            return refuse(Verdict.DPOP_PROOF_BAD_JWK, "no jwk header");
        }
        for (String member : PRIVATE_JWK_MEMBERS) {
            if (jwk.has(member)) {
                return refuse(Verdict.DPOP_PROOF_BAD_JWK, "jwk has a private or secret member (" + member + ")");
            }
        }
        VerificationKey key;
        try {
            key = proofKeys.of(jwk.toString(), alg);
        } catch (IllegalArgumentException e) {
            return refuse(Verdict.DPOP_PROOF_BAD_JWK, "jwk is not a public key for " + alg);
        }
        if (!key.verify(jws.signingInput(), jws.signature())) {
            return refuse(Verdict.DPOP_PROOF_BAD_SIGNATURE, "signature does not verify with the proof's jwk");
        }

        ObjectNode claims = jws.claims();
        String jti = IssuerSignedJwt.textOrNull(claims, "jti");
        String htm = IssuerSignedJwt.textOrNull(claims, "htm");
        String htu = IssuerSignedJwt.textOrNull(claims, "htu");
        String ath = IssuerSignedJwt.textOrNull(claims, "ath");
        JsonNode iat = claims.get("iat");
        if (jti == null || jti.isEmpty() || htm == null || htu == null || ath == null || iat == null || !iat.isNumber()) {
            return refuse(Verdict.DPOP_PROOF_MISSING_CLAIM, "jti, htm, htu, iat (a number) and ath are required");
        }
        if (jti.length() > 256) {
            return refuse(Verdict.DPOP_PROOF_MALFORMED, "jti is longer than 256 characters");
        }
        if (!htm.equals(request.method())) {
            return refuse(Verdict.DPOP_PROOF_HTM_MISMATCH, "htm is not the request's method");
        }
        String proofUri = normalizedHtu(htu);
        if (proofUri == null || !proofUri.equals(normalizedHtu(request.uri()))) {
            return refuse(Verdict.DPOP_PROOF_HTU_MISMATCH, "htu is not the request's URI");
        }
        double now = clock.millis() / 1000.0;
        long window = policy.dpop().proofWindow().toSeconds();
        double issuedAt = iat.asDouble();
        if (!(Math.abs(now - issuedAt) <= window)) { // NaN and infinities land here too
            return refuse(Verdict.DPOP_PROOF_IAT_OUT_OF_WINDOW, "iat is more than " + window + "s from now");
        }
        if (!MessageDigest.isEqual(ath.getBytes(StandardCharsets.US_ASCII), accessTokenHash(accessToken))) {
            return refuse(Verdict.DPOP_PROOF_ATH_MISMATCH, "ath is not the hash of the access token");
        }
        if (!MessageDigest.isEqual(key.thumbprint().getBytes(StandardCharsets.US_ASCII),
                jkt.getBytes(StandardCharsets.US_ASCII))) {
            return refuse(Verdict.DPOP_PROOF_KEY_MISMATCH, "the proof's key is not the one the token is bound to");
        }
        if (policy.dpop().nonce()) {
            JsonNode nonce = claims.get("nonce");
            if (nonce == null) {
                return refuse(Verdict.DPOP_PROOF_NONCE_MISSING, "this issuer requires a server nonce in proofs");
            }
            if (!nonce.isTextual() || !nonces.isGood(nonce.textValue())) {
                return refuse(Verdict.DPOP_PROOF_NONCE_INVALID, "nonce is not one this sidecar gave, or it expired");
            }
        }
        if (replay.claim(jkt, jti, (long) Math.ceil(issuedAt) + window).isEmpty()) {
            return refuse(Verdict.DPOP_PROOF_REPLAYED, "this proof's jti was used before");
        }
        return null;
    }

    /** RFC 9449 §4.2: base64url (no padding) of the SHA-256 of the token's ASCII bytes. */
    static byte[] accessTokenHash(String accessToken) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encode(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * An absolute http(s) URI without query and fragment, with scheme and host lower-cased, the
     * scheme's default port dropped and an empty path as {@code /} (RFC 3986 §6.2.2, §6.2.3;
     * RFC 9449 §4.3 step 9); null when it is not one.
     */
    static @Nullable String normalizedHtu(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = parsed.getScheme();
        String host = parsed.getHost();
        if (scheme == null || host == null || parsed.getRawUserInfo() != null || parsed.isOpaque()) {
            return null;
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        int defaultPort;
        if (scheme.equals("https")) {
            defaultPort = 443;
        } else if (scheme.equals("http")) {
            defaultPort = 80;
        } else {
            return null;
        }
        int port = parsed.getPort();
        String path = parsed.getRawPath();
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + (port < 0 || port == defaultPort ? "" : ":" + port)
                + (path == null || path.isEmpty() ? "/" : path);
    }

    private static VerificationOutcome refuse(Verdict verdict, String detail) {
        return VerificationOutcome.rejected(verdict, detail);
    }
}
