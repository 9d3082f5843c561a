package io.jwtsidecar.http;

import io.jwtsidecar.admin.AdminScope;
import io.jwtsidecar.admin.IssuerLimit;
import io.jwtsidecar.logging.LogSafe;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.token.BearerExtractor;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.Verdict;
import io.jwtsidecar.token.VerificationOutcome;
import io.jwtsidecar.token.VerifiedToken;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is calling the admin API, and may they do what they ask? Answers with a {@link Principal}
 * (an actor and its {@link AdminScope scopes}) or a refusal.
 *
 * <p>A request carries one {@code Authorization: Bearer …} credential, read by {@link BearerExtractor}
 * as {@code /v1/verify} reads it (RFC 6750 §2.1: the scheme name is case-insensitive, a credential
 * has no space inside). It is, in this order:
 * <ol>
 *   <li>a static token ({@code admin.token}, or one of {@code admin.credentials}). Its SHA-256
 *       digest is compared with every configured digest by {@link MessageDigest#isEqual}, without
 *       stopping at a match, so neither the content, the length nor which credential matched
 *       shows in the timing;</li>
 *   <li>else, when an admin issuer is configured, a JWT from that issuer which the sidecar's own
 *       {@link TokenVerifier} accepts (signature, expiry, audience and revocation all apply). Its
 *       scopes are those of its {@code scope} claim (a space-separated string, RFC 8693 §4.2) and
 *       its {@code scp} claim (an array, or a space-separated string); scope names the admin API
 *       does not know are ignored. Its actor is its {@code sub}, which it must have. Its
 *       {@value IssuerLimit#JWT_CLAIM} claim, when present, limits it to the issuers it lists (a
 *       list of strings; names that are not configured issuers are ignored, so it can never
 *       reach further than a static credential could); without the claim it reaches every
 *       issuer, like a static credential without {@code issuers}.</li>
 * </ol>
 *
 * <p>Every principal carries an {@link IssuerLimit}. The routes ask {@link #permits} before they
 * read or publish a rule, and {@link #permitsEveryIssuer} before they show what spans issuers.
 *
 * <p>Refusals: 401 for no credential or one that is not good (RFC 6750 §3 challenge on the realm
 * {@code jwt-sidecar-admin}); 403 {@code insufficient_scope} with the scope that was needed; 503
 * when an admin JWT cannot be judged right now (no keys yet, stale revocation data), since it
 * may be fine. Every refusal is logged with method, path, remote address and why (never the
 * credential) and counted ({@link SidecarMetrics#adminRefused()}). 403 {@code issuer_not_permitted}
 * refuses a credential limited to other issuers, naming the rule's issuer.
 *
 * <p>Immutable and thread-safe; its handlers run on the admin listener's event loop and never
 * block (the JWT check is the same non-blocking check as {@code /v1/verify}).
 */
public final class AdminAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(AdminAuthenticator.class);
    private static final String PRINCIPAL_KEY = "io.jwtsidecar.admin.principal";
    private static final String REALM = HttpResponses.REALM + "-admin";
    /** The actor of {@code admin.token}. */
    public static final String ADMIN_TOKEN_ACTOR = "admin";

    /**
     * An authenticated caller.
     *
     * @param actor   who it is: a credential's name, {@code admin}, or an admin JWT's {@code sub}
     * @param scopes  what it may do; may be empty (a JWT naming no admin scope)
     * @param via     what kind of credential it presented, for the audit log
     * @param issuers whose rules it may touch
     */
    public record Principal(String actor, Set<AdminScope> scopes, Via via, IssuerLimit issuers) {
        public Principal {
            Objects.requireNonNull(actor, "actor");
            scopes = Set.copyOf(scopes);
            Objects.requireNonNull(via, "via");
            Objects.requireNonNull(issuers, "issuers");
        }
    }

    /** The kind of credential a principal presented. */
    public enum Via {
        /** {@code admin.token} or an entry of {@code admin.credentials}. */
        STATIC_TOKEN("static-token"),
        /** A JWT of the admin issuer. */
        JWT("jwt"),
        /** A signed signal of an identity provider (logout token, security event token): never a request's credential. */
        IDP_SIGNAL("idp-signal");

        private final String label;

        Via(String label) {
            this.label = label;
        }

        /** The name used in logs. */
        public String label() {
            return label;
        }
    }

    /**
     * A static bearer credential. {@link #toString()} leaves the token out.
     *
     * @param actor   the name in the audit log
     * @param token   the bearer value
     * @param scopes  what it may do; not empty
     * @param issuers whose rules it may touch
     */
    public record Credential(String actor, String token, Set<AdminScope> scopes, IssuerLimit issuers) {
        public Credential {
            Objects.requireNonNull(actor, "actor");
            if (token == null || token.isEmpty()) {
                throw new IllegalArgumentException("credential " + actor + " has no token");
            }
            // A token the header reading cannot hand back whole could never be presented: refused here, not at each request.
            if (!token.equals(BearerExtractor.read(List.of("Bearer " + token)).token())) {
                throw new IllegalArgumentException("credential " + actor + " has a token with spaces inside or around "
                        + "it, which no Authorization header can carry (RFC 6750 §2.1)");
            }
            if (scopes.isEmpty()) {
                throw new IllegalArgumentException("credential " + actor + " has no scopes");
            }
            scopes = Set.copyOf(scopes);
            Objects.requireNonNull(issuers, "issuers");
        }

        /** A credential for every issuer. */
        public Credential(String actor, String token, Set<AdminScope> scopes) {
            this(actor, token, scopes, IssuerLimit.everyIssuer());
        }

        /** {@code admin.token}: every scope, actor {@value AdminAuthenticator#ADMIN_TOKEN_ACTOR}. */
        public static Credential adminToken(String token) {
            return new Credential(ADMIN_TOKEN_ACTOR, token, EnumSet.allOf(AdminScope.class));
        }

        @Override
        public String toString() {
            return "Credential[actor=" + actor + ", token=(hidden), scopes=" + scopes + ", issuers=" + issuers + "]";
        }
    }

    /**
     * Why a request was refused, and how to say so over HTTP.
     *
     * @param answer    the status and body
     * @param challenge the {@code WWW-Authenticate} value; null for none
     * @param why       for the log line, never the credential
     */
    private record Refusal(AdminError answer, @Nullable String challenge, String why) {
        /** A refusal whose body is just {@code {"error": code}}. */
        Refusal(int status, String code, @Nullable String challenge, String why) {
            this(AdminError.credentialRefused(status, code), challenge, why);
        }
    }

    /** A principal or a refusal. */
    private sealed interface Outcome {
        static Outcome of(Principal p) {
            return new Admitted(p);
        }

        static Outcome of(Refusal r) {
            return new Refused(r);
        }
    }

    private record Admitted(Principal principal) implements Outcome {
    }

    private record Refused(Refusal refusal) implements Outcome {
    }

    /** One static credential as kept in memory: only the digest of its token. */
    private record StaticCredential(byte[] digest, Principal principal) {
    }

    private final List<StaticCredential> statics;
    private final @Nullable String jwtIssuer;
    private final @Nullable TokenVerifier verifier;
    private final SidecarMetrics metrics;

    /**
     * @param credentials static credentials; their tokens must differ
     * @param jwtIssuer   the exact issuer whose JWTs are admin credentials; empty for none
     * @param verifier    the sidecar's verifier (required with a JWT issuer, may be null without)
     * @throws IllegalArgumentException with no credential of any kind: the admin API has no open mode
     */
    public AdminAuthenticator(List<Credential> credentials, Optional<String> jwtIssuer, @Nullable TokenVerifier verifier,
                              SidecarMetrics metrics) {
        if (credentials.isEmpty() && jwtIssuer.isEmpty()) {
            throw new IllegalArgumentException("the admin API needs at least one admin credential");
        }
        if (jwtIssuer.isPresent() && verifier == null) {
            throw new IllegalArgumentException("an admin JWT issuer needs the token verifier");
        }
        List<StaticCredential> statics = new ArrayList<>();
        for (Credential c : credentials) {
            statics.add(new StaticCredential(sha256(c.token()),
                    new Principal(c.actor(), c.scopes(), Via.STATIC_TOKEN, c.issuers())));
        }
        this.statics = List.copyOf(statics);
        this.jwtIssuer = jwtIssuer.orElse(null);
        this.verifier = verifier;
        this.metrics = metrics;
    }

    /**
     * A route handler that lets a request through only with a credential that has {@code needed};
     * the principal is then available to later handlers through {@link #principal(RoutingContext)}.
     */
    public Handler<RoutingContext> requiring(AdminScope needed) {
        Objects.requireNonNull(needed, "needed");
        return ctx -> {
            Outcome outcome = authenticate(ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION));
            if (outcome instanceof Refused refused) {
                refuse(ctx, refused.refusal());
                return;
            }
            Principal principal = ((Admitted) outcome).principal();
            if (!principal.scopes().contains(needed)) {
                refuse(ctx, new Refusal(403, "insufficient_scope",
                        "Bearer error=\"insufficient_scope\", scope=\"" + needed.wireName() + "\"",
                        principal.via().label() + " of " + principal.actor() + " lacks scope " + needed.wireName()));
                return;
            }
            ctx.put(PRINCIPAL_KEY, principal);
            ctx.next();
        };
    }

    /**
     * A route handler that lets any good credential through, whatever its scopes: for requests
     * no route answers, so that a 404 or 405 only tells an authenticated caller what exists.
     */
    public Handler<RoutingContext> anyCredential() {
        return ctx -> {
            Outcome outcome = authenticate(ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION));
            if (outcome instanceof Refused refused) {
                refuse(ctx, refused.refusal());
                return;
            }
            ctx.put(PRINCIPAL_KEY, ((Admitted) outcome).principal());
            ctx.next();
        };
    }

    /** The principal a {@link #requiring} handler let through; null before it ran. */
    public static Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL_KEY);
    }

    /**
     * Whether the principal this request was let through with may revoke, restore or read the rule
     * {@code key}. When not, the request is answered 403 {@code issuer_not_permitted} naming the
     * rule's issuer, and the refusal is logged and counted like every other: callers ask before
     * they read the store or publish anything.
     */
    public boolean permits(RoutingContext ctx, RuleKey key) {
        Principal p = principal(ctx);
        // The admin JWT issuer's rules decide which admin credentials work: a limited credential
        // that could lift one would lift the revocation of a credential for every issuer.
        boolean adminIssuer = p.issuers().limited() && key.issuer().equals(jwtIssuer);
        if (!adminIssuer && p.issuers().permits(key)) {
            return true;
        }
        String who = p.via().label() + " of " + LogSafe.text(p.actor(), Integer.MAX_VALUE);
        String message = adminIssuer
                ? "rules of admin.jwtIssuer decide which admin credentials work, so only a credential for every issuer "
                        + "may act on them; this one is limited to " + p.issuers()
                : key.scope().confinedToOneIssuer()
                ? "this credential may act only on rules of the issuers " + p.issuers() + ", and this rule's issuer is "
                        + key.issuer()
                : "rules of scope " + key.scope().wireName() + " can block tokens of more than one issuer, so only a "
                        + "credential for every issuer may act on them; this one is limited to " + p.issuers();
        refuse(ctx, new Refusal(AdminError.issuerNotPermitted(key.issuer(), message), null,
                who + ", limited to issuers " + p.issuers() + ", asked about a " + key.scope().wireName()
                        + " rule of issuer " + LogSafe.text(key.issuer())));
        return false;
    }

    /**
     * Whether the principal this request was let through with may see {@code what}, which spans
     * every issuer; when not, answers 403 {@code issuer_not_permitted} (with a null issuer, none
     * being at fault) and logs and counts the refusal.
     *
     * @param what what the request asked for, and why it spans issuers, for the message
     */
    public boolean permitsEveryIssuer(RoutingContext ctx, String what) {
        Principal p = principal(ctx);
        if (!p.issuers().limited()) {
            return true;
        }
        refuse(ctx, new Refusal(AdminError.issuerNotPermitted(null, what
                        + ": only a credential for every issuer may see them; this one is limited to " + p.issuers()), null,
                p.via().label() + " of " + LogSafe.text(p.actor(), Integer.MAX_VALUE) + ", limited to issuers "
                        + p.issuers() + ", asked for what spans every issuer"));
        return false;
    }

    /** Checks one request's {@code Authorization} headers. */
    private Outcome authenticate(List<String> authorization) {
        // The same reading as /v1/verify's: a header either holds one bearer token or is refused, never guessed at.
        BearerExtractor.Reading bearer = BearerExtractor.read(authorization);
        BearerExtractor.Problem problem = bearer.problem();
        if (problem != null) {
            String why = switch (problem) {
                case NO_HEADER -> "no credential";
                case OTHER_SCHEME -> "no bearer credential";
                case SEVERAL_HEADERS -> "several Authorization headers";
                case EMPTY_TOKEN -> "an empty bearer credential";
                case SPACE_IN_TOKEN -> "a bearer credential with a space inside";
            };
            return Outcome.of(new Refusal(401, "unauthorized", "Bearer realm=\"" + REALM + "\"", why));
        }
        String presented = Objects.requireNonNull(bearer.token(), "a reading without a problem has a token");
        byte[] digest = sha256(presented);
        @Nullable Principal match = null;
        for (StaticCredential c : statics) {
            // No early exit: the time taken does not depend on which credential matched.
            if (MessageDigest.isEqual(digest, c.digest()) && match == null) {
                match = c.principal();
            }
        }
        if (match != null) {
            return Outcome.of(match);
        }
        // A compact JWS has dots; anything else was meant as a static credential and is simply wrong.
        if (jwtIssuer == null || presented.indexOf('.') < 0) {
            return invalidToken(null, "a credential that matches no admin credential");
        }
        return jwt(presented);
    }

    /** The admin-JWT path: the sidecar's own verification, then issuer, subject and scopes. */
    private Outcome jwt(String token) {
        TokenVerifier verifier = Objects.requireNonNull(this.verifier, "an admin JWT issuer comes with the verifier");
        VerificationOutcome outcome = verifier.verify(token);
        if (!outcome.isAccepted()) {
            Verdict verdict = Objects.requireNonNull(outcome.verdict(), "a refusal has a verdict");
            if (verdict.kind() == Verdict.Kind.UNAVAILABLE) {
                return Outcome.of(new Refusal(503, verdict.code(), null,
                        "an admin JWT that cannot be judged now: " + verdict.code()));
            }
            // The detail may quote token content: log the verdict code only.
            return invalidToken(verdict.code(), "a JWT refused as " + verdict.code());
        }
        VerifiedToken t = outcome.token();
        if (!t.issuer().equals(jwtIssuer)) {
            return invalidToken(null, "a JWT from " + t.issuer() + ", which is not the admin issuer");
        }
        if (t.subject() == null || t.subject().isBlank()) {
            return invalidToken(null, "an admin JWT without sub");
        }
        JsonObject claims = new JsonObject(Buffer.buffer(t.claimsJson()));
        Set<AdminScope> scopes = EnumSet.noneOf(AdminScope.class);
        Object scope = claims.getValue("scope");
        if (scope != null && !(scope instanceof String)) {
            return invalidToken(null, "an admin JWT whose scope claim is not a string");
        }
        if (scope != null) {
            addScopes(scopes, (String) scope);
        }
        Object scp = claims.getValue("scp");
        if (scp instanceof String) {
            addScopes(scopes, (String) scp);
        } else if (scp instanceof JsonArray) {
            for (Object s : (JsonArray) scp) {
                if (!(s instanceof String)) {
                    return invalidToken(null, "an admin JWT whose scp claim is not a list of strings");
                }
                AdminScope.fromWireName((String) s).ifPresent(scopes::add);
            }
        } else if (scp != null) {
            return invalidToken(null, "an admin JWT whose scp claim is neither a list nor a string");
        }
        Object limit = claims.getValue(IssuerLimit.JWT_CLAIM);
        IssuerLimit issuers = IssuerLimit.everyIssuer();
        if (limit != null) {
            if (!(limit instanceof JsonArray)) {
                return invalidToken(null, "an admin JWT whose " + IssuerLimit.JWT_CLAIM + " claim is not a list");
            }
            Set<String> named = new LinkedHashSet<>();
            for (Object issuer : (JsonArray) limit) {
                if (!(issuer instanceof String)) {
                    return invalidToken(null, "an admin JWT whose " + IssuerLimit.JWT_CLAIM + " claim is not a list of strings");
                }
                // Only configured issuers, as for a static credential: a JWT never reaches further than one could.
                if (verifier.policy((String) issuer).isPresent()) {
                    named.add((String) issuer);
                }
            }
            issuers = IssuerLimit.only(named);
        }
        return Outcome.of(new Principal(t.subject(), scopes, Via.JWT, issuers));
    }

    /** RFC 6749 §3.3: scope tokens are separated by single spaces; extra spaces are forgiven. */
    private static void addScopes(Set<AdminScope> into, String spaceSeparated) {
        for (String s : spaceSeparated.split(" ")) {
            AdminScope.fromWireName(s).ifPresent(into::add);
        }
    }

    private static Outcome invalidToken(@Nullable String description, String why) {
        return Outcome.of(new Refusal(401, "invalid_token", "Bearer realm=\"" + REALM + "\", error=\"invalid_token\""
                + (description == null ? "" : ", error_description=\"" + description + "\""), why));
    }

    private void refuse(RoutingContext ctx, Refusal r) {
        metrics.adminRefused();
        // Method and path come from anyone, before any credential: escaped, they cannot forge lines.
        log.warn("admin request refused with {}: {} {} from {}: {}", r.answer().status(), LogSafe.text(ctx.request().method().name()),
                LogSafe.text(ctx.request().path()), ctx.request().remoteAddress(), r.why());
        String challenge = r.challenge();
        if (challenge != null) {
            ctx.response().putHeader("WWW-Authenticate", challenge);
        }
        if (r.answer().status() == 503) {
            ctx.response().putHeader("Retry-After", "1");
        }
        r.answer().send(ctx.response());
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
