package io.jwtsidecar.token.keys;

import java.net.URI;

/**
 * Which key URLs may be fetched at all, decided without fetching: the configuration refuses a
 * bad {@code jwksUri} at load, and {@link RemoteJwksSource} refuses it again for every URL it is
 * about to request (a discovery document names its own {@code jwks_uri}).
 */
public final class FetchableUrl {
    private FetchableUrl() {
    }

    /** The discovery document's URL for an issuer (OpenID Connect Discovery 1.0 §4). */
    public static URI discoveryUri(String issuer) {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        return URI.create(base + "/.well-known/openid-configuration");
    }

    /**
     * https anywhere; plain http only to loopback (a local IdP, a test).
     *
     * @throws IllegalArgumentException naming the URL and why it may not be fetched
     */
    public static void check(URI uri) {
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (host == null || scheme == null) {
            throw new IllegalArgumentException("'" + uri + "' is not an absolute URL");
        }
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
        if (!scheme.equals("https") && !(scheme.equals("http") && loopback)) {
            throw new IllegalArgumentException("'" + uri + "' must be https (plain http only for loopback hosts)");
        }
    }
}
