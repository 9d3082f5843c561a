package io.jwtsidecar.http;

import io.vertx.ext.web.Router;

/**
 * Routes that take revocations from identity providers on the admin listener (back-channel
 * logout, pushed security events). They are mounted before the admin credential check of
 * unmatched routes: a provider authenticates by the signature of what it sends, not by an
 * admin credential, and what it sends can only revoke rules of its own issuer.
 */
public interface SignalRoutes {
    void mount(Router router, SignalPublishing publishing);
}
