package io.jwtsidecar.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwtsidecar.testing.HeaderLines;
import io.jwtsidecar.token.Verdict;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The one token of a request, in the places a route allows; RFC 6750's one-method rule. */
class TokenLocatorTest {
    private static final TokenLocation COOKIE = TokenLocation.parse("cookie:at");
    private static final TokenLocation QUERY = TokenLocation.parse("query:access_token");
    private static final List<TokenLocation> ALL = List.of(TokenLocation.HEADER, COOKIE, QUERY);

    private static Function<String, List<String>> headers(String... lines) {
        return HeaderLines.of(lines);
    }

    @Test
    void each_place_on_its_own() throws Exception {
        assertThat(TokenLocator.find(ALL, headers("Authorization: Bearer h.h.h"), null))
                .isEqualTo(new TokenLocator.Found("h.h.h", TokenLocation.HEADER));
        assertThat(TokenLocator.find(ALL, headers("Cookie: theme=dark; at=c.c.c; lang=en"), null))
                .isEqualTo(new TokenLocator.Found("c.c.c", COOKIE));
        assertThat(token(TokenLocator.find(ALL, headers("Cookie: at=\"q.q.q\""), null))).isEqualTo("q.q.q");
        assertThat(TokenLocator.find(ALL, headers(), "page=2&access_token=p.p.p"))
                .isEqualTo(new TokenLocator.Found("p.p.p", QUERY));
        assertThat(token(TokenLocator.find(ALL, headers(), "access%5Ftoken=p.p%2Ep"))).isEqualTo("p.p.p");
    }

    @Test
    void only_the_places_listed_are_looked_at() throws Exception {
        assertThat(verdict(TokenLocator.find(List.of(TokenLocation.HEADER), headers("Cookie: at=c.c.c"), "access_token=p.p.p"))).isEqualTo(Verdict.MISSING_TOKEN);
        assertThat(verdict(TokenLocator.find(List.of(COOKIE), headers("Authorization: Bearer h.h.h"), null)))
                .isEqualTo(Verdict.MISSING_TOKEN);
        assertThat(verdict(TokenLocator.find(List.of(COOKIE), headers("Cookie: other=c.c.c; at2=x"), null)))
                .isEqualTo(Verdict.MISSING_TOKEN);
    }

    @Test
    void tokens_in_two_places_are_an_invalid_request() {
        for (Object[] c : new Object[][] {
                {headers("Authorization: Bearer h.h.h", "Cookie: at=c.c.c"), null},
                {headers("Authorization: Bearer h.h.h"), "access_token=p.p.p"},
                {headers("Cookie: at=c.c.c"), "access_token=p.p.p"},
                {headers("Authorization: Bearer", "Cookie: at=c.c.c"), null}, // an empty bearer still counts as a try
        }) {
            @SuppressWarnings("unchecked")
            Function<String, List<String>> h = (Function<String, List<String>>) c[0];
            assertThatThrownBy(() -> TokenLocator.find(ALL, h, (String) c[1])).isInstanceOf(ForwardAuthException.class)
                    .hasMessageContaining("more than one place");
        }
    }

    @Test
    void the_same_cookie_or_parameter_twice_or_empty_is_malformed() throws Exception {
        assertThat(verdict(TokenLocator.find(ALL, headers("Cookie: at=a.a.a; at=b.b.b"), null))).isEqualTo(Verdict.MALFORMED);
        assertThat(verdict(TokenLocator.find(ALL, headers("Cookie: at=a.a.a", "Cookie: at=b.b.b"), null)))
                .isEqualTo(Verdict.MALFORMED);
        assertThat(verdict(TokenLocator.find(ALL, headers(), "access_token=a.a.a&access_token=b.b.b")))
                .isEqualTo(Verdict.MALFORMED);
        assertThat(verdict(TokenLocator.find(ALL, headers(), "access_token="))).isEqualTo(Verdict.MALFORMED);
        assertThat(verdict(TokenLocator.find(ALL, headers("Cookie: at="), null))).isEqualTo(Verdict.MALFORMED);
        assertThat(verdict(TokenLocator.find(ALL, headers("Authorization: Bearer a", "Authorization: Bearer b"), null)))
                .isEqualTo(Verdict.MALFORMED);
    }

    @Test
    void locations_are_written_header_cookie_name_or_query_name() {
        assertThat(TokenLocation.parse("header")).isEqualTo(TokenLocation.HEADER);
        assertThat(TokenLocation.parse("cookie:__Host-at")).isEqualTo(new TokenLocation(TokenLocation.Kind.COOKIE, "__Host-at"));
        assertThat(QUERY.toString()).isEqualTo("query:access_token");
        for (String bad : List.of("Header", "cookie", "cookie:", "query:a b", "body:token", "cookie:a;b")) {
            assertThatThrownBy(() -> TokenLocation.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static Verdict verdict(TokenLocator.Located located) {
        return ((TokenLocator.Absent) located).verdict();
    }

    private static String token(TokenLocator.Located located) {
        return ((TokenLocator.Found) located).token();
    }
}
