package io.jwtsidecar.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The TLS keys of a listener, the same for the sidecar API and the admin API: a certificate and
 * a key file (both or neither), a client CA file, and for the sidecar API how client certificates
 * are asked for. Every file must be readable when the configuration is loaded, so a typo is a
 * configuration error rather than a listener that fails to start.
 */
final class ListenerTlsReader {
    /**
     * The keys of one listener.
     *
     * @param cert       {@code *.tlsCertFile}
     * @param key        {@code *.tlsKeyFile}
     * @param clientCa   {@code *.tlsClientCaFile}
     * @param clientAuth {@code *.tlsClientAuth}, or null where a client CA alone means "required"
     *                   (the admin API: its client certificates authenticate, so there is no other use)
     */
    record Keys(ConfigKey<String> cert, ConfigKey<String> key, ConfigKey<String> clientCa,
                @Nullable ConfigKey<String> clientAuth) {
    }

    static final Keys API = new Keys(ConfigKeys.API_TLS_CERT, ConfigKeys.API_TLS_KEY, ConfigKeys.API_TLS_CLIENT_CA,
            ConfigKeys.API_TLS_CLIENT_AUTH);
    static final Keys ADMIN = new Keys(ConfigKeys.ADMIN_TLS_CERT, ConfigKeys.ADMIN_TLS_KEY, ConfigKeys.ADMIN_TLS_CLIENT_CA,
            null);

    private final ReadContext context;
    private final List<String> errors;

    ListenerTlsReader(ReadContext context) {
        this.context = context;
        this.errors = context.errors();
    }

    /** The listener's TLS, or empty for plain HTTP (also when a key is wrong: the error says which). */
    Optional<SidecarConfig.ListenerTls> read(Keys keys) {
        Optional<String> cert = context.text(keys.cert());
        Optional<String> key = context.text(keys.key());
        Optional<String> ca = context.text(keys.clientCa());
        Optional<String> authText = keys.clientAuth() == null ? Optional.empty() : context.text(keys.clientAuth());
        // Read (and checked) whether TLS is on or not, so a bad word is reported either way.
        SidecarConfig.TlsClientAuth clientAuth = keys.clientAuth() == null
                ? (ca.isPresent() ? SidecarConfig.TlsClientAuth.REQUIRE : SidecarConfig.TlsClientAuth.NONE)
                : clientAuth(context.read(keys.clientAuth()));
        String tlsFiles = keys.cert().name() + " and " + keys.key().name();
        if (cert.isEmpty() && key.isEmpty()) {
            ca.ifPresent(c -> errors.add(keys.clientCa().name() + ": '" + c + "' needs " + tlsFiles
                    + " (mutual TLS is TLS first)"));
            if (keys.clientAuth() != null && clientAuth != SidecarConfig.TlsClientAuth.NONE) {
                errors.add(keys.clientAuth().name() + ": '" + authText.orElseThrow() + "' needs " + tlsFiles
                        + " (client certificates come with TLS)");
            }
            return Optional.empty();
        }
        if (cert.isEmpty() || key.isEmpty()) {
            ConfigKey<?> missing = cert.isEmpty() ? keys.cert() : keys.key();
            ConfigKey<?> given = cert.isEmpty() ? keys.key() : keys.cert();
            errors.add(missing.name() + ": required together with " + given.name());
            return Optional.empty();
        }
        if (keys.clientAuth() != null && ca.isPresent() && clientAuth == SidecarConfig.TlsClientAuth.NONE) {
            errors.add(keys.clientCa().name() + ": '" + ca.get() + "' needs " + keys.clientAuth().name()
                    + " request or require; with none no client certificate is asked for");
            return Optional.empty();
        }
        Path certPath = readableFile(keys.cert(), cert.get());
        Path keyPath = readableFile(keys.key(), key.get());
        Path caPath = ca.map(c -> readableFile(keys.clientCa(), c)).orElse(null);
        return Optional.of(new SidecarConfig.ListenerTls(certPath, keyPath, clientAuth, caPath));
    }

    private static SidecarConfig.TlsClientAuth clientAuth(String word) {
        try {
            return SidecarConfig.TlsClientAuth.valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return SidecarConfig.TlsClientAuth.NONE; // the key's type already reported the word
        }
    }

    private Path readableFile(ConfigKey<?> key, String value) {
        Path p = context.resolve(value);
        ConfigFiles.problem(p).ifPresent(problem -> errors.add(key.name() + ": " + problem));
        return p;
    }
}
