package io.jwtsidecar.authz;

import io.jwtsidecar.token.DpopProofCheck;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The request a DPoP proof must describe (RFC 9449 §4.3: {@code htm} and {@code htu}), as the
 * proxy or the calling service describes it: the same headers and the same rules as forward auth
 * ({@link ForwardedRequest}), so {@code /v1/verify} and {@code /v1/authz} read the original
 * request alike.
 *
 * <p>The method is {@link ForwardedRequest#method()}. The URI is
 * {@code X-Forwarded-Proto://host/uri}: the scheme must be given ({@code X-Forwarded-Proto}), the
 * host with its port as received ({@code X-Forwarded-Host}, else {@code Host}), the URI as received
 * ({@code X-Forwarded-Uri} or {@code X-Original-URI}, else what follows {@code /v1/authz}), not the
 * canonical path routes match on: {@code htu} is compared with what the client sent. Stateless.
 */
public final class DpopTarget {
    private DpopTarget() {
    }

    /**
     * @param headers    every value of a request header, by case-insensitive name
     * @param original   the original request, validated
     * @param pathSuffix what follows {@code /v1/authz} in the request's path, with its query; empty for {@code /v1/verify}
     * @throws ForwardAuthException when the scheme, host or URI of the original request is not given
     */
    public static DpopProofCheck.Request of(Function<String, List<String>> headers, ForwardedRequest original,
                                            String pathSuffix) throws ForwardAuthException {
        String scheme = original.scheme();
        if (scheme == null) {
            throw missing(ForwardedRequest.FORWARDED_PROTO);
        }
        String host = first(headers, ForwardedRequest.FORWARDED_HOST);
        if (host == null) {
            host = first(headers, "Host");
        }
        if (host == null || original.host() == null) {
            throw missing(ForwardedRequest.FORWARDED_HOST);
        }
        String uri = first(headers, ForwardedRequest.FORWARDED_URI);
        if (uri == null) {
            uri = first(headers, ForwardedRequest.ORIGINAL_URI);
        }
        if (uri == null) {
            uri = pathSuffix;
        }
        if (uri.isEmpty() || uri.charAt(0) != '/') {
            throw missing(ForwardedRequest.FORWARDED_URI);
        }
        return new DpopProofCheck.Request(proofs(headers), original.method(), scheme + "://" + host + uri);
    }

    private static List<String> proofs(Function<String, List<String>> headers) {
        List<String> values = headers.apply("DPoP");
        return values == null ? List.of() : values;
    }

    /** The one value ({@link ForwardedRequest#from} refused two already), stripped; null when absent or blank. */
    private static @Nullable String first(Function<String, List<String>> headers, String name) {
        List<String> values = headers.apply(name);
        if (values == null || values.isEmpty() || values.get(0).isBlank()) {
            return null;
        }
        return values.get(0).strip();
    }

    private static ForwardAuthException missing(String header) {
        return new ForwardAuthException(header, "a DPoP proof is checked against the original request's scheme, "
                + "host and URI: the proxy or the caller must send X-Forwarded-Proto, X-Forwarded-Host (or Host) "
                + "and X-Forwarded-Uri");
    }
}
