package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.testing.EdgeProxies;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A table of hostile requests for a proxy in front of a sidecar (encoded dots, double slashes,
 * encoded separators, overlong and duplicated headers, forged X-Auth-*, mapped claim and
 * X-Forwarded-* headers, tokens in the wrong place). Whatever the proxy answers, no request may
 * reach the upstream carrying an identity header the sidecar did not set. Every forged value
 * contains {@value #FORGED}.
 */
final class HostileRequests {
    static final String FORGED = "FORGED";

    private HostileRequests() {
    }

    /** One row: a method, a raw request target and header lines. */
    record Row(String name, String method, String target, List<String> headers) {
    }

    static List<Row> rows(String bearer) {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("encoded dot segments, no token", "GET", "/api/%2e%2e/%2e%2e/health/live", List.of()));
        rows.add(new Row("encoded dot segments onto metrics", "GET", "/api/%2E%2E/%2E%2E/metrics", List.of(bearer)));
        rows.add(new Row("encoded slashes", "GET", "/a/..%2f..%2fadmin", List.of(bearer)));
        rows.add(new Row("encoded backslashes", "GET", "/a/..%5c..%5cadmin", List.of(bearer)));
        rows.add(new Row("double slash", "GET", "//admin/users", List.of(bearer)));
        rows.add(new Row("dot segment", "GET", "/a/./b", List.of(bearer)));
        for (String forged : List.of("X-Auth-Subject", "x-auth-subject", "X_Auth_Subject", "X-Auth-Issuer", "X-Auth-Claims",
                "X-Auth-Role", "X-User-Email", "X-Revocation-Stale")) {
            rows.add(new Row("forged " + forged, "GET", "/orders/1", List.of(bearer, forged + ": " + FORGED)));
        }
        rows.add(new Row("forged subject twice", "GET", "/orders/1",
                List.of(bearer, "X-Auth-Subject: " + FORGED, "X-Auth-Subject: " + FORGED)));
        rows.add(new Row("forged subject, space before colon", "GET", "/orders/1",
                List.of(bearer, "X-Auth-Subject : " + FORGED)));
        rows.add(new Row("forged subject without a token", "GET", "/orders/1", List.of("X-Auth-Subject: " + FORGED)));
        rows.add(new Row("forged X-Forwarded-* and X-Original-*", "GET", "/orders/1", List.of(bearer,
                "X-Forwarded-Uri: /" + FORGED, "X-Original-URI: /" + FORGED, "X-Forwarded-Method: " + FORGED,
                "X-Forwarded-Host: " + FORGED.toLowerCase(Locale.ROOT) + ".example", "X-Original-Method: " + FORGED)));
        rows.add(new Row("two Authorization headers", "GET", "/orders/1", List.of(bearer, bearer)));
        rows.add(new Row("overlong header", "GET", "/orders/1", List.of(bearer, "X-Pad: " + "a".repeat(70_000))));
        rows.add(new Row("overlong URI", "GET", "/orders/" + "a".repeat(70_000), List.of(bearer)));
        rows.add(new Row("token in the query only", "GET", "/orders/1?access_token=" + bearer.substring(22), List.of()));
        return rows;
    }

    /**
     * Sends every row to the proxy on {@code port}, first checking that a plain good request
     * passes (so the table cannot pass by refusing everything).
     */
    static void assertNoneForgesAnIdentity(int port, EdgeProxies.Upstream upstream, MutableClock clock) throws Exception {
        String bearer = "Authorization: Bearer " + token("alice", clock.epochSecond() - 10,
                Map.of("email", "alice@example.com"));
        upstream.clear();
        assertThat(RawHttp.send(port, "GET", "/orders/1", bearer).status()).isEqualTo(200);
        assertThat(upstream.lastValues("X-Auth-Subject")).containsExactly("alice");

        for (Row row : rows(bearer)) {
            upstream.clear();
            RawHttp.Response answer;
            try {
                answer = RawHttp.send(port, row.method(), row.target(), row.headers().toArray(String[]::new));
            } catch (java.io.IOException closed) {
                answer = null; // the proxy hung up: nothing reached the upstream either
            }
            List<String[]> seen = upstream.lastRequest();
            if (seen == null) {
                continue;
            }
            assertThat(answer).as(row.name()).isNotNull();
            assertThat(answer.status()).as(row.name() + " reached the upstream").isEqualTo(200);
            for (String[] h : seen) {
                String name = h[0].toLowerCase(Locale.ROOT).replace('_', '-');
                if (name.startsWith("x-auth-") || name.equals("x-user-email") || name.equals("x-revocation-stale")) {
                    assertThat(h[1]).as(row.name() + ": upstream got " + h[0]).doesNotContain(FORGED);
                }
            }
            assertThat(valuesOf(seen, "x-auth-subject")).as(row.name()).containsExactly("alice");
            assertThat(valuesOf(seen, "x-auth-issuer")).as(row.name()).containsExactly(ISSUER);
        }
    }

    private static List<String> valuesOf(List<String[]> headers, String normalisedName) {
        List<String> values = new ArrayList<>();
        for (String[] h : headers) {
            if (h[0].toLowerCase(Locale.ROOT).replace('_', '-').equals(normalisedName)) {
                values.add(h[1]);
            }
        }
        return values;
    }
}
