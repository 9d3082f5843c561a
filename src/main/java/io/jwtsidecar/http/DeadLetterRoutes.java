package io.jwtsidecar.http;

import io.jwtsidecar.revocation.KeptDeadLetter;
import io.jwtsidecar.revocation.RevocationStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The admin API's dead-letter listing: what this sidecar's feed could not read, kept in its store
 * for an operator to look at. {@link AdminRoutes} mounts it behind the read scope; the listing
 * itself asks for a credential for every issuer, since no issuer can be told for a record that
 * did not decode. Store scans run on a worker, never on the event loop.
 */
final class DeadLetterRoutes {
    /** Dead letters per page: each is at most about 3 KiB of JSON, so a page stays under 3 MB. */
    static final int MAX_DEAD_LETTER_PAGE = 1000;

    private final AdminAuthenticator authenticator;
    private final RevocationStore store;

    DeadLetterRoutes(AdminAuthenticator authenticator, RevocationStore store) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.store = store;
    }

    /**
     * {@code GET /v1/dead-letters?limit=N&after=ID}: poison pills kept by this sidecar, oldest first,
     * a page at a time: {@code next} is the {@code after} of the next page, null on the last. Each
     * has its sizes, its SHA-256 and at most the first KiB of its key and value, in base64.
     */
    void list(RoutingContext ctx) {
        // A pill is a record that did not decode: the issuer it may name is unauthenticated and may be cut off.
        if (!authenticator.permitsEveryIssuer(ctx, "dead letters are records no sidecar could read, so no issuer can "
                + "be told for them")) {
            return;
        }
        int limit;
        long after;
        try {
            RevocationRequests.checkQuery(ctx.queryParams(), List.of("limit", "after"));
            limit = (int) wholeNumber(ctx, "limit", 100, 1, MAX_DEAD_LETTER_PAGE);
            after = wholeNumber(ctx, "after", -1, -1, Long.MAX_VALUE - 1);
        } catch (RevocationRequests.FieldException e) {
            AdminError.invalidRequest(e.field(), e.reason()).send(ctx.response());
            return;
        }
        // A RocksDB scan: off the event loop. One more than asked tells whether a next page exists.
        ctx.vertx().executeBlocking(() -> store.deadLetters(after, limit + 1)).onComplete(ar -> {
            if (ar.failed()) {
                AdminError.storeUnavailable().send(ctx.response());
                return;
            }
            List<KeptDeadLetter> page = ar.result();
            boolean more = page.size() > limit;
            JsonArray items = new JsonArray();
            Base64.Encoder b64 = Base64.getEncoder();
            for (KeptDeadLetter d : page.subList(0, Math.min(limit, page.size()))) {
                items.add(new JsonObject().put("id", d.id()).put("partition", d.partition()).put("offset", d.offset())
                        .put("recordTimestamp", d.recordMillis()).put("reason", d.reason())
                        .put("keySize", d.keySize() < 0 ? null : d.keySize())
                        .put("valueSize", d.valueSize() < 0 ? null : d.valueSize())
                        .put("sha256", HexFormat.of().formatHex(d.sha256()))
                        .put("truncated", d.truncated())
                        .put("key", d.keyPrefix() == null ? null : b64.encodeToString(d.keyPrefix()))
                        .put("value", d.valuePrefix() == null ? null : b64.encodeToString(d.valuePrefix())));
            }
            Long next = more ? page.get(limit - 1).id() : null;
            HttpResponses.json(ctx.response(), 200, new JsonObject().put("count", store.deadLetterCount())
                    .put("droppedBytes", store.deadLetterDroppedBytes()).put("deadLetters", items).put("next", next)
                    .encode());
        });
    }

    private static long wholeNumber(RoutingContext ctx, String name, long fallback, long min, long max)
            throws RevocationRequests.FieldException {
        String text = ctx.request().getParam(name);
        if (text == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(text);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new RevocationRequests.FieldException(name, "must be a whole number from " + min + " to " + max);
    }
}
